"""``report.html``: one self-contained page about the whole class, for the teaching team.

One file, nothing to fetch: the CSS is inline, the plots are PNG data URIs, and a
Content-Security-Policy forbids loading anything else and running any script but the page's
own, a few lines that sort the students' table (allowed by its hash:
:mod:`autograder.report.html_analysis`). Every piece of text that comes from a student (names,
notes, feedback and answers, which can quote their code) goes through :func:`html.escape`. The
numbers come from :func:`autograder.report.summary.class_summary`.
"""

from __future__ import annotations

import base64
import concurrent.futures
import io
import multiprocessing
import os
import re
import tempfile
import textwrap
from datetime import datetime
from functools import lru_cache
from html import escape
from pathlib import Path

from autograder.assignment import Assignment
from autograder.messages import CATALOGUES
from autograder.report.analysis import names
from autograder.report.summary import PROBLEM_STATUSES, STATUSES, class_summary
from autograder.results import Results

# ---------------------------------------------------------------------------------------------
# The report's own labels. messages.py is the students' catalogue; these are for the teaching
# team and live here. Same keys in every language (tests/test_report.py checks it).
# ---------------------------------------------------------------------------------------------
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "report": "Class report",
        "generated": "generated {when}",
        "submissions": "Submissions",
        "mean": "Mean",
        "median": "Median",
        "range": "Min – max",
        "std": "Std. deviation",
        "late": "Late",
        "out_of": "out of {max}",
        "hand_note": "Auto-graded points only: questions graded by hand ({points} points: {parts}) are not included.",
        "status_graded": "graded",
        "status_error": "error",
        "status_timeout": "timed out",
        "status_crashed": "crashed",
        "status_invalid": "invalid",
        "scores_title": "Distribution of auto-graded scores",
        "scores_x": "Auto-graded score (out of {max})",
        "scores_y": "Submissions",
        "mean_line": "mean {value}",
        "median_line": "median {value}",
        "questions_title": "Success rate per question, hardest first",
        "questions_x": "Mean score as % of the question's points",
        "questions_table": "Questions",
        "question": "Question",
        "points": "Points",
        "full_marks": "Full marks",
        "failures_title": "Most common failures",
        "check": "Check",
        "count": "Submissions failing",
        "message": "Most common message",
        "times": "{n} of {count} with this message",
        "hidden": "hidden",
        "no_failures": "No check failed.",
        "problems_title": "Submissions to look at: errors, crashes, timeouts, invalid files",
        "submission": "Submission",
        "names": "Names",
        "status": "Status",
        "note": "First note",
        "no_problems": "Every submission ran to the end.",
        "no_submissions": "No submissions.",
        "late_unknown": "unknown: no due date or no submission times",
        "discrimination": "Discrimination",
        "discrimination_note": ("Discrimination: the correlation between a question's score and the rest of the "
                                "auto-graded total, over the {n} submissions that ran to the end. Below {threshold} "
                                "(flagged), the question separates strong from weak submissions poorly: its wording "
                                "or its checks may deserve a look."),
        "poor": "low",
        "reason_too_few": "fewer than 3 submissions",
        "reason_same_score": "every submission has the same score",
        "reason_rest_same": "the rest of the total does not vary",
        "failures_note": ("Counted over the {n} submissions whose checks ran (where a cell raised, the checks "
                          "that could still run); the {others} others (nothing ran: a file that did not load, "
                          "crashes, timeouts, unreadable files) are listed apart, below."),
        "answers_title": "What the class got wrong",
        "answers_intro": ("For each check, the wrong answers of the {n} submissions whose checks ran, the most "
                          "frequent first. Numbers are rounded, arrays shown by shape and first values, formulas "
                          "as typed."),
        "answer": "Answer",
        "answer_count": "Submissions",
        "share": "Share",
        "failed_by": "failed by {count} of {n} ({share})",
        "distinct_one": "one answer",
        "distinct_many": "{n} distinct answers",
        "generated_note": ("{n} on generated inputs, which differ between the {variants} sets of draws: "
                           "one mistake gives one answer per set"),
        "error_answer": "error",
        "generated_input": "on a generated input (it differs between sets of draws)",
        "hint": "hint: {hint}",
        "other_answers": "{n} other wrong answers",
        "no_answer_count": "{n} without an answer (the run ended first)",
        "no_wrong_answers": "No wrong answer was recorded.",
        "shared_title": "Shared unusual answers: worth a look, not evidence of copying",
        "shared_intro": ("Submissions that gave the same wrong answers, answers that at most {rare} of the {n} "
                         "submissions that ran gave, at least {min} of them in common. The same unusual answers "
                         "also come from allowed collaboration, a shared wrong source or chance: this list only says "
                         "where a person might look, never that anyone copied. Score: the sum, over the shared "
                         "answers, of −ln(share of the class that gave it); the rarer the answers and the more of "
                         "them, the higher."),
        "shared_none": "No submissions share {min} or more unusual wrong answers.",
        "shared_more": "{n} more groups, with lower scores, are not listed.",
        "group": "Submissions",
        "score": "Score",
        "shared_answers": "Unusual answers in common",
        "given_by": "given by {count} of {n}",
        "students_title": "Every submission",
        "students_intro": "Click a column's title to sort by it; again for the other way.",
        "student_id": "Student ID",
        "total": "Total",
        "yes": "yes",
        "no": "no",
    },
    "fr": {
        "report": "Rapport de classe",
        "generated": "produit le {when}",
        "submissions": "Remises",
        "mean": "Moyenne",
        "median": "Médiane",
        "range": "Min – max",
        "std": "Écart type",
        "late": "En retard",
        "out_of": "sur {max}",
        "hand_note": ("Points automatiques seulement : les questions corrigées à la main "
                      "({points} points : {parts}) ne sont pas incluses."),
        "status_graded": "corrigée",
        "status_error": "erreur",
        "status_timeout": "délai dépassé",
        "status_crashed": "plantée",
        "status_invalid": "invalide",
        "scores_title": "Répartition des notes automatiques",
        "scores_x": "Note automatique (sur {max})",
        "scores_y": "Remises",
        "mean_line": "moyenne {value}",
        "median_line": "médiane {value}",
        "questions_title": "Taux de réussite par question, les plus difficiles d'abord",
        "questions_x": "Note moyenne en % des points de la question",
        "questions_table": "Questions",
        "question": "Question",
        "points": "Points",
        "full_marks": "Note parfaite",
        "failures_title": "Échecs les plus fréquents",
        "check": "Vérification",
        "count": "Remises en échec",
        "message": "Message le plus fréquent",
        "times": "{n} sur {count} avec ce message",
        "hidden": "cachée",
        "no_failures": "Aucune vérification n'a échoué.",
        "problems_title": "Remises à examiner : erreurs, plantages, délais dépassés, fichiers invalides",
        "submission": "Remise",
        "names": "Noms",
        "status": "Statut",
        "note": "Première note",
        "no_problems": "Toutes les remises ont été exécutées jusqu'au bout.",
        "no_submissions": "Aucune remise.",
        "late_unknown": "inconnu : pas de date limite ou pas d'heures de remise",
        "discrimination": "Discrimination",
        "discrimination_note": ("Discrimination : la corrélation entre la note d'une question et le reste de la note "
                                "automatique, sur les {n} remises exécutées jusqu'au bout. Sous {threshold} "
                                "(signalée), la question distingue mal les remises fortes des faibles : son énoncé "
                                "ou ses vérifications méritent peut-être un coup d'œil."),
        "poor": "faible",
        "reason_too_few": "moins de 3 remises",
        "reason_same_score": "toutes les remises ont la même note",
        "reason_rest_same": "le reste de la note ne varie pas",
        "failures_note": ("Comptés sur les {n} remises dont les vérifications ont pu s'exécuter (là où une cellule "
                          "a levé une exception, celles qui le pouvaient encore) ; les {others} autres (rien "
                          "n'a pu s'exécuter : fichier non chargé, plantages, délais dépassés, fichiers illisibles) "
                          "sont listées à part, plus bas."),
        "answers_title": "Ce que la classe a répondu de faux",
        "answers_intro": ("Pour chaque vérification, les réponses fausses des {n} remises dont les vérifications ont "
                          "pu s'exécuter, "
                          "les plus fréquentes d'abord. Nombres arrondis, tableaux donnés par leur forme et leurs "
                          "premières valeurs, formules telles que tapées."),
        "answer": "Réponse",
        "answer_count": "Remises",
        "share": "Part",
        "failed_by": "échouée par {count} sur {n} ({share})",
        "distinct_one": "une seule réponse",
        "distinct_many": "{n} réponses distinctes",
        "generated_note": ("{n} sur des entrées générées, qui changent d'un des {variants} tirages à l'autre : "
                           "une même erreur donne une réponse par tirage"),
        "error_answer": "erreur",
        "generated_input": "sur une entrée générée (elle change d'un tirage à l'autre)",
        "hint": "indice : {hint}",
        "other_answers": "{n} autres réponses fausses",
        "no_answer_count": "{n} sans réponse (l'exécution s'est arrêtée avant)",
        "no_wrong_answers": "Aucune réponse fausse n'a été enregistrée.",
        "shared_title": "Réponses inhabituelles en commun : à examiner, pas une preuve de copie",
        "shared_intro": ("Des remises qui ont donné les mêmes réponses fausses, des réponses qu'au plus {rare} des "
                         "{n} remises exécutées ont données, au moins {min} en commun. Les mêmes réponses "
                         "inhabituelles viennent aussi d'une collaboration permise, d'une même source erronée ou du "
                         "hasard : cette liste dit seulement où une personne pourrait regarder, jamais que quelqu'un "
                         "a copié. Score : la somme, sur les réponses en commun, de −ln(part de la classe qui l'a "
                         "donnée) ; plus les réponses sont rares et nombreuses, plus il est élevé."),
        "shared_none": "Aucune remise n'a {min} réponses fausses inhabituelles ou plus en commun avec une autre.",
        "shared_more": "{n} autres groupes, de score plus bas, ne sont pas listés.",
        "group": "Remises",
        "score": "Score",
        "shared_answers": "Réponses inhabituelles en commun",
        "given_by": "donnée par {count} sur {n}",
        "students_title": "Toutes les remises",
        "students_intro": "Cliquez sur le titre d'une colonne pour trier ; encore une fois pour l'autre sens.",
        "student_id": "Matricule",
        "total": "Total",
        "yes": "oui",
        "no": "non",
    },
}

