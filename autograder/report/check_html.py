"""The student's check report as HTML, for a Jupyter cell: what :func:`check_report` prints, with
colour and one block per question.

Same content and order as the text report (:mod:`autograder.report.text`): what kept the
submission from loading, first; then each question's public checks, passed or not, and why; the
checks that could not run, one line per cause; the summary and what the public checks do not
tell. Every text is escaped: feedback quotes what the student's code raised or printed.
"""

from __future__ import annotations

import html

from autograder.messages import Message, render
from autograder.report.text import check_summary, terminal_safe
from autograder.results import CheckResult, Results

_GREEN, _RED, _GREY, _AMBER = "#1a7f37", "#b42318", "#6b7280", "#b54708"
_BLOCK = "border-left:4px solid {colour};padding:4px 10px;margin:6px 0;background:{background}"
_BACKGROUND = {_GREEN: "#f0faf3", _RED: "#fdf1f0", _GREY: "#f5f5f5"}


def _e(text: object) -> str:
    # terminal_safe first: what a terminal would act on is noise in a page too, and a lone
    # surrogate in a student's string could not be encoded into the cell's output
    return html.escape(terminal_safe(str(text)), quote=True)


def check_report_html(results: Results) -> str:
    """The report of ``check()`` in a notebook: a self-contained ``<div>``, inline styles only.

    >>> check_report_html(results).startswith('<div class="autograder-check"')
    True
    """
    lang = results.language
    # the text colour is set: a dark notebook theme would otherwise write white on the light blocks
    parts = [f'<div class="autograder-check" lang="{_e(lang)}" '
             'style="font-family:sans-serif;line-height:1.4;color:#1f2328">',
             f'<div style="font-weight:bold;font-size:1.1em;margin-bottom:4px">'
             f'{_e(render(Message("report_title", {"title": results.assignment_title}), lang))}</div>']
    for cause in results.causes:
        parts.append(f'<div style="{_BLOCK.format(colour=_RED, background=_BACKGROUND[_RED])};font-weight:bold">'
                     f'{_e(cause)}</div>')
    titles = {q.id: q.title for q in results.questions}
    by_question: dict[str, list[CheckResult]] = {}
    for c in results.checks:
        if not c.not_run:
            by_question.setdefault(c.question, []).append(c)
    for question, checks in by_question.items():
        parts.append(_question_block(question, titles.get(question, ""), checks))
    summary = check_summary(results)
    if summary.not_run:
        # one line per cause, as in the text report: not a block per question that could not run
        parts.append(f'<div style="{_BLOCK.format(colour=_GREY, background=_BACKGROUND[_GREY])};color:{_GREY}">'
                     + "".join(f"<div>– {_e(group)}</div>" for group in summary.not_run) + "</div>")
    colour = _GREEN if summary.passed == summary.total else _RED
    parts.append(f'<div style="margin-top:8px;font-weight:bold;color:{colour}">{_e(summary.counts)}</div>')
    parts.append(f"<div>{_e(summary.after)}</div>")
    if summary.hand:
        parts.append(f'<div style="color:{_GREY}">{_e(summary.hand)}</div>')
    for note in results.notes:
        parts.append(f'<div style="color:{_AMBER}">! {_e(note)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _question_block(question: str, title: str, checks: list[CheckResult]) -> str:
    """One question: its heading with how many of its checks passed, then each check."""
    passed = sum(c.passed for c in checks)
    colour = _GREEN if passed == len(checks) else _RED
    heading = _e(question) + (f" — {_e(title)}" if title and title != question else "")
    rows = [f'<div class="question" style="{_BLOCK.format(colour=colour, background=_BACKGROUND[colour])}">',
            f'<div><b>{heading}</b> <span style="color:{colour}">{passed}/{len(checks)}</span></div>',
            '<ul style="list-style:none;margin:2px 0;padding-left:6px">']
    for c in checks:
        mark = f'<span style="color:{_GREEN}">✓</span>' if c.passed else f'<span style="color:{_RED}">✗</span>'
        # points only where a check carries some, as in the text report
        points = f" ({c.score:g}/{c.max_score:g})" if c.max_score else ""
        row = f"<li>{mark} [{_e(c.number)}] {_e(c.name)}{points}"
        if not c.passed and c.feedback:
            row += (f'<div style="white-space:pre-wrap;font-family:monospace;font-size:0.9em;margin-left:1.4em">'
                    f"{_e(c.feedback)}</div>")
        rows.append(row + "</li>")
    rows += ["</ul>", "</div>"]
    return "\n".join(rows)
