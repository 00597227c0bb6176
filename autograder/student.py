"""What a student calls from a notebook cell: ``from autograder import check; check("q5")``.

It prints the same report as ``autograder check``, in the assignment's language. In Jupyter it
grades the cells the student has run (the kernel's history, so there is no need to save
first); elsewhere, the file given or the starter's file in the current folder. The code still
runs in a separate process: the checks see what a grader would see, not the live objects.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from autograder.assignment import Assignment, load_assignment
from autograder.errors import UsageError
from autograder.grading import grade, sandbox_for
from autograder.report.text import check_report
from autograder.results import Results
from autograder.submission import OWN_CHECK_LINE, Submission, load_submission


def check(question: str | None = None, *, path: str | Path | None = None,
          assignment: str | Path | None = None) -> Results:
    """Run the public checks (of one question, or all) and print the report.

    >>> check("q5")          # in the notebook, after running your answer cells
    """
    found = _find_assignment(assignment)
    submission = _current_submission(found, path)
    with sandbox_for(found) as box:
        results = grade(found, submission, sandbox=box, public_only=True)
    if question:
        # "q3" covers q3, q3.1, q3a, q3-proof; not q30
        pattern = re.compile(re.escape(question.lower()) + r"($|[^0-9])")
        kept = tuple(c for c in results.checks if pattern.match(c.question.lower()))
        if not kept:
            known = sorted({c.question for c in results.checks})
            raise UsageError(f"no public check for {question!r} (questions with checks: {', '.join(known)})")
        from dataclasses import replace

        results = replace(results, checks=kept)
    print(check_report(results))
    return results


def _find_assignment(ref: str | Path | None) -> Assignment:
    ref = ref or os.environ.get("AUTOGRADER_ASSIGNMENT")
    if ref:
        return load_assignment(ref)
    # the student bundle: <bundle>/assignment/assignment.yaml beside the starter
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "assignment" / "assignment.yaml").exists():
            return load_assignment(folder / "assignment")
    raise UsageError("cannot find the assignment: run from the unzipped bundle, or pass check(..., assignment=...)")


def _current_submission(assignment: Assignment, path: str | Path | None) -> Submission | Path:
    if path is not None:
        return Path(path)
    cells = _notebook_history()
    if cells is not None:
        return Submission(key="notebook", files={assignment.starter: "\n\n".join(cells)},
                          main=assignment.starter, chunks=tuple(cells))
    for name in (assignment.starter, Path(assignment.starter).with_suffix(".ipynb").name):
        if Path(name).exists():
            return Path(name)
    raise UsageError(f"no {assignment.starter} here: pass check(path='your_file.py')")


#: lines of the history that are magics, shell escapes or IPython's rewriting of them
_IPYTHON = re.compile(r"^\s*(get_ipython\(|[%!])")


def _notebook_history() -> list[str] | None:
    """The cells this kernel has run, in order, without the ones that call check()."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or "In" not in shell.user_ns:
        return None
    cells = []
    for source in shell.user_ns["In"][1:]:
        kept = [line for line in source.splitlines() if not (OWN_CHECK_LINE.match(line) or _IPYTHON.match(line))]
        if any(line.strip() for line in kept):
            cells.append("\n".join(kept))
    return cells
