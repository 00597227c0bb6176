"""The ``autograder`` command: verbs only, each a thin wrapper over one API function.

Errors of the grader's users (UsageError, ConfigError, SubmissionError, SandboxError) are
printed as one line on stderr with their exit code; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.errors import AutograderError, UsageError


#: what every verb's exit code means (each verb's --help says which it uses)
EXIT_CODES = ("Exit codes: 0 done, 1 a check or a score is not as expected, 2 usage (who ran the command), "
              "3 assignment config, 4 submission, 5 sandbox, 130 interrupted.")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        # no verb is a usage error like any other: one line on stderr, not the help on stdout
        print(f"error: no verb given: autograder VERB ... with VERB one of {', '.join(_verbs(parser))} "
              "('autograder --help' says what each does)", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except AutograderError as e:
        from autograder.report.text import terminal_safe

        # a file name or a submission's text in the message must not act on the terminal
        print(f"error: {terminal_safe(str(e))}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


class _Parser(argparse.ArgumentParser):
    """argparse, with the grader's usage errors: one line on stderr, exit code 2."""

    def error(self, message: str):
        from autograder.report.text import terminal_safe

        print(f"error: {self.prog}: {terminal_safe(message)} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _verbs(parser: argparse.ArgumentParser) -> list[str]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(actions[0].choices) if actions else []


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="autograder", description="Grade deep-learning course assignments safely.", epilog=EXIT_CODES)
    from autograder import __version__

    p.add_argument("--version", action="version", version=f"autograder {__version__}")
    sub = p.add_subparsers(metavar="VERB")

    g = sub.add_parser("grade", help="grade a class into DIR: results/*.json, grades.csv, summary.json, report.html",
                       description="Grade every submission of the inputs into DIR, in parallel; each result is kept "
                                   "in DIR/results as soon as it is graded, and a run again with the same --out grades "
                                   "only what is missing or was graded by other checks. Then DIR/grades.csv (one row "
                                   "per submission; --hand merges the hand grades and gives the totals), summary.json "
                                   "and report.html; --format adds grades.xlsx, grades.parquet and each LMS's import "
                                   "file (moodle.csv, canvas.csv). Exit codes: 0 graded, whatever the scores; 2 usage "
                                   "(an input not found, an --out that cannot be written, a --hand file refused, a "
                                   "library the reports need); 3 assignment config (no solution: --solution DIR); "
                                   "5 sandbox; 130 interrupted.")
    g.add_argument("assignment", help="assignment id (see 'autograder list') or folder")
    g.add_argument("submissions", nargs="+", type=Path, metavar="INPUT",
                   help=".py, .ipynb, .zip, a folder of submissions, or a Gradescope export (zip or folder)")
    g.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output folder (reused: only missing or stale results are graded)")
    g.add_argument("--jobs", type=int, default=None, help="submissions graded in parallel (default: the machine's cores)")
    g.add_argument("--force", action="store_true", help="regrade every submission, even those already graded")
    g.add_argument("--quiet", action="store_true", help="no progress bar and no score table")
    g.add_argument("--due", type=_datetime, default=None, help="due date (ISO 8601) for lateness, overriding the config")
    _gradebook_flags(g)
    _solution_flag(g)
    _isolation_flag(g)
    g.add_argument("--rare", type=int, default=None, metavar="K",
                   help="report.html's shared unusual answers: a wrong answer given by at most K submissions "
                        "(default: 2%% of the class, at least 2)")
    g.set_defaults(func=_cmd_grade)

    gb = sub.add_parser("gradebook",
                        help="write DIR's grades.csv again, with hand grades and LMS files, without grading",
                        description="Write DIR/grades.csv again from the results in DIR/results, without grading: "
                                    "with the hand grades of --hand (Gradescope's scores export as it is, or a table "
                                    "of submission_id, student_id or email and one column per hand-graded question, "
                                    "grades.csv with its '(hand)' columns filled in included), and each LMS's import "
                                    "file with --format moodle / canvas. A submission without a hand grade is a "
                                    "warning line and blank totals, never 0. Exit codes: 0 written; 2 usage (no "
                                    "results in DIR, a --hand file with an id, a column or a score that is not the "
                                    "class's); 3 assignment config.")
    gb.add_argument("assignment", help="assignment id (see 'autograder list') or folder")
    gb.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder 'autograder grade' wrote")
    gb.add_argument("--due", type=_datetime, default=None,
                    help="due date (ISO 8601) for lateness, overriding the config")
    _gradebook_flags(gb)
    gb.set_defaults(func=_cmd_gradebook)

    c = sub.add_parser("check", help="run the public checks on one submission and explain each (for students)",
                       description="Run the public checks of ASSIGNMENT on one submission, in the sandbox, and "
                                   "explain each failure in the assignment's language, as a student sees it. No "
                                   "hidden check runs and no solution is needed: passing them does not mean the "
                                   "answers are right. Exit codes: 0 every public check passes; 1 some fail, or the "
                                   "file cannot be graded; 2 usage; 3 assignment config; 5 sandbox.")
    c.add_argument("assignment", nargs="?", default=None,
                   help="assignment id, folder, or otter source; left out in the students' bundle: its "
                        "assignment/ folder, found from the current folder (or the submission's) upwards")
    c.add_argument("submission", type=Path, help="the student's .py, .ipynb, .zip or folder")
    _isolation_flag(c)
    c.set_defaults(func=_cmd_check)

    v = sub.add_parser("validate", help="prove an assignment: its solution gets full marks, its examples their scores",
                       description="Grade each assignment's solution (it must get full marks) and its examples (each "
                                   "must get the score examples/expected.yaml documents), and print their score "
                                   "tables. Exit codes: 0 every score as documented; 1 some differ; 2 usage; "
                                   "3 assignment config (no solution: --solution DIR); 5 sandbox.")
    v.add_argument("assignment", nargs="*", help="ids or folders (default: all)")
    _solution_flag(v)
    v.add_argument("--strength", action="store_true",
                   help="also grade wrong variants of the solution, per question: the share the checks reject "
                        "(exit code 1 below --min)")
    v.add_argument("--min", type=float, default=95.0, help="with --strength: the share (%%) to reach (default 95)")
    v.add_argument("--diffs", action="store_true", help="with --strength: show each surviving variant's diff")
    v.add_argument("--jobs", type=int, default=None, help="with --strength: variants graded in parallel")
    _isolation_flag(v)
    v.set_defaults(func=_cmd_validate)

    r = sub.add_parser("run",
                       help="inside Gradescope's container: grade ROOT/submission into ROOT/results/results.json",
                       description="What run_autograder calls inside Gradescope's container: grade ROOT/submission "
                                   "and write ROOT/results/results.json, which is written whatever happens (a "
                                   "failure of ours is a results.json that says so). Exit codes: 0 graded; 1 an "
                                   "internal error; 2 usage; 3 assignment config; 5 sandbox.")
    r.add_argument("--root", type=Path, default=Path("/autograder"), help="the container's /autograder (default)")
    r.add_argument("--assignment", help="assignment id under ROOT/source/assignments (default: the only one)")
    _isolation_flag(r)
    r.set_defaults(func=_cmd_run)

    b = sub.add_parser("build", help="write the autograder zip to upload to Gradescope (hidden checks included)",
                       description="Write the autograder zip of a Gradescope programming assignment: setup.sh, "
                                   "run_autograder, the package, the assignment with its hidden checks and its "
                                   "solution (the image computes the references from it). Exit codes: 0 written; "
                                   "2 usage (--out is not a .zip that can be written); 3 assignment config (no "
                                   "solution: --solution DIR).")
    b.add_argument("assignment", help="assignment id, folder, or otter source")
    b.add_argument("--out", type=Path, required=True, help="the .zip to write")
    _solution_flag(b)
    b.set_defaults(func=_cmd_build)

    s = sub.add_parser("bundle", help="write the students' zip: starters, public checks, how-to (nothing hidden)",
                       description="Write the zip to give students: the starters (.py and .ipynb), the public checks, "
                                   "the package (as source, and as a wheel students can pip install) and a how-to "
                                   "in the assignment's language whose every command works from the unzipped "
                                   "folder; no hidden check, no "
                                   "solution, no example. Exit codes: 0 written; 2 usage (--out is not a .zip that "
                                   "can be written); 3 assignment config.")
    s.add_argument("assignment", help="assignment id or folder")
    s.add_argument("--out", type=Path, required=True, help="the .zip to write")
    s.set_defaults(func=_cmd_bundle)

    a = sub.add_parser("assign", help="write an assignment (folder, starters, solution) from its annotated source",
                       description="Write assignments/<id>/ (config, public and hidden checks, helpers, .py and "
                                   ".ipynb starters) and solutions/<id>/ from one annotated solution (a jupytext "
                                   "percent .py or a notebook; docs/authoring.md). Refused, with nothing written, "
                                   "unless the points add up, every check names a defined answer and the solution "
                                   "gets full marks. Exit codes: 0 written, 2 usage, 3 the source is refused.")
    a.add_argument("source", type=Path, help="the source (assignments/<id>/source.py or .ipynb)")
    a.add_argument("--out", type=Path, default=None,
                   help="the folder holding assignments/ and solutions/ (default: the one the source is in)")
    a.set_defaults(func=_cmd_assign)

    n = sub.add_parser("new", help="start an assignment: a working source with a value, a function and a formula question",
                       description="Write assignments/ID/source.py, a skeleton with one value, one function and one "
                                   "formula question, their checks and a solution, then assign it: 'autograder "
                                   "validate ID' and 'autograder build ID' work at once. Exit codes: 0 written, "
                                   "2 usage (the id exists, or is not lowercase letters, digits and '-').")
    n.add_argument("id", help="the new assignment's id (lowercase letters, digits, '-')")
    n.add_argument("--lang", default="en", choices=["en", "fr"], help="the language students read (default: en)")
    n.add_argument("--title", default=None, help="its title (default: 'Assignment ID')")
    n.add_argument("--out", type=Path, default=None, help="the folder holding assignments/ (default: the current folder)")
    n.set_defaults(func=_cmd_new)

    ls = sub.add_parser("list", help="list the assignments found, with their points",
                        description="List the assignments found ($AUTOGRADER_ASSIGNMENTS, ./assignments, the "
                                    "package's assignments/): id, language, points graded automatically and by "
                                    "hand, title; one whose config is wrong is listed as INVALID, with the reason. "
                                    "Exit codes: 0 every one valid; 3 some INVALID.")
    ls.set_defaults(func=_cmd_list)
    return p