#: one colour per status, shared by the histogram and the badges (colour-blind friendly set)
STATUS_COLOURS = {"graded": "#4477aa", "error": "#ee7733", "timeout": "#aa3377",
                  "crashed": "#cc3311", "invalid": "#777777"}
NOTE_LIMIT = 300


def write_class_report(results: list[Results], assignment: Assignment, path: Path, *,
                       summary: dict | None = None) -> Path:
    """Write the class report for ``results`` to ``path`` (one HTML file) and return the path.
    ``summary`` is their :func:`class_summary`, when already made."""
    text = class_report_html(results, assignment, summary=summary)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # atomic, as write_json_atomic: a browser or a copy never sees half a report
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as f:  # as write_json_atomic
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be read, as the rest of the batch's files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def class_report_html(results: list[Results], assignment: Assignment, *, summary: dict | None = None) -> str:
    # imported here: its sections use this module's formatting, complete only once it is loaded
    from autograder.report import html_analysis as analysis

    results = list(results)
    lang = assignment.language if assignment.language in LABELS else "en"
    t = LABELS[lang]
    summary = summary if summary is not None else class_summary(results, assignment)
    title = f"{assignment.title} · {t['report']}"
    parts = [
        f"<h1>{escape(assignment.title)}</h1>",
        f"<p class=sub>{escape(t['report'])} · <code>{escape(assignment.id)}</code> · "
        f"{escape(t['generated'].format(when=datetime.now().strftime('%Y-%m-%d %H:%M')))}</p>",
        _cards(summary, t, lang),
    ]
    if assignment.hand_questions:
        note = t["hand_note"].format(points=_n(assignment.hand_points, lang),
                                     parts=", ".join(q.id for q in assignment.hand_questions))
        parts.append(f"<p class=note>{escape(note)}</p>")
    if results:
        histogram, success = _plots(results, summary, t, lang)
        parts += [
            f"<h2>{escape(t['scores_title'])}</h2>",
            _img(histogram, t["scores_title"]),
            f"<h2>{escape(t['questions_title'])}</h2>",
        ]
        if success is not None:
            parts.append(_img(success, t["questions_title"]))
        parts += [f"<h3>{escape(t['questions_table'])}</h3>", _questions_table(summary, t, lang),
                  f"<h2>{escape(t['failures_title'])}</h2>", _failures_table(summary, t, lang),
                  f"<h2>{escape(t['answers_title'])}</h2>", analysis.wrong_answers_section(summary, t, lang),
                  f"<h2>{escape(t['shared_title'])}</h2>", analysis.shared_answers_section(summary, t, lang),
                  f"<h2>{escape(t['problems_title'])}</h2>", _problems_table(results, t),
                  f"<h2>{escape(t['students_title'])}</h2>", analysis.students_table(summary, t, lang)]
    else:
        parts.append(f"<p>{escape(t['no_submissions'])}</p>")
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src {analysis.script_source()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}{analysis.CSS}</style>
</head>
<body>
<main>
{body}
</main>
<script>{analysis.SORT_SCRIPT}</script>
</body>
</html>
"""


# --- pieces of the page ----------------------------------------------------------------------

def _cards(summary: dict, t: dict, lang: str) -> str:
    total = summary["total"]
    out_of = t["out_of"].format(max=_n(summary["auto_points"], lang))
    cards = [(t["submissions"], str(summary["submissions"]), "")]
    if summary["submissions"]:
        cards += [(t["mean"], _n(total["mean"], lang), out_of),
                  (t["median"], _n(total["median"], lang), out_of),
                  (t["range"], f"{_n(total['min'], lang)} – {_n(total['max'], lang)}", out_of),
                  (t["std"], _n(total["std"], lang), "")]
        # no due date (or no submission times): not "0 late", which would say they were all on time
        late = summary["late"]
        cards.append((t["late"], "–", t["late_unknown"]) if late is None else (t["late"], str(late), ""))
    html = ["<div class=cards>"]
    for label, value, small in cards:
        html.append(f"<div class=card><div class=label>{escape(label)}</div><div class=value>{escape(value)}</div>"
                    f"<div class=small>{escape(small)}</div></div>")
    html.append("</div><p class=statuses>")
    for status, n in summary["status_counts"].items():
        colour = STATUS_COLOURS.get(status, "#555555")
        label = t.get(f"status_{status}", status)
        dim = "" if n else ";opacity:.45"
        html.append(f"<span class=badge style=\"border-color:{colour};color:{colour}{dim}\">"
                    f"{escape(label)} <b>{n}</b></span>")
    html.append("</p>")
    return "".join(html)


def _questions_table(summary: dict, t: dict, lang: str) -> str:
    rows = []
    for q in sorted(summary["questions"], key=_hardest_first):
        rate = q["success_rate"]
        bar = "" if rate is None else (f"<span class=bar><span style=\"width:{rate * 100:.1f}%;"
                                       f"background:{_rate_colour(rate)}\"></span></span>")
        rows.append(
            f"<tr><td><code>{escape(q['id'])}</code></td><td>{escape(q['title'])}</td>"
            f"<td class=num>{_n(q['max_points'], lang)}</td><td class=num>{_n(q['mean'], lang)}</td>"
            f"<td class=num>{_n(q['median'], lang)}</td>"
            f"<td class=num>{'–' if rate is None else _pct(rate, lang)} {bar}</td>"
            f"<td class=num>{_pct(q['full_marks_share'], lang)}</td>{_discrimination(q, t, lang)}</tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in
                   (t["question"], "", t["points"], t["mean"], t["median"], "%", t["full_marks"], t["discrimination"]))
    item = summary["item_analysis"]
    note = t["discrimination_note"].format(n=item["over"], threshold=_n(item["poor_below"], lang))
    return (f"<table class=questions><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p class=note>{escape(note)}</p>")


def _discrimination(q: dict, t: dict, lang: str) -> str:
    r = q["discrimination"]
    if r is None:
        why = t.get(f"reason_{q['discrimination_reason']}", "")
        return f"<td class=num title=\"{escape(why)}\">–<div class=small>{escape(why)}</div></td>"
    flag = f" <span class=flag>⚑ {escape(t['poor'])}</span>" if q["poor_discrimination"] else ""
    text = f"{r:.2f}".replace(".", ",") if lang == "fr" else f"{r:.2f}"
    return f"<td class=num>{text}{flag}</td>"


def _failures_table(summary: dict, t: dict, lang: str) -> str:
    failing = summary["top_failing_checks"]
    others = summary["submissions"] - summary["failures_over"]
    note = f"<p class=note>{escape(t['failures_note'].format(n=summary['failures_over'], others=others))}</p>"
    if not failing:
        return f"<p>{escape(t['no_failures'])}</p>" + (note if others else "")
    rows = []
    for f in failing:
        hidden = f" <span class=tag>{escape(t['hidden'])}</span>" if f["hidden"] else ""
        times = escape(t["times"].format(n=f["feedback_count"], count=f["count"]))
        rows.append(
            f"<tr><td><code>{escape(f['number'])}</code> {escape(f['name'])}{hidden}"
            f"<div class=small><code>{escape(f['id'])}</code></div></td>"
            f"<td class=num>{f['count']}<div class=small>{_pct(f['share'], lang)}</div></td>"
            f"<td class=msg>{escape(_clip(f['feedback']))}<div class=small>{times}</div></td></tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in (t["check"], t["count"], t["message"]))
    return (f"<table class=failures><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (note if others else ""))


def _problems_table(results: list[Results], t: dict) -> str:
    order = {s: i for i, s in enumerate(PROBLEM_STATUSES)}
    problems = sorted((r for r in results if r.status in order), key=lambda r: (order[r.status], r.submission))
    if not problems:
        return f"<p>{escape(t['no_problems'])}</p>"
    rows = []
    for r in problems:
        colour = STATUS_COLOURS.get(r.status, "#555555")
        rows.append(
            f"<tr><td><code>{escape(r.submission)}</code></td><td>{escape(_names(r))}</td>"
            f"<td><span class=badge style=\"border-color:{colour};color:{colour}\">"
            f"{escape(t.get(f'status_{r.status}', r.status))}</span></td>"
            f"<td class=msg>{escape(_clip(_first_note(r)))}</td></tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in (t["submission"], t["names"], t["status"], t["note"]))
    return f"<table class=problems><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _names(r: Results) -> str:
    return ", ".join(names(r))


def _first_note(r: Results) -> str:
    """What kept the submission from loading (its first cause), else the first note. A crash or a
    timeout may leave none: then the first failed check that says the process died or ran out of
    time, else the first failed check's feedback."""
    if r.causes:
        return str(r.causes[0])
    if r.notes:
        return str(r.notes[0])
    failed = [c.feedback for c in r.checks if not c.passed and c.feedback]
    patterns = _incident_patterns(r.language)
    for text in failed:
        if any(p.search(text) for p in patterns):
            return text
    return failed[0] if failed else ""


