"""The ``autograder`` command: verbs only, each a thin wrapper over one API function.

Errors of the grader's users (UsageError, ConfigError, SubmissionError, SandboxError) are
printed as one line on stderr with their exit code; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.errors import AutograderError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="autograder", description="Grade deep-learning course assignments safely.")
    from autograder import __version__

    p.add_argument("--version", action="version", version=f"autograder {__version__}")
    sub = p.add_subparsers(metavar="VERB")

    g = sub.add_parser("grade", help="grade a class into DIR: results/*.json, grades.csv, summary.json, report.html")
    g.add_argument("assignment", help="assignment id (see 'autograder list') or folder")
    g.add_argument("submissions", nargs="+", type=Path, metavar="INPUT",
                   help=".py, .ipynb, .zip, a folder of submissions, or a Gradescope export (zip or folder)")
    g.add_argument("--out", type=Path, required=True, help="output folder (reused: only missing or stale results are graded)")
    g.add_argument("--jobs", type=int, default=None, help="submissions graded in parallel (default: the machine's cores)")
    g.add_argument("--force", action="store_true", help="regrade every submission, even those already graded")
    g.add_argument("--quiet", action="store_true", help="no progress bar and no score table")
    g.add_argument("--due", type=_datetime, default=None, help="due date (ISO 8601) for lateness, overriding the config")
    g.add_argument("--format", action="append", default=[], choices=["parquet", "xlsx"],
                   help="also write the gradebook in this format (repeatable)")
    _isolation_flag(g)
    g.set_defaults(func=_cmd_grade)

    c = sub.add_parser("check", help="run the public checks on one submission and explain each (for students)")
    c.add_argument("assignment")
    c.add_argument("submission", type=Path)
    _isolation_flag(c)
    c.set_defaults(func=_cmd_check)

    v = sub.add_parser("validate", help="prove an assignment: its solution gets full marks, its examples their scores")
    v.add_argument("assignment", nargs="*", help="ids or folders (default: all)")
    _isolation_flag(v)
    v.set_defaults(func=_cmd_validate)

    r = sub.add_parser("run", help="inside Gradescope's container: grade ROOT/submission into ROOT/results/results.json")
    r.add_argument("--root", type=Path, default=Path("/autograder"), help="the container's /autograder (default)")
    r.add_argument("--assignment", help="assignment id under ROOT/source/assignments (default: the only one)")
    _isolation_flag(r)
    r.set_defaults(func=_cmd_run)

    b = sub.add_parser("build", help="write the autograder zip to upload to Gradescope (hidden checks included)")
    b.add_argument("assignment")
    b.add_argument("--out", type=Path, required=True, help="the .zip to write")
    b.set_defaults(func=_cmd_build)

    s = sub.add_parser("bundle", help="write the students' zip: starters, public checks, how-to (nothing hidden)")
    s.add_argument("assignment")
    s.add_argument("--out", type=Path, required=True, help="the .zip to write")
    s.set_defaults(func=_cmd_bundle)

    ls = sub.add_parser("list", help="list the assignments found, with their points")
    ls.set_defaults(func=_cmd_list)
    return p


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

    assignment = load_assignment(args.assignment)
    if detect_isolation(args.isolation).mode == "user":
        # student code runs beside this process as other uids, which read /proc/PID/cmdline:
        # the command line names the class's files
        hide_command_line("autograder grade")
    outcome = grade_batch(assignment, args.submissions, out=args.out, jobs=args.jobs or default_jobs(),
                          force=args.force, progress=not args.quiet and sys.stderr.isatty(),
                          isolation=args.isolation, due=args.due, formats=tuple(args.format))
    if not args.quiet:
        print(score_table(outcome.results))
        print(f"graded {outcome.graded}, kept {outcome.reused} already graded; "
              f"wrote {args.out / 'grades.csv'}, summary.json, report.html")
        if outcome.changes:
            print(f"regrade changed {len(outcome.changes)} score(s): see {args.out / 'regrade_diff.csv'}")
    return 0


def _datetime(text: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {text!r} (e.g. 2026-02-04T23:00-05:00)") from None


def _cmd_check(args: argparse.Namespace) -> int:
    from autograder.assignment import load_assignment
    from autograder.errors import UsageError
    from autograder.grading import grade
    from autograder.report.text import check_report

    assignment = load_assignment(args.assignment)
    if not args.submission.exists():
        raise UsageError(f"submission not found: {args.submission} (expected .py, .ipynb or .zip)")
    with _sandbox(args, assignment) as box:
        results = grade(assignment, args.submission, sandbox=box, public_only=True)
    print(check_report(results))
    return 0 if all(c.passed for c in results.checks) and results.status == "graded" else 1


def _cmd_validate(args: argparse.Namespace) -> int:
    from autograder.assignment import list_assignments, load_assignment
    from autograder.report.text import score_table, terminal_safe
    from autograder.validation import validate

    refs = args.assignment or [p.name for p in list_assignments()]
    failures = 0
    for ref in refs:
        assignment = load_assignment(ref)
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
        print()
    print("all scores as documented" if not failures else f"{failures} score(s) differ from the documentation")
    return 0 if not failures else 1


def _cmd_run(args: argparse.Namespace) -> int:
    from autograder.container import run

    return 0 if run(args.root, assignment_id=args.assignment, isolation=args.isolation) is not None else 1


def _cmd_build(args: argparse.Namespace) -> int:
    from autograder.assignment import load_assignment
    from autograder.packaging import build

    path = build(load_assignment(args.assignment), out=args.out)
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

    broken = 0
    for path in list_assignments():
        try:
            a = load_assignment(path)
        except ConfigError as e:
            broken += 1
            print(f"{path.name:28s} INVALID: {e}")
            continue
        print(f"{a.id:28s} {a.language}  auto {a.auto_points:g} + hand {a.hand_points:g} pts  {a.title}")
    return ConfigError.exit_code if broken else 0


if __name__ == "__main__":
    sys.exit(main())
