"""What a student calls from a notebook cell: ``from autograder import check; check("q5")``.

It shows the same report as ``autograder check``, in the assignment's language: as HTML in
Jupyter (colour, one block per question), as text in a terminal or a script. In Jupyter it
grades the cells the student has run (the kernel's history, so there is no need to save
first); elsewhere, the file given or the starter's file in the current folder. The code still
runs in a separate process: the checks see what a grader would see, not the live objects.

From the unzipped bundle, the assignment is its ``assignment/`` folder, found from the current
folder (or the submission's) upwards; ``autograder check hw1.py`` finds it the same way.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from pathlib import Path

from autograder.assignment import Assignment, load_assignment
from autograder.errors import AutograderError, UsageError
from autograder.grading import grade, sandbox_for
from autograder.messages import Message, render
from autograder.report.text import check_report
from autograder.results import Results
from autograder.submission import OWN_CHECK_LINE, Submission

#: the bundle's folder holding the assignment's config and public checks, beside the starters
BUNDLE_ASSIGNMENT = "assignment"


def check(question: str | None = None, *, path: str | Path | None = None,
          assignment: str | Path | None = None) -> None:
    """Run the public checks (of one question, or all) and show the report.

    Returns nothing, so that a notebook shows the report and no value after it
    (:func:`public_results` gives the :class:`Results`). A mistake in the call (a question
    with no public check, no assignment found) is one line, not a traceback.

    >>> check("q5")          # in the notebook, after running your answer cells
    """
    try:
        results = public_results(question, path=path, assignment=assignment)
    except AutograderError as e:
        # check() is the notebook's command line: like cli.main, one line and no traceback
        print(f"{e}", file=sys.stderr)
        return None
    _show(results)
    return None


def public_results(question: str | None = None, *, path: str | Path | None = None,
                   assignment: str | Path | None = None) -> Results:
    """The results of the public checks (of ``question``, or all) on the student's work, without
    showing them; raises UsageError for a question that has no public check."""
    found = load_check_assignment(assignment)
    pattern = None
    if question:
        # "q3" covers q3, q3.1, q3a, q3-proof; not q30
        pattern = re.compile(re.escape(str(question).lower()) + r"($|[^0-9])")
        known = list(dict.fromkeys(c.question for c in found.public_checks))
        if not any(pattern.match(q.lower()) for q in known):
            # said before grading, in the assignment's language: the student mistyped an id
            raise UsageError(render(Message("check_unknown_question", {"question": repr(question),
                                                                       "known": ", ".join(known)}),
                                    found.language))
    submission = _current_submission(found, path)
    with sandbox_for(found) as box:
        results = grade(found, submission, sandbox=box, public_only=True)
    if pattern is not None:
        results = replace(results, checks=tuple(c for c in results.checks if pattern.match(c.question.lower())))
    return results


def load_check_assignment(ref: str | Path | None = None, *, near: Path | None = None) -> Assignment:
    """The assignment ``ref`` names; without one, ``$AUTOGRADER_ASSIGNMENT``, else the bundle's
    ``assignment/`` folder in the current folder (or ``near``'s), or one of their parents."""
    ref = ref or os.environ.get("AUTOGRADER_ASSIGNMENT")
    if ref:
        return load_assignment(ref)
    starts = [Path.cwd()] + ([Path(near).resolve().parent] if near is not None else [])
    for start in starts:
        for folder in (start, *start.parents):
            if (folder / BUNDLE_ASSIGNMENT / "assignment.yaml").is_file():
                return load_assignment(folder / BUNDLE_ASSIGNMENT)
    raise UsageError("cannot find the assignment: run from the unzipped bundle's folder (it has assignment/), "
                     "or name the assignment")


def _show(results: Results) -> None:
    """HTML and text in IPython (Jupyter shows the HTML, a terminal IPython the text); text elsewhere."""
    text = check_report(results)
    if _ipython() is None:
        print(text)
        return
    from IPython.display import display

    from autograder.report.check_html import check_report_html

    display({"text/plain": text, "text/html": check_report_html(results)}, raw=True)


def _ipython():
    """The running IPython shell, or None (plain Python, or IPython not installed)."""
    if "IPython" not in sys.modules:  # a shell, if any, has imported it already: no import to pay
        return None
    from IPython import get_ipython

    return get_ipython()


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
    shell = _ipython()
    if shell is None or "In" not in shell.user_ns:
        return None
    cells = []
    for source in shell.user_ns["In"][1:]:
        kept = [line for line in source.splitlines() if not (OWN_CHECK_LINE.match(line) or _IPYTHON.match(line))]
        if any(line.strip() for line in kept):
            cells.append("\n".join(kept))
    return cells