@lru_cache(maxsize=None)
def _incident_patterns(lang: str) -> tuple[re.Pattern, ...]:
    """The catalogue's "the process ended / did not finish" sentences, as patterns on rendered text."""
    patterns = []
    for code in dict.fromkeys([lang if lang in CATALOGUES else "en", "en"]):
        catalogue = CATALOGUES[code]
        for key in ("died_in_call", "timeout_in_call", "no_answer"):
            literal = re.split(r"\{[^{}]*\}", catalogue[key])
            patterns.append(re.compile(".+?".join(re.escape(part) for part in literal), re.S))
    return tuple(patterns)


def _clip(text: str, limit: int = NOTE_LIMIT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f"<figure><img alt=\"{escape(alt)}\" src=\"data:image/png;base64,{data}\"></figure>"


# --- plots: matplotlib's object API on an Agg canvas, so pyplot's global state is untouched ---

def _plots(results: list[Results], summary: dict, t: dict, lang: str) -> tuple[bytes, bytes | None]:
    """The score histogram and (when some question has a rate) the success chart, PNG.

    The success chart is drawn in a forked process while this one draws the histogram: the
    report is a batch's last step, with a core otherwise idle, and the chart is its slowest
    part (~0.25 s for devoir3's 26 questions). Where processes cannot be forked, one after
    the other."""
    scores = [(r.status, 0.0 if r.status == "invalid" else r.score) for r in results]
    if not any(q["success_rate"] is not None for q in summary["questions"]):
        return _histogram(scores, summary, t, lang), None
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform
        return _histogram(scores, summary, t, lang), _success_chart(summary, t, lang)
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as other:
        success = other.submit(_success_chart, summary, t, lang)
        return _histogram(scores, summary, t, lang), success.result()


def _histogram(scores: list[tuple[str, float]], summary: dict, t: dict, lang: str) -> bytes:
    """``scores``: each submission's status and auto-graded score."""
    import numpy as np

    fig, ax = _figure(10, 3.8)
    top = summary["auto_points"] or max(summary["total"]["max"] or 0, 1)
    bins = np.linspace(0, top, 21)
    stacks, colours, labels = [], [], []
    statuses = [s for s in STATUSES if summary["status_counts"].get(s)]
    statuses += [s for s in summary["status_counts"] if s not in statuses and summary["status_counts"][s]]
    for status in statuses:
        stacks.append([score for kind, score in scores if kind == status])
        colours.append(STATUS_COLOURS.get(status, "#555555"))
        labels.append(f"{t.get(f'status_{status}', status)} ({len(stacks[-1])})")
    ax.hist(stacks, bins=bins, stacked=True, color=colours, label=[_tex(s) for s in labels],
            edgecolor="white", linewidth=0.6)
    total = summary["total"]
    ax.axvline(total["mean"], color="#222222", linestyle="--", linewidth=1.4,
               label=_tex(t["mean_line"].format(value=_n(total["mean"], lang))))
    ax.axvline(total["median"], color="#228833", linestyle=":", linewidth=1.8,
               label=_tex(t["median_line"].format(value=_n(total["median"], lang))))
    ax.set_xlim(0, top)
    ax.set_xlabel(_tex(t["scores_x"].format(max=_n(summary["auto_points"], lang))), fontsize=11)
    ax.set_ylabel(_tex(t["scores_y"]), fontsize=11)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def _success_chart(summary: dict, t: dict, lang: str) -> bytes:
    questions = [q for q in sorted(summary["questions"], key=_hardest_first) if q["success_rate"] is not None]
    fig, ax = _figure(10, 0.9 + 0.34 * len(questions))
    rates = [q["success_rate"] * 100 for q in questions]
    y = list(range(len(questions)))
    ax.barh(y, [100] * len(y), color="#eeeeee", height=0.72)  # the track: what a full mark looks like
    ax.barh(y, rates, color=[_rate_colour(q["success_rate"]) for q in questions], height=0.72)
    for yi, rate in zip(y, rates):
        inside = rate > 88
        ax.text(rate - 1 if inside else rate + 1, yi, _pct(rate / 100, lang), va="center",
                ha="right" if inside else "left", fontsize=8.5, color="#222222")
    ax.set_yticks(y)
    ax.set_yticklabels([_tex(_short_label(q)) for q in questions], fontsize=9)
    ax.invert_yaxis()  # hardest at the top
    ax.set_xlim(0, 100)
    ax.set_ylim(len(y) - 0.5, -0.5)
    ax.set_xlabel(_tex(t["questions_x"]), fontsize=11)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}\u202f%" if lang == "fr" else f"{v:.0f}%")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return _png(fig)


