"""Inside Gradescope's container: grade ``/autograder/submission`` into ``results/results.json``.

``run_autograder`` (one line, written by :mod:`autograder.packaging`) calls
``autograder run``, which calls :func:`run`. Whatever happens — a broken submission, a
hostile one, a bug of ours — a valid results.json is written before this returns: Gradescope
shows "The autograder failed to execute correctly" for anything less.

Layout (``--root`` points elsewhere in tests)::

    ROOT/source/assignments/<id>/   the assignment, hidden checks included (root-only files)
    ROOT/source/solutions/<id>/     the reference solution
    ROOT/submission/                the student's files
    ROOT/submission_metadata.json   Gradescope's metadata (optional)
    ROOT/results/results.json       what we write
"""

from __future__ import annotations

import json
import os
import time
import traceback
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from autograder.assignment import Assignment, load_assignment
from autograder.errors import AutograderError, UsageError
from autograder.grading import grade, sandbox_for
from autograder.report.gradescope import write_gradescope_json, write_json_atomic
from autograder.results import Results

DEFAULT_ROOT = Path("/autograder")


def run(root: Path = DEFAULT_ROOT, *, assignment_id: str | None = None, isolation: str = "auto") -> Results | None:
    """Grade the submission under ``root`` and write ``root/results/results.json``."""
    started = time.monotonic()
    results_path = root / "results" / "results.json"
    try:
        assignment = _find_assignment(root, assignment_id)
        metadata = read_metadata(root / "submission_metadata.json")
        submission_dir = root / "submission"
        if not submission_dir.is_dir():
            raise UsageError(f"no submission folder at {submission_dir}")
        with sandbox_for(assignment, isolation=isolation) as box:
            results = grade(assignment, submission_dir, sandbox=box, key=str(metadata.get("id", "submission")))
        results = replace(results, late=metadata.get("late", False), metadata={**results.metadata, **metadata},
                          execution_time=round(time.monotonic() - started, 3))
        write_gradescope_json(results, results_path)
        print(f"graded {results.submission}: {results.score:g}/{results.max_score:g} ({results.status}); "
              f"isolation: {results.isolation}")
        return results
    except Exception as e:  # noqa: BLE001 - the student must get a results.json whatever went wrong
        write_json_atomic(_failure_json(e, time.monotonic() - started), results_path)
        traceback.print_exc()
        if isinstance(e, AutograderError):
            raise
        return None


def _find_assignment(root: Path, assignment_id: str | None) -> Assignment:
    folder = root / "source" / "assignments"
    if assignment_id:
        return load_assignment(folder / assignment_id)
    candidates = sorted(p for p in folder.glob("*") if (p / "assignment.yaml").exists()) if folder.is_dir() else []
    if len(candidates) != 1:
        raise UsageError(f"expected exactly one assignment in {folder}, found {len(candidates)}")
    return load_assignment(candidates[0])


def read_metadata(path: Path) -> dict:
    """The parts of submission_metadata.json we use: id, times, users, lateness."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    assignment = raw.get("assignment") or {}
    created = _parse_time(raw.get("created_at"))
    due = _parse_time(assignment.get("due_date"))
    late_due = _parse_time(assignment.get("late_due_date"))
    meta = {
        "id": raw.get("id"),
        "created_at": raw.get("created_at"),
        "due_date": assignment.get("due_date"),
        "late_due_date": assignment.get("late_due_date"),
        "users": [{k: u.get(k) for k in ("name", "email", "id")} for u in raw.get("users") or []],
        "after_due_date": bool(created and due and created > due),
        # graded all the same, and flagged: a TA decides what lateness costs
        "late": bool(created and late_due and created > late_due),
    }
    return {k: v for k, v in meta.items() if v is not None}


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _failure_json(error: Exception, elapsed: float) -> dict:
    kind = "configuration" if isinstance(error, AutograderError) else "internal"
    return {
        "score": 0,
        "execution_time": round(elapsed, 3),
        "output": (f"The autograder could not grade this submission ({kind} error: {error}). "
                   "Your instructor has been shown the details; please contact them."),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {"status": f"{kind}_error", "pid": os.getpid()},
    }
