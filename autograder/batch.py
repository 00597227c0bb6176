"""Grade a class: parallel, resumable, nothing lost.

Each submission's result is written atomically to ``DIR/results/<id>.json`` as soon as it is
graded, with a fingerprint of the assignment that graded it. Run again with the same ``DIR``:
results with the current fingerprint are kept, the missing ones are graded, and results
made by other checks are regraded, with a diff of who gained or lost points where
(``DIR/regrade_diff.csv``). ``force`` regrades everything. The gradebook, summary and class
report are then rebuilt from all the result files, so an interrupted batch loses nothing.

Parallelism is by processes (``jobs``): each has its own sandbox worker, so judging, which is
Python, runs on every core.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import multiprocessing
import os
import signal
import stat
import tempfile
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from autograder import __version__
from autograder.assignment import Assignment
from autograder.errors import UsageError
from autograder.grading import Plans, Verdicts, grade, invalid_results, prepare, sandbox_for
from autograder.handgrades import match_hand_grades, read_hand_grades
from autograder.inputs import SubmissionRef, discover
from autograder.references import References
from autograder.report.analysis import check_rare
from autograder.report.gradescope import RECORD_FORMAT, gradescope_json, read_results_json, write_json_atomic
from autograder.results import Results
from autograder.sandbox import detect_isolation, may_need_torch
from autograder.submission import MAX_FILE_BYTES


@dataclass(frozen=True)
class BatchOutcome:
    results: list[Results]
    graded: int
    reused: int
    #: (submission, question, old, new) for every score a regrade changed
    changes: list[tuple[str, str, float, float]]


def grade_batch(assignment: Assignment, inputs: list[Path], *, out: Path, jobs: int = 1, force: bool = False,
                progress: bool = False, isolation: str = "auto", due: datetime | None = None,
                formats: tuple[str, ...] = (), rare: int | None = None, hand: Path | None = None,
                lms_item: str | None = None) -> BatchOutcome:
    """Grade every submission in ``inputs`` into ``out`` and write the gradebook, summary and report
    (``rare``: see :func:`~autograder.report.summary.class_summary`). ``hand``: a file of hand
    grades merged into the gradebook (:mod:`autograder.handgrades`); ``lms_item``: the grade
    column's name in the LMS files of ``formats`` (:mod:`autograder.report.lms`).

    What would stop the batch after grading (an output folder it cannot write, a library the
    reports need, no solution, a wrong hand grades file) stops it before, in one line.
    """
    _check_formats(formats)
    check_rare(rare)
    out = prepare_output_dir(out)
    _require_libraries(formats)
    if progress and importlib.util.find_spec("rich") is None:
        _warn("no progress bar: rich is not installed (pip install 'dl-autograder[ta]', the TA extras)")
        progress = False
    if any(check.expect == "reference" for check in assignment.checks):
        assignment.require_solution()
    hand_grades = read_hand_grades(hand, assignment) if hand is not None else None
    refs = discover(inputs, starter=assignment.starter, unpack_to=out / "exports", out=out)
    if not refs:
        raise UsageError("no submissions found in the inputs")
    hand_scores = (match_hand_grades(hand_grades, assignment, [(ref.id, ref.metadata) for ref in refs])
                   if hand_grades is not None else None)
    fingerprint = assignment_fingerprint(assignment)
    previous = {ref.id: _read_previous(out, ref.id) for ref in refs}
    todo = [ref for ref in refs if force or previous[ref.id] is None
            or previous[ref.id][1] != fingerprint]
    fresh = _run(assignment, todo, out=out, jobs=jobs, fingerprint=fingerprint, progress=progress,
                 isolation=isolation)
    results = []
    changes = []
    for ref in refs:
        if ref.id in fresh:
            results.append(fresh[ref.id])
            if previous[ref.id] is not None:
                changes += _diff(ref.id, previous[ref.id][0], fresh[ref.id])
        else:
            results.append(previous[ref.id][0])
    # the file's name as given, also for results graded by an older version that did not keep it
    results = [_with_file(r, ref, out) for r, ref in zip(results, refs)]
    results = [_with_lateness(r, due or _config_due(assignment)) for r in results]
    try:
        write_outputs(assignment, results, out=out, changes=changes, formats=formats, rare=rare, hand=hand_scores,
                      lms_item=lms_item)
    finally:
        gc.unfreeze()  # frozen by _run for the batch: what it no longer uses can be collected
    return BatchOutcome(results=results, graded=len(fresh), reused=len(refs) - len(fresh), changes=changes)


def write_outputs(assignment: Assignment, results: list[Results], *, out: Path,
                  changes: list[tuple[str, str, float, float]], formats: tuple[str, ...] = (),
                  rare: int | None = None, hand: dict[str, dict[str, float]] | None = None,
                  lms_item: str | None = None) -> None:
    from autograder.report.gradebook import write_regrade_diff
    from autograder.report.html import write_class_report
    from autograder.report.summary import class_summary, write_summary_json

    _write_gradebooks(results, assignment, out=out, formats=formats, hand=hand, lms_item=lms_item)
    summary = class_summary(results, assignment, rare=rare)
    write_summary_json(results, assignment, out / "summary.json", summary=summary)
    write_class_report(results, assignment, out / "report.html", summary=summary)
    if changes:
        write_regrade_diff(changes, results, out / "regrade_diff.csv")


def rebuild_gradebook(assignment: Assignment, *, out: Path, hand: Path | None = None, due: datetime | None = None,
                      formats: tuple[str, ...] = (), lms_item: str | None = None) -> list[Path]:
    """Write ``out``'s gradebook again from its results, without grading: with the hand grades of
    ``hand``, in ``formats`` (each LMS's import file too). The class is the one of ``out/grades.csv``,
    in its order (every result in ``out/results`` when there is none yet). Returns the files written."""
    out = Path(out)
    if not (out / "results").is_dir():
        raise UsageError(f"no results in {out / 'results'}: grade the class first (autograder grade ... --out {out})")
    _check_formats(formats)
    out = prepare_output_dir(out)
    _require_libraries(formats, report=False)
    hand_grades = read_hand_grades(hand, assignment) if hand is not None else None
    fingerprint = assignment_fingerprint(assignment)
    found = {path.stem: path for path in (out / "results").glob("*.json") if not path.name.startswith(".")}
    order = _class_order(out / "grades.csv")
    if order is None:
        order = sorted(found)
    else:
        left_out = sorted(set(found) - set(order))
        if left_out:
            _warn(f"{len(left_out)} result(s) in {out / 'results'} are not in grades.csv (graded from other "
                  f"inputs, e.g. {left_out[0]}): left out")
    results, stale = [], []
    for submission in order:
        previous = _read_previous(out, submission) if submission in found else None
        if previous is None:
            _warn(f"{submission}: in grades.csv but no readable result in {out / 'results'}: left out "
                  "(autograder grade grades it again)")
            continue
        results.append(_with_lateness(previous[0], due or _config_due(assignment)))
        if previous[1] != fingerprint:
            stale.append(submission)
    if not results:
        raise UsageError(f"no results in {out / 'results'}: grade the class first (autograder grade ... --out {out})")
    if stale:
        _warn(f"{len(stale)} result(s) were graded by other checks than {assignment.id}'s now (e.g. {stale[0]}): "
              "autograder grade with the same --out regrades them")
    hand_scores = (match_hand_grades(hand_grades, assignment, [(r.submission, r.metadata) for r in results])
                   if hand_grades is not None else None)
    return _write_gradebooks(results, assignment, out=out, formats=formats, hand=hand_scores, lms_item=lms_item)


#: what --format may ask for: the gradebook in another format, or an LMS's grade import file
FORMATS = ("parquet", "xlsx", "moodle", "canvas")


def _check_formats(formats: tuple[str, ...]) -> None:
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise UsageError(f"unknown gradebook format {unknown[0]!r} (choose from {', '.join(FORMATS)})")


def _write_gradebooks(results: list[Results], assignment: Assignment, *, out: Path, formats: tuple[str, ...],
                      hand: dict[str, dict[str, float]] | None, lms_item: str | None) -> list[Path]:
    """grades.csv, the same table in ``formats``, and each LMS's import file ``formats`` names."""
    from autograder.report.gradebook import write_gradebook
    from autograder.report.lms import LMS, write_lms_csv

    written = write_gradebook(results, assignment, out / "grades.csv", hand=hand,
                              formats=tuple(f for f in formats if f not in LMS))
    for lms in LMS:
        if lms in formats:
            written.append(write_lms_csv(results, assignment, out / f"{lms}.csv", lms=lms, hand=hand, item=lms_item))
    return written


def prepare_output_dir(out: Path) -> Path:
    """``out`` once a file could be written in it, else one clear UsageError; the folders made to
    try it are removed again (an --out inside an input folder is not to be found as a submission
    of its own)."""
    out = Path(out)
    made = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
        # a folder that exists may still refuse files (permissions, a read-only mount): try one
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is a file, not a folder" if blocker is not None else e.strerror or type(e).__name__
        raise UsageError(f"cannot write to the output folder {out}: {reason} (choose another --out)") from None
    for folder in made:  # deepest first; each is made again by the first file written in it
        folder.rmdir()
    return out


#: what the outputs need beyond the core dependencies: (module, what for, formats that need it)
_LIBRARIES = (("pandas", "grades.csv", None), ("matplotlib", "report.html", None),
              ("openpyxl", "grades.xlsx", "xlsx"), ("pyarrow", "grades.parquet", "parquet"))


def _require_libraries(formats: tuple[str, ...], *, report: bool = True) -> None:
    """One clear line, before anything is graded, for a library the outputs need and the
    environment lacks (the TA extras are optional: a student's machine has no use for them)."""
    for module, purpose, fmt in _LIBRARIES:
        if (fmt is not None and fmt not in formats) or (module == "matplotlib" and not report):
            continue
        if importlib.util.find_spec(module) is None:
            raise UsageError(f"{module} is not installed, and {purpose} needs it: "
                             "pip install 'dl-autograder[ta]' (the TA extras)")


def _class_order(grades_csv: Path) -> list[str] | None:
    """The submission ids of an existing grades.csv, in its order (None when there is none)."""
    import csv

    from autograder.report.gradebook import as_typed

    if not grades_csv.is_file():
        return None
    with grades_csv.open(encoding="utf-8", errors="replace", newline="") as f:
        return [as_typed(row.get("submission_id") or "") for row in csv.DictReader(f)]


def _with_file(results: Results, ref: SubmissionRef, out: Path) -> Results:
    """``results`` with the name of the file or folder graded as the TA gave it ("metadata.file"):
    an id made unique or safe ("alice-2") no longer says which file it was."""
    exports = out / "exports"
    try:
        shown = ref.path.relative_to(exports)  # unpacked from an export zip: the zip's name and folder
    except ValueError:
        shown = ref.path
    return replace(results, metadata={**results.metadata, "file": str(shown)})


def _warn(text: str) -> None:
    import sys

    from autograder.report.text import terminal_safe

    print(f"warning: {terminal_safe(text)}", file=sys.stderr)


def assignment_fingerprint(assignment: Assignment) -> str:
    """What the results depend on: the checks, helpers, config, solution and the grader's version."""
    # with the results' format: results of an older one (no answers kept) are graded again
    digest = hashlib.sha256(f"{__version__}\0{RECORD_FORMAT}".encode())
    files = [assignment.root / "assignment.yaml", *sorted((assignment.root / "checks").glob("*"))]
    files += list(getattr(assignment, "fingerprint_files", ()))  # an otter source's tests/config (autograder/otter)
    if assignment.solution_dir is not None:
        files += sorted(p for p in assignment.solution_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _run(assignment: Assignment, todo: list[SubmissionRef], *, out: Path, jobs: int, fingerprint: str,
         progress: bool, isolation: str) -> dict[str, Results]:
    if not todo:
        return {}
    detect_isolation(isolation)  # a bad mode is one clear error, before any process starts
    done: dict[str, Results] = {}
    bar = _progress_bar(len(todo)) if progress else None
    jobs = max(1, min(jobs, len(todo)))
    worker = _Worker(assignment, isolation, out, fingerprint,
                     slots=1 if jobs == 1 else min(SUBMISSIONS_PER_JOB * jobs, len(todo)))
    try:
        if jobs == 1:
            for ref in todo:
                results = worker.grade(ref)
                done[ref.id] = results
                _advance(bar)
        else:
            # submissions that may import torch go last: the torch server starts (a second of
            # CPU) while the others are graded, instead of every process waiting for it
            may_torch = {ref.id: _may_import_torch(ref) for ref in todo}
            todo = sorted(todo, key=lambda ref: may_torch[ref.id])
            torch = any(may_torch.values()) or any(c.convert == "torch" for c in worker.assignment.checks)
            slots = worker.start_shared(torch=torch, keys=[ref.id for ref in todo if not ref.problem])
            # what is loaded now (torch, if the solution imports it: a million objects) is for
            # the whole batch: out of the collector's sight, a full collection no longer walks
            # it (0.1 s each, several per batch in this process), nor copies each grading
            # process's share of it (a forked process's collection writes to every object)
            gc.freeze()
            ctx = multiprocessing.get_context("fork")
            claimed = ctx.Value("i", 0)  # the next channel to hand out (a counter: no feeder thread to race)
            # forked, not pickled: each process gets the worker, with the servers already running
            with ctx.Pool(slots, initializer=_init_pool, initargs=(worker, claimed, slots)) as pool:
                # the reports' libraries load while the class is graded, not after it
                importer = threading.Thread(target=_import_report_libraries, daemon=True)
                importer.start()
                for results in pool.imap_unordered(_grade_in_pool, todo, chunksize=2):
                    done[results.submission] = results
                    _advance(bar)
                pool.close()
                pool.join()
                importer.join()  # the report forks: no thread may be left holding an import lock
    finally:
        worker.close()
        if bar is not None:
            bar.stop()
    return done


#: submissions graded at once per job (per core): while one's student process sleeps or hangs
#: until its time limit, the other's keeps the core busy
SUBMISSIONS_PER_JOB = 2


class _Worker:
    """One grading process's state: its assignment, references and sandbox."""

    def __init__(self, assignment: Assignment, isolation: str, out: Path, fingerprint: str, *, slots: int = 1) -> None:
        self.assignment = assignment
        self.references = References(self.assignment)
        self.plans = Plans(self.assignment)
        self.verdicts = Verdicts()
        self.sandbox = sandbox_for(self.assignment, isolation=isolation, workers=slots)
        self.isolation = isolation
        self.slots = slots
        self.out = out
        self.fingerprint = fingerprint

    def start_shared(self, *, torch: bool, keys: list[str]) -> int:
        """Start the sandbox servers before the grading processes fork, so that they share
        them (torch is imported once, not once per process), and prepare the draws of the
        submissions ``keys`` (see :func:`~autograder.grading.prepare`). Returns how many processes to
        run: ``slots`` when the servers run jobs side by side, else one per job, each then
        starting a sandbox of its own."""
        self.sandbox.start(torch=torch)  # the torch server goes on starting meanwhile
        if any(check.expect == "reference" for check in self.assignment.checks):
            self.references.load()  # once, shared by the forked processes
        prepare(self.assignment, self.plans, self.references, keys)
        if self.sandbox.concurrent:
            return self.slots
        uids = len(self.sandbox.isolation.uids) or self.slots
        self.sandbox.close()
        self.sandbox = None
        # each process then has a sandbox of its own, and a uid of its own (see claim): no more
        # processes than the uids setup.sh made, or two would share one and could signal each other
        return max(1, min(self.slots // SUBMISSIONS_PER_JOB, uids))

    def claim(self, channel: int, *, slots: int) -> None:
        """In the ``channel``-th grading process forked: use that channel of the shared servers,
        or a sandbox of its own whose student code runs as the ``channel``-th uid of the pool
        (a process started to replace one that died gets a number past ``slots``: a uid of its own
        while the pool has one)."""
        if self.sandbox is not None and channel < slots:
            self.sandbox.keep_only(channel)
        else:
            self.sandbox = sandbox_for(self.assignment, isolation=self.isolation, slot=channel)

    def grade(self, ref: SubmissionRef) -> Results:
        from autograder.errors import SandboxError

        fingerprint = self.fingerprint
        try:
            if ref.problem:
                results = invalid_results(self.assignment, ref.id, ref.problem)
            else:
                results = grade(self.assignment, ref.path, sandbox=self.sandbox, references=self.references,
                                plans=self.plans, key=ref.id, verdicts=self.verdicts)
        except (UsageError, SandboxError):
            raise  # the command's or the machine's, the same for every submission: one clear line ends the batch
        except Exception as e:  # noqa: BLE001 - the last safety net: a bug met on one submission is that
            # submission's result, with its traceback for us, and never the class's gradebook
            import sys
            import traceback

            from autograder.messages import Message, render
            from autograder.report.text import terminal_safe

            print(terminal_safe(f"internal error while grading {ref.id}:\n{traceback.format_exc()}"),
                  file=sys.stderr, flush=True)
            reason = render(Message("internal_error", {"type": type(e).__name__, "message": str(e)}),
                            self.assignment.language)
            # not the student's doing: said as it is, not as "your submission could not be read"
            results = invalid_results(self.assignment, ref.id, reason, cause=reason)
            fingerprint = ""  # graded again by the next run, which may have the bug fixed
        results = _with_file(replace(results, submission=ref.id, metadata={**results.metadata, **ref.metadata}),
                             ref, self.out)
        data = gradescope_json(results, hidden_answers=True)  # the teaching team's copy: every answer
        data["extra_data"]["fingerprint"] = fingerprint
        write_json_atomic(data, self.out / "results" / f"{ref.id}.json", durable=False)
        return results

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()


#: the pool process's worker (a process-wide slot is how multiprocessing initializers hand over state)
_POOL_WORKER: list[_Worker] = []


def _init_pool(worker: _Worker, claimed, slots: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with claimed.get_lock():
        channel = claimed.value
        claimed.value += 1
    worker.claim(channel, slots=slots)
    _POOL_WORKER.append(worker)


def _grade_in_pool(ref: SubmissionRef) -> Results:
    return _POOL_WORKER[0].grade(ref)


def _import_report_libraries() -> None:
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import pandas  # noqa: F401

    from autograder.report.html import warm_up

    warm_up()


def _may_import_torch(ref: SubmissionRef) -> bool:
    """A guess from the raw bytes (the sandbox decides for itself, exactly): it only orders the
    work and says whether to start the torch server. Zips and folders count as maybe."""
    if ref.problem:
        return False
    if ref.path.suffix.lower() == ".zip":
        return True
    try:
        info = ref.path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            # a folder may; a FIFO (a read would block) or a file past the limit is never read here
            return not stat.S_ISREG(info.st_mode)
        return may_need_torch(ref.path.read_bytes())
    except OSError:
        return False  # unreadable: graded as such, without a sandbox


def _read_previous(out: Path, submission_id: str) -> tuple[Results, str] | None:
    path = out / "results" / f"{submission_id}.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return read_results_json(data), str(data.get("extra_data", {}).get("fingerprint", ""))
    except (ValueError, KeyError, TypeError):
        return None  # a file we did not write, or from an older format: grade again


def _diff(submission: str, old: Results, new: Results) -> list[tuple[str, str, float, float]]:
    before = {q.id: q.score for q in old.questions if q.score is not None}
    return [(submission, q.id, before.get(q.id, 0.0), q.score) for q in new.questions
            if q.score is not None and abs(before.get(q.id, 0.0) - q.score) > 1e-9]


def _config_due(assignment: Assignment) -> datetime | None:
    value = assignment.settings.get("due_date")
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)) if value else None


def _with_lateness(results: Results, due: datetime | None) -> Results:
    created = results.metadata.get("created_at")
    if due is None or not created:
        return results
    try:
        when = datetime.fromisoformat(str(created))
    except ValueError:
        return results
    if (when.tzinfo is None) != (due.tzinfo is None):
        when, due = when.replace(tzinfo=None), due.replace(tzinfo=None)
    hours = max(0.0, (when - due).total_seconds() / 3600)
    return replace(results, late=hours > 0, metadata={**results.metadata, "hours_late": round(hours, 2)})


def _progress_bar(total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
    from rich.text import Text

    class RateAndEta(ProgressColumn):
        def render(self, task) -> Text:
            return Text(_rate_text(task.completed, task.total, task.elapsed))

    bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), RateAndEta(), transient=False)
    bar.start()
    bar.add_task("grading", total=total)
    return bar


#: how long the bar waits before it shows a rate: results arrive in bursts (two per job), and a
#: burst of two in a millisecond is not 2000 submissions a second
RATE_AFTER_SECONDS = 2.0


def _rate_text(completed: float, total: float | None, elapsed: float | None) -> str:
    """"2.5/s  ETA 0:00:36": the average since the batch started (never the rate of the last
    burst), or dashes until there is one to speak of.

    >>> _rate_text(2, 30, 0.0004), _rate_text(10, 100, 4.0)
    ('-/s  ETA -:--:--', '2.5/s  ETA 0:00:36')
    """
    if not completed or elapsed is None or elapsed < RATE_AFTER_SECONDS:
        return "-/s  ETA -:--:--"
    rate = completed / elapsed
    left = max(0.0, (total or completed) - completed) / rate
    minutes, seconds = divmod(int(round(left)), 60)
    return f"{rate:.1f}/s  ETA {minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def _advance(bar) -> None:
    if bar is not None:
        bar.advance(bar.task_ids[0])


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