def warm_up() -> None:
    """Draw a tiny chart: matplotlib loads its fonts and text machinery on first use, so a batch
    does this while it grades, not in the report at the end (where the success chart's process,
    forked from this one, would do it again: ~0.1 s of a devoir3 batch's last 0.5)."""
    fig, ax = _figure(2, 1)
    ax.barh([0], [1])
    ax.set_yticks([0])
    ax.set_yticklabels(["q1"])
    ax.text(0.5, 0, "50%")
    _png(fig)


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _png(fig) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def _short_label(q: dict) -> str:
    return f"{q['id']}  " + textwrap.shorten(q["title"], width=58, placeholder="…")


def _hardest_first(q: dict):
    rate = q["success_rate"]
    return (rate is None, rate if rate is not None else 0.0)


def _rate_colour(rate: float) -> str:
    """Red for what the class could not do, through yellow, to green for what it could."""
    from matplotlib.colors import to_hex

    return to_hex(_rate_colormap()(min(max(rate, 0.0), 1.0)))


@lru_cache(maxsize=None)
def _rate_colormap():
    from matplotlib.colors import LinearSegmentedColormap

    # saturated all the way: a pale yellow middle would vanish against the grey track
    return LinearSegmentedColormap.from_list("success", ["#c8361b", "#e8842a", "#d9b526", "#7fae3c", "#2e8b57"])


