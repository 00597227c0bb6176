"""Plain-text reports for a terminal or a notebook cell: a student's check, a TA's table.

What a submission wrote (an exception's message, printed output, a file name) reaches the
terminal through :func:`terminal_safe` only: an escape sequence in it could set the window's
title, clear the screen, hide a line behind a link or rewrite what was printed before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.messages import Message, render
from autograder.results import Results

#: escape sequences, whole: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \\), DCS/SOS/PM/APC
#: strings (ESC P, X, ^, _ ... ESC \\), and the two- or three-character ones (ESC c, ESC ( B...)
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                              r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?")
#: what is left that a terminal acts on: C0 controls but tab and newline, carriage return (it
#: returns to the start of the line, to print over it), DEL, C1 controls (8-bit CSI, OSC...),
#: and the bidirectional overrides that show text in another order than it is
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: halves of a UTF-16 pair alone ("\\ud800" in a student's string): no terminal encoding has them,
#: and print() would raise
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """``text`` without anything a terminal would act on; newlines and tabs are kept.

    >>> terminal_safe("boom\\x1b]0;title\\x07 \\x1b[2Jred\\r\\n")
    'boom red\\n'
    """
    text = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text).replace("\r\n", "\n"))
    return _LONE_SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True)
class CheckSummary:
    """What both views of ``check`` (this text, the notebook's HTML) say after the checks that ran,
    rendered in the assignment's language."""

    #: one line per cause that kept checks from running, with their numbers unless it is all of them
    not_run: tuple[str, ...]
    passed: int
    total: int
    #: "28/32 public checks passed" (and the points, where the checks carry some)
    counts: str
    #: said plainly either way: passing the public checks is not passing the hidden ones
    after: str
    #: the parts graded by hand, once; "" when there are none
    hand: str


def check_summary(results: Results) -> CheckSummary:
    lang = results.language
    not_run: dict[str, list[str]] = {}
    for c in results.checks:
        if c.not_run:
            not_run.setdefault(c.not_run, []).append(c.number)
    groups = []
    for reason, numbers in not_run.items():
        group = (render(Message("not_run_group", {"n": len(numbers), "reason": reason}), lang) if len(numbers) > 1
                 else render(Message("not_run_group_one", {"reason": reason}), lang))
        listed = "" if len(numbers) == len(results.checks) else f" ({', '.join(numbers)})"
        groups.append(group + listed)
    passed = sum(c.passed for c in results.checks)
    max_points = sum(c.max_score for c in results.checks)
    counts = {"passed": passed, "total": len(results.checks)}
    summary = (Message("report_summary", {**counts, "points": f"{results.score:g}", "max_points": f"{max_points:g}"})
               if max_points else Message("report_summary_checks", counts))
    after = Message("report_all_passed" if passed == len(results.checks) else "report_hidden_later")
    hand = [q.id for q in results.questions if q.graded == "hand"]
    return CheckSummary(
        not_run=tuple(groups), passed=passed, total=len(results.checks), counts=render(summary, lang),
        after=render(after, lang),
        hand=render(Message("report_hand_graded", {"parts": ", ".join(hand)}), lang) if hand else "")


def check_report(results: Results) -> str:
    """What ``autograder check`` prints: what kept the submission from loading, first; each
    public check, passed or not, and why; the checks that could not run, one line per cause."""
    lines = [render(Message("report_title", {"title": results.assignment_title}), results.language), ""]
    if results.causes:
        lines += [f"  ! {cause}" for cause in results.causes] + [""]
    for c in results.checks:
        if c.not_run:
            continue
        mark = "✓" if c.passed else "✗"
        # points only where a check carries some: a 0-point form check shows none ("(0/0)")
        points = f" ({c.score:g}/{c.max_score:g})" if c.max_score else ""
        line = f"  {mark} [{c.number}] {c.name}{points}"
        if not c.passed:
            line += "\n      " + c.feedback.replace("\n", "\n      ")  # a hint is a line of its own
        lines.append(line)
    summary = check_summary(results)
    lines += [f"  – {group}" for group in summary.not_run]
    lines += ["", summary.counts, summary.after]
    if summary.hand:
        lines.append(summary.hand)
    lines += [f"  ! {note}" for note in results.notes]
    return terminal_safe("\n".join(lines))


def score_table(all_results: list[Results]) -> str:
    """A compact table: submission, per-question points, total, status."""
    if not all_results:
        return "(no submissions)"
    questions = [q for q in all_results[0].questions if q.graded == "auto"]
    header = ["submission"] + [q.id for q in questions] + ["total", "status"]
    rows = [header]
    for r in all_results:
        scores = {q.id: q.score for q in r.questions}
        rows.append([r.submission] + [f"{scores[q.id]:g}" for q in questions]
                    + [f"{r.score:g}/{r.max_score:g}", r.status])
    rows = [[terminal_safe(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
