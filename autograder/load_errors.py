"""What kept a submission, or part of it, from loading, and the checks it kept from running.

A file that does not parse, a top level that raises, a notebook cell that raises: the student
reads one line naming it, first (for a notebook, with the cell's number: "cell 7, line 3"),
and the checks that could not run because of it are *not run* rather than each failed with a
misleading "'softmax' is not defined". A check is not run when the first thing it asked failed
on a name the failing code would have defined: the name is missing, or a call of the
student's function raised NameError for it. Where only one cell raised, what the other cells
define is graded as usual. Scores are unchanged: a check not run scores 0, as a failed one.

Which names a piece of code would have defined is read from its text with a line pattern
(``def f``, ``class C``, ``x = ...``, ``a, b = ...``), never by parsing it in the grader: the
code may not parse, and the grader does not parse what a student wrote as Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.messages import Message, python_syntax, render
from autograder.sandbox import Outcome, Request
from autograder.submission import Submission

#: a name bound by a line of code: a definition, or the targets of an assignment ("x =", "x: int =",
#: "a, b ="; not "x == 1" nor "x += 1", which need x defined already)
_DEFINED = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([^\W\d]\w*)"
                      r"|^[ \t]*([^\W\d]\w*(?:[ \t]*,[ \t]*[^\W\d]\w*)*)[ \t]*(?::[^=\n]*)?=(?!=)", re.MULTILINE)
#: the name in Python's NameError message ("name 'softmax' is not defined")
_NAME_ERROR = re.compile(r"name '([^\W\d]\w*)' is not defined")
#: an exception's message is shown up to this many characters
_MESSAGE_CHARS = 300


@dataclass(frozen=True)
class LoadFailure:
    """One piece of the submission that did not run to the end."""

    #: the line a report shows first, rendered ("Syntax error at cell 7, line 3: ...")
    cause: str
    #: why a check it kept from running did not run, rendered ("cell 7 did not run to the end")
    reason: str
    #: the names it would have defined; None: every name (nothing of the file ran)
    names: frozenset[str] | None


def load_failures(outcome: Outcome, submission: Submission, *, language: str, exec_seconds: float) -> list[LoadFailure]:
    """The pieces of ``submission`` that raised or did not parse, in the order they ran.
    ``exec_seconds`` is the time limit of one piece (a top level stopped by it raised our alarm)."""
    notebook = bool(submission.cells) or len(submission.chunks) > 1
    failures = []
    for error in outcome.exec_errors:
        # what the student's process says is re-validated: a chunk index in range, a line number
        chunk = error.get("chunk")
        chunk = chunk if type(chunk) is int and 0 <= chunk < len(submission.chunks) else None
        line = error.get("line") if type(error.get("line")) is int and error.get("line") > 0 else None
        kind = str(error.get("type") or "Exception")[:80]
        message = str(error.get("message") or "").strip()[:_MESSAGE_CHARS]
        if notebook:
            cell = _cell_number(submission, chunk)
            where = (Message("where_cell_line", {"cell": cell, "line": line}) if line is not None
                     else Message("where_cell", {"cell": cell}))
            reason = Message("not_run_cell", {"cell": cell})
        else:
            where = Message("where_line", {"line": line if line is not None else "?"})
            reason = (Message("not_run_did_not_load") if kind == "SyntaxError"
                      else Message("not_run_stopped", {"line": line if line is not None else "?"}))
        if kind == "SyntaxError":
            # Python's own words, in the assignment's language
            cause = Message("cause_syntax_cell" if notebook else "cause_syntax",
                            {"where": where, "message": python_syntax(message)})
        elif kind == "_CallTimeout":  # the worker's alarm: the top level (or the cell) ran out of time
            cause = Message("cause_slow", {"where": where, "seconds": f"{exec_seconds:g}"})
        else:
            key = ("cause_raised_cell" if notebook else "cause_raised") + ("" if message else "_bare")
            cause = Message(key, {"where": where, "type": kind, "message": message})
        if not notebook and kind == "SyntaxError":
            names = None  # nothing of the file ran
        else:
            names = defined_names(submission.chunks[chunk]) if chunk is not None else frozenset()
        failures.append(LoadFailure(cause=render(cause, language), reason=render(reason, language), names=names))
    return failures


def not_run_reason(reqs: list, outcome: Outcome, failures: list[LoadFailure]) -> str:
    """Why the check asking ``reqs`` could not run (a :attr:`LoadFailure.reason`), or "" when it
    ran. Only its first request is looked at: that is where the check failed when it failed for a
    missing name (every case asks the same name)."""
    if not failures or not reqs or type(reqs[0]) is not Request:
        return ""
    answer = outcome.answers.get(reqs[0].id)
    if answer is None:
        return ""
    if answer.error_type == "missing":
        name = reqs[0].name
    elif answer.error_type == "NameError":
        match = _NAME_ERROR.search(answer.error_message)
        if match is None:
            return ""
        name = match.group(1)
    else:
        return ""
    for failure in failures:
        if failure.names is None or name in failure.names:
            return failure.reason
    return ""


def defined_names(source: str) -> frozenset[str]:
    """The names ``source`` binds by a definition or an assignment, at any indentation (a name
    bound in a function's body is counted too: at worst a missing answer is said not run).

    >>> sorted(defined_names("def f(x):\\n    return x\\nA, B = 1, 2\\nC: int = 3\\nD == 4"))
    ['A', 'B', 'C', 'f']
    """
    names = set()
    for match in _DEFINED.finditer(source):
        if match.group(1):
            names.add(match.group(1))
        else:
            names.update(part.strip() for part in match.group(2).split(","))
    return frozenset(names)


def _cell_number(submission: Submission, chunk: int | None) -> int | str:
    if chunk is None:
        return "?"
    if chunk < len(submission.cells):
        return submission.cells[chunk]
    return chunk + 1  # a notebook's history (check() in a kernel): its cells in the order they ran