def _gradebook_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hand", type=Path, default=None, metavar="HAND.csv",
                   help="hand grades to merge: Gradescope's scores export as it is, or submission_id / student_id / "
                        "email and one column per hand-graded question (see README)")
    p.add_argument("--format", action="append", default=[], choices=["parquet", "xlsx", "moodle", "canvas"],
                   help="also write grades.parquet, grades.xlsx, or an LMS's grade import file, moodle.csv or "
                        "canvas.csv (repeatable)")
    p.add_argument("--lms-item", default=None, metavar="NAME",
                   help="the grade column's name in moodle.csv / canvas.csv: the LMS's grade item, e.g. "
                        "'Assignment: Devoir 1' (Moodle) or 'Devoir 1 (12345)' (Canvas; default: the title)")


def _solution_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--solution", type=Path, default=None, metavar="DIR",
                   help="the folder that holds the solution (default: solutions/<id>/ beside assignments/)")


def _isolation_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--isolation", default="auto", choices=["auto", "bwrap", "user", "rlimits"],
                   help="sandbox mode (default: the strongest available; env AUTOGRADER_ISOLATION)")


def _sandbox(args: argparse.Namespace, assignment):
    from autograder.grading import sandbox_for

    return sandbox_for(assignment, isolation=args.isolation)