def _tex(text: str) -> str:
    """Matplotlib reads $...$ as mathematics; a title with a dollar sign must stay text."""
    return str(text).replace("$", r"\$")


def _n(x: float | None, lang: str) -> str:
    if x is None:
        return "–"
    text = f"{round(x, 2):g}"
    return text.replace(".", ",") if lang == "fr" else text


def _pct(share: float | None, lang: str) -> str:
    if share is None:
        return "–"
    return f"{share * 100:.0f}\u202f%" if lang == "fr" else f"{share * 100:.0f}%"


_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:#1f2328;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 28px 48px;background:#fff;min-height:100vh}
h1{margin:0 0 2px;font-size:26px}
h2{margin:34px 0 10px;font-size:19px;border-bottom:1px solid #e3e5e8;padding-bottom:4px}
h3{margin:18px 0 8px;font-size:16px}
.sub{margin:0 0 16px;color:#59636e}
.note{color:#59636e;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{flex:1 1 120px;border:1px solid #e3e5e8;border-radius:8px;padding:10px 14px;background:#fafbfc}
.card .label{font-size:12px;color:#59636e;text-transform:uppercase;letter-spacing:.03em}
.card .value{font-size:24px;font-weight:600}
.small{font-size:12px;color:#6e7781}
.statuses{margin:12px 0 0}
.badge{display:inline-block;border:1px solid;border-radius:999px;padding:1px 10px;margin:0 6px 4px 0;font-size:13px;white-space:nowrap}
figure{margin:8px 0}
figure img{display:block;max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e3e5e8}
th{background:#f6f7f9;font-weight:600}
td.num{text-align:right;white-space:nowrap}
td.msg{overflow-wrap:anywhere;word-break:break-word}
td{overflow-wrap:anywhere}
table.failures th:nth-child(1){width:40%}
table.failures th:nth-child(2){width:12%}
table.problems th:nth-child(1){width:14%}
table.problems th:nth-child(2){width:22%}
table.problems th:nth-child(3){width:12%}
code{font:12.5px ui-monospace,"DejaVu Sans Mono",monospace;background:#f0f1f3;padding:0 3px;border-radius:3px}
.tag{font-size:11px;background:#eee;border-radius:3px;padding:0 4px;color:#555}
.bar{display:inline-block;width:60px;height:8px;background:#eee;border-radius:4px;vertical-align:middle;overflow:hidden}
.bar span{display:block;height:100%}
"""
