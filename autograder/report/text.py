"""Plain-text reports for a terminal or a notebook cell: a student's check, a TA's table."""

from __future__ import annotations

from autograder.messages import Message, render
from autograder.results import Results


def check_report(results: Results) -> str:
    """What ``autograder check`` prints: each public check, passed or not, and why."""
    lang = results.language
    lines = [render(Message("report_title", {"title": results.assignment_title}), lang), ""]
    for c in results.checks:
        mark = "✓" if c.passed else "✗"
        line = f"  {mark} [{c.number}] {c.name} ({c.score:g}/{c.max_score:g})"
        if not c.passed:
            line += f"\n      {c.feedback}"
        lines.append(line)
    passed = sum(c.passed for c in results.checks)
    lines += ["", render(Message("report_summary", {"passed": passed, "total": len(results.checks),
                                                    "points": f"{results.score:g}",
                                                    "max_points": f"{sum(c.max_score for c in results.checks):g}"}), lang)]
    if passed == len(results.checks):
        lines.append(render(Message("report_all_passed"), lang))
    hand = [q.id for q in results.questions if q.graded == "hand"]
    if hand:
        lines.append(render(Message("report_hand_graded", {"parts": ", ".join(hand)}), lang))
    for note in results.notes:
        lines.append(f"  ! {note}")
    return "\n".join(lines)


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
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