def _cmd_grade(args: argparse.Namespace) -> int:
    from autograder.assignment import load_assignment
    from autograder.batch import default_jobs, grade_batch
    from autograder.report.text import score_table

    from autograder.sandbox import detect_isolation, hide_command_line

    assignment = load_assignment(args.assignment, solution_dir=args.solution)
    if detect_isolation(args.isolation).mode == "user":
        # student code runs beside this process as other uids, which read /proc/PID/cmdline:
        # the command line names the class's files
        hide_command_line("autograder grade")
    outcome = grade_batch(assignment, args.submissions, out=args.out, jobs=args.jobs or default_jobs(),
                          force=args.force, progress=not args.quiet and sys.stderr.isatty(),
                          isolation=args.isolation, due=args.due, formats=tuple(args.format), hand=args.hand,
                          lms_item=args.lms_item, rare=args.rare)
    if not args.quiet:
        print(score_table(outcome.results))
        print(f"graded {outcome.graded}, kept {outcome.reused} already graded; "
              f"wrote {args.out / 'grades.csv'}, summary.json, report.html{_also(args.format)}")
        if outcome.changes:
            print(f"regrade changed {len(outcome.changes)} score(s): see {args.out / 'regrade_diff.csv'}")
    return 0


def _cmd_gradebook(args: argparse.Namespace) -> int:
    from autograder.assignment import load_assignment
    from autograder.batch import rebuild_gradebook

    written = rebuild_gradebook(load_assignment(args.assignment), out=args.out, hand=args.hand, due=args.due,
                                formats=tuple(args.format), lms_item=args.lms_item)
    print(f"wrote {', '.join(str(path) for path in written)}")
    return 0


