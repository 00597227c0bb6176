"""The class report's sections on why questions were hard: the wrong answers the class gave,
the shared unusual answers, and every student in a sortable table.

Drawn from :func:`autograder.report.summary.class_summary` (see
:mod:`autograder.report.analysis`). Every piece of text goes through :func:`html.escape`: a
preview quotes what a student answered, a name is what a student typed. The table is sorted
by the page's one script, :data:`SORT_SCRIPT`: a few lines, inline, allowed by its hash in
the page's Content-Security-Policy (no other script can run), that only moves rows.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from autograder.report.html import STATUS_COLOURS, _clip, _n, _pct

#: checks whose wrong answers are shown open; the others are one click away (<details>)
OPEN_CHECKS = 8

#: sorts a table.sortable by the column whose title button is clicked: by each cell's data-v
#: (a number, or empty: always last) when it has one, else by its text; again: the other way
SORT_SCRIPT = """
for (const table of document.querySelectorAll("table.sortable")) {
  const heads = Array.from(table.tHead.rows[0].cells);
  heads.forEach((th, col) => {
    const button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", () => {
      const up = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      const key = (row) => {
        const cell = row.cells[col];
        if (cell.dataset.v === undefined) return cell.textContent.trim().toLowerCase();
        return cell.dataset.v === "" ? null : Number(cell.dataset.v);
      };
      const body = table.tBodies[0];
      const rows = Array.from(body.rows).map((row) => [key(row), row]);
      rows.sort(([a], [b]) => {
        if (a === null || b === null) return (a === null) - (b === null);
        const order = typeof a === "number" ? a - b : a.localeCompare(b);
        return up ? order : -order;
      });
      body.append(...rows.map(([, row]) => row));
    });
  });
}
"""


def script_source() -> str:
    """The ``script-src`` of the page's policy: :data:`SORT_SCRIPT`, by its hash, and nothing else."""
    digest = hashlib.sha256(SORT_SCRIPT.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


# --- what the class got wrong ------------------------------------------------------------------

def wrong_answers_section(summary: dict, t: dict, lang: str) -> str:
    checks = summary["wrong_answers"]
    if not checks:
        return f"<p>{escape(t['no_wrong_answers'])}</p>"
    parts = [f"<p class=note>{escape(t['answers_intro'].format(n=summary['failures_over']))}</p>"]
    for index, check in enumerate(checks):
        hidden = f" <span class=tag>{escape(t['hidden'])}</span>" if check["hidden"] else ""
        failed = t["failed_by"].format(count=check["failed"], n=check["ran"],
                                       share=_pct(check["failed"] / check["ran"], lang))
        failed += " · " + (t["distinct_one"] if check["distinct"] == 1 else
                           t["distinct_many"].format(n=check["distinct"]))
        if check["on_generated"] and summary["variants"] > 1:
            failed += " · " + t["generated_note"].format(n=check["on_generated"], variants=summary["variants"])
        rows = [_answer_row(a, t, lang) for a in check["answers"]]
        rest = []
        if check["other"]:
            rest.append(t["other_answers"].format(n=check["other"]))
        if check["no_answer"]:
            rest.append(t["no_answer_count"].format(n=check["no_answer"]))
        if rest:
            rows.append(f"<tr><td colspan=3 class=small>{escape(' · '.join(rest))}</td></tr>")
        head = "".join(f"<th>{escape(h)}</th>" for h in (t["answer"], t["answer_count"], t["share"]))
        parts.append(
            f"<details class=answers{' open' if index < OPEN_CHECKS else ''}><summary>"
            f"<code>{escape(check['number'])}</code> {escape(check['name'])}{hidden} "
            f"<span class=small>· {escape(failed)} · <code>{escape(check['id'])}</code></span></summary>"
            f"<table class=answers><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></details>")
    return "\n".join(parts)


def _answer_row(answer: dict, t: dict, lang: str) -> str:
    if answer["error"]:
        shown = f"<span class=tag>{escape(t['error_answer'])}</span> {escape(answer['preview'])}"
    else:
        shown = f"<code class=answer>{escape(answer['preview'])}</code>"
    notes = []
    if answer["asked"]:
        notes.append(f"<code>{escape(answer['asked'])}</code>")
    if answer["generated"]:
        notes.append(escape(t["generated_input"]))
    if answer.get("hint"):
        notes.append(f"<span class=hint>{escape(t['hint'].format(hint=answer['hint']))}</span>")
    small = f"<div class=small>{' · '.join(notes)}</div>" if notes else ""
    share = answer["share"] or 0.0
    bar = f"<span class=bar><span style=\"width:{share * 100:.1f}%;background:#cc6677\"></span></span>"
    return (f"<tr><td class=msg>{shown}{small}</td><td class=num>{answer['count']}</td>"
            f"<td class=num>{_pct(share, lang)} {bar}</td></tr>")


# --- shared unusual answers --------------------------------------------------------------------

def shared_answers_section(summary: dict, t: dict, lang: str) -> str:
    shared = summary["shared_unusual_answers"]
    intro = t["shared_intro"].format(rare=shared["rare"], n=shared["population"], min=shared["min_shared"])
    parts = [f"<p class=caution>{escape(intro)}</p>"]
    if not shared["groups"]:
        parts.append(f"<p>{escape(t['shared_none'].format(min=shared['min_shared']))}</p>")
        return "\n".join(parts)
    rows = []
    for group in shared["groups"]:
        who = "".join(
            f"<div><code>{escape(sub)}</code> {escape(', '.join(names))}</div>"
            for sub, names in zip(group["submissions"], group["names"]))
        answers = "".join(
            f"<li><code>{escape(a['number'])}</code> {escape(_clip(a['name'], 90))}"
            f"{' <span class=tag>' + escape(t['hidden']) + '</span>' if a['hidden'] else ''}: "
            f"<code class=answer>{escape(a['preview'])}</code>"
            f"{' <span class=small>(' + escape(a['asked']) + ')</span>' if a['asked'] else ''} "
            f"<span class=small>{escape(t['given_by'].format(count=a['count'], n=shared['population']))}</span></li>"
            for a in group["answers"])
        rows.append(f"<tr><td>{who}</td><td class=num>{_n(group['score'], lang)}</td>"
                    f"<td><ul class=evidence>{answers}</ul></td></tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in (t["group"], t["score"], t["shared_answers"]))
    parts.append(f"<table class=shared><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    if shared["more"]:
        parts.append(f"<p class=small>{escape(t['shared_more'].format(n=shared['more']))}</p>")
    return "\n".join(parts)


# --- every student, sortable -------------------------------------------------------------------

def students_table(summary: dict, t: dict, lang: str) -> str:
    questions = summary["questions"]
    titles = [(t["names"], "text"), (t["student_id"], "text"), (t["submission"], "text"), (t["total"], "num")]
    titles += [(q["id"], "num") for q in questions]
    titles += [(t["late"], "num"), (t["status"], "text")]
    head = "".join(f"<th class={kind}><button type=button>{escape(title)}</button></th>" for title, kind in titles)
    points = {q["id"]: q["max_points"] for q in questions}
    rows = []
    for s in summary["students"]:
        cells = [f"<td>{escape(', '.join(s['names']))}</td>", f"<td>{escape(', '.join(s['ids']))}</td>",
                 f"<td><code>{escape(s['submission'])}</code></td>",
                 f"<td class=num data-v=\"{s['total']:g}\"><b>{_n(s['total'], lang)}</b></td>"]
        for qid, score in s["questions"].items():
            full = points.get(qid)
            mark = " full" if full and score >= full - 1e-9 else " zero" if full and score <= 1e-9 else ""
            cells.append(f"<td class=\"num{mark}\" data-v=\"{score:g}\">{_n(score, lang)}</td>")
        late = s["late"]
        cells.append(f"<td data-v=\"{'' if late is None else int(late)}\">"
                     f"{'' if late is None else escape(t['yes'] if late else t['no'])}</td>")
        colour = STATUS_COLOURS.get(s["status"], "#555555")
        cells.append(f"<td><span class=badge style=\"border-color:{colour};color:{colour}\">"
                     f"{escape(t.get('status_' + s['status'], s['status']))}</span></td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (f"<p class=note>{escape(t['students_intro'])}</p><div class=wide>"
            f"<table class=\"students sortable\"><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


CSS = """
details.answers{margin:6px 0;border:1px solid #e3e5e8;border-radius:6px;padding:4px 10px}
details.answers summary{cursor:pointer;padding:4px 0}
details.answers table{margin:4px 0 6px}
table.answers th:nth-child(1){width:70%}
code.answer{white-space:pre-wrap;overflow-wrap:anywhere;background:#fbeff1}
.hint{color:#225588}
.caution{border-left:4px solid #ddaa33;background:#fdf8ec;padding:8px 12px;font-size:14px}
table.shared th:nth-child(1){width:28%}
table.shared th:nth-child(2){width:8%}
ul.evidence{margin:0;padding-left:18px}
.wide{overflow-x:auto}
table.students{font-size:13px}
table.students td,table.students th{padding:4px 6px;white-space:nowrap}
table.students th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
table.students th[aria-sort=ascending] button::after{content:" ▲"}
table.students th[aria-sort=descending] button::after{content:" ▼"}
table.students td.full{background:#e8f3ea}
table.students td.zero{background:#fbeaea}
.flag{color:#b3261e;font-weight:600}
"""