def _also(formats: list[str]) -> str:
    """The other files --format had written, to name them after grades.csv."""
    names = {"xlsx": "grades.xlsx", "parquet": "grades.parquet", "moodle": "moodle.csv", "canvas": "canvas.csv"}
    return "".join(f", {name}" for fmt, name in names.items() if fmt in formats)


def _datetime(text: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {text!r} (e.g. 2026-02-04T23:00-05:00)") from None


def _cmd_check(args: argparse.Namespace) -> int:
    from autograder.errors import UsageError
    from autograder.grading import grade
    from autograder.report.text import check_report
    from autograder.student import load_check_assignment

    assignment = load_check_assignment(args.assignment, near=args.submission)
    if not args.submission.exists():
        raise UsageError(f"submission not found: {args.submission} (expected .py, .ipynb or .zip)")
    with _sandbox(args, assignment) as box:
        results = grade(assignment, args.submission, sandbox=box, public_only=True)
    print(check_report(results))
    return 0 if all(c.passed for c in results.checks) and results.status == "graded" else 1


def _cmd_validate(args: argparse.Namespace) -> int:
    from autograder.assignment import list_assignments, load_assignment
    from autograder.report.text import score_table, terminal_safe
    from autograder.validation import uncovered_questions, validate

    refs = args.assignment or [p.name for p in list_assignments()]
    if args.solution is not None and len(refs) != 1:
        raise UsageError("--solution names the solution of one assignment: give that assignment alone")
    failures = weak = 0
    for ref in refs:
        assignment = load_assignment(ref, solution_dir=args.solution)
        with _sandbox(args, assignment) as box:
            outcomes = validate(assignment, sandbox=box)
        print(f"== {assignment.id}: {assignment.title} (isolation: {box.isolation.mode})")
        print(score_table([o.results for o in outcomes]))
        for o in outcomes:
            if not o.ok:
                failures += 1
                print(f"MISMATCH {assignment.id}/{o.name}: scored {o.results.score:g}, documented {o.expected:g}")
                for c in o.results.checks:
                    if not c.passed:
                        print(terminal_safe(f"    [{c.number}] {c.name}: {c.feedback}"))
        for row in uncovered_questions(assignment):
            # reported, not failed: a public check that fails on a wrong value is advice (issue 14)
            checks = ", ".join(row.public) or "none"
            print(f"NO PUBLIC VALUE CHECK {assignment.id}/{row.question}: its public checks ({checks}) pass every "
                  "wrong answer of the right form")
        print()
        if args.strength:
            weak += _print_strength(assignment, args)
    print("all scores as documented" if not failures else f"{failures} score(s) differ from the documentation")
    if args.strength:
        print(f"checks strong enough: every question rejects at least {args.min:g}% of its wrong variants" if not weak
              else f"{weak} question(s) reject less than {args.min:g}% of their wrong variants")
    return 0 if not failures and not weak else 1


def _print_strength(assignment, args: argparse.Namespace) -> int:
    """The strength table of ``assignment``; how many questions are below ``--min``."""
    from autograder.batch import default_jobs
    from autograder.strength import measure, strength_table, survivor_diff

    rows = measure(assignment, jobs=args.jobs or default_jobs(), isolation=args.isolation)
    print(f"== strength of {assignment.id}: wrong variants of the solution the checks reject")
    print(strength_table(rows))
    weak = [row for row in rows if 100 * row.share < args.min]
    if args.diffs:
        for row in rows:
            for variant in row.survivors:
                print(f"\n-- {row.question} survives: {variant.name}\n{survivor_diff(assignment, variant)}")
    unmeasured = [row.question for row in rows if not row.measured]
    if unmeasured:
        print(f"no variant made for {', '.join(unmeasured)}: their answers are of a kind the generator "
              "does not change (not counted)")
    for row in weak:
        print(f"WEAK {assignment.id}/{row.question}: {100 * row.share:.1f}% of its wrong variants rejected "
              f"(at least {args.min:g}% wanted)")
    for row in rows:
        if row.measured and row.killed and not row.public_killed:
            print(f"NO PUBLIC VALUE CHECK {assignment.id}/{row.question}: no public check rejects any of its "
                  "wrong variants")
    print()
    return len(weak)


def _cmd_run(args: argparse.Namespace) -> int:
    from autograder.container import run

    return 0 if run(args.root, assignment_id=args.assignment, isolation=args.isolation) is not None else 1


def _cmd_build(args: argparse.Namespace) -> int:
    from autograder.assignment import load_assignment
    from autograder.packaging import build

    path = build(load_assignment(args.assignment, solution_dir=args.solution), out=args.out)
    print(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")
    return 0


def _cmd_bundle(args: argparse.Namespace) -> int:
    from autograder.assignment import load_assignment
    from autograder.packaging import bundle

    path = bundle(load_assignment(args.assignment), out=args.out)
    print(f"wrote {path}: give it to the students")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from autograder.assignment import list_assignments, load_assignment
    from autograder.errors import ConfigError
    from autograder.report.text import terminal_safe

    rows = []
    for path in list_assignments():
        try:
            a = load_assignment(path)
        except ConfigError as e:
            rows.append((path.name, "INVALID:", str(e), ""))
            continue
        rows.append((a.id, a.language, f"auto {a.auto_points:g} + hand {a.hand_points:g} pts", a.title))
    # each column as wide as its widest cell: ids, languages and points of any length line up
    valid = [row for row in rows if row[1] != "INVALID:"]
    widths = [max((len(row[0]) for row in rows), default=0)]
    widths += [max((len(row[i]) for row in valid), default=0) for i in (1, 2)]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        if row[1] == "INVALID:":
            cells += [row[1], row[2]]
        else:
            cells += [row[1].ljust(widths[1]), row[2].ljust(widths[2]), row[3]]
        print(terminal_safe("  ".join(cells).rstrip()))
    return ConfigError.exit_code if any(row[1] == "INVALID:" for row in rows) else 0


def _cmd_assign(args: argparse.Namespace) -> int:
    from autograder.authoring import assign

    written = assign(args.source, root=args.out)
    print(f"wrote {len(written)} files from {args.source}; the solution gets full marks")
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from autograder.authoring import new_assignment

    written = new_assignment(args.id, language=args.lang, root=args.out, title=args.title)
    print(f"wrote {written[0]} and the {len(written) - 1} files it makes; next: autograder validate {args.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
