"""``summary.json``: the whole class at a glance, as plain data (what ``html.py`` draws).

Scores are the auto-graded ones only: hand-graded questions are not ours to give. No score is
left out: a submission whose status is ``invalid`` counts as 0 on every question. The failing
checks and the wrong answers count, per check, the submissions in which it ran
(:func:`~autograder.report.analysis.ran_checks`): one where a cell raised still counts on what
its other cells answered; one that crashed, timed out or could not be read fails every check
for one reason, and is listed apart (``status_counts``, the report's table of submissions to
look at), as are the checks a raising part of the code kept from running. Every failed check
that ran counts, including 0-point form checks (they are often the first to tell why). Item
analysis counts the submissions that ran to the end (``graded``). Wrong answers, item analysis,
shared unusual answers and the students' rows: :mod:`autograder.report.analysis`.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from pathlib import Path

from autograder.assignment import Assignment
from autograder.report.analysis import (POOR_DISCRIMINATION, item_analysis, late, question_score, ran_checks,
                                        shared_unusual_answers, student_rows, wrong_answers)
from autograder.report.gradescope import write_json_atomic
from autograder.results import CheckResult, Results

#: every status ``grading.grade`` gives, in the order a report lists them
STATUSES = ("graded", "error", "timeout", "crashed", "invalid")
#: statuses a teaching assistant should look at by hand
PROBLEM_STATUSES = ("error", "crashed", "timeout", "invalid")
TOP_PER_QUESTION = 5
TOP_OVERALL = 10


def class_summary(results: list[Results], assignment: Assignment, *, rare: int | None = None) -> dict:
    """Counts, total and per-question statistics (with item analysis), the checks the class fails
    most and the wrong answers it gives, the shared unusual answers (``rare``: see
    :func:`~autograder.report.analysis.shared_unusual_answers`) and one row per student."""
    results = list(results)
    statuses = Counter(r.status for r in results)
    status_counts = {s: statuses.get(s, 0) for s in STATUSES}
    status_counts.update({s: n for s, n in sorted(statuses.items()) if s not in status_counts})
    totals = [_total(r) for r in results]
    graded = [r for r in results if r.status == "graded"]
    #: the submissions with at least one check that ran: what the failures are counted over
    counted = [r for r in results if ran_checks(r)]
    failing = _failing_checks(counted, assignment)
    items = item_analysis(results, assignment)
    lateness = [late(r) for r in results]
    questions = []
    for q in assignment.questions:
        if q.graded != "auto":
            continue
        scores = [question_score(r, q.id) for r in results]
        stats = _stats(scores)
        full = sum(s >= q.points - 1e-9 for s in scores)
        questions.append({
            "id": q.id,
            "title": q.title,
            "max_points": _num(q.points),
            "mean": stats["mean"],
            "median": stats["median"],
            "max": stats["max"],
            "min": stats["min"],
            #: mean / max_points, None when the question is worth no points
            "success_rate": _num(stats["mean"] / q.points) if results and q.points > 0 else None,
            "full_marks_share": _num(full / len(results)) if results else None,
            "top_failing_checks": [f for f in failing if f["question"] == q.id][:TOP_PER_QUESTION],
            #: corrected item-total correlation over the graded submissions (None: see discrimination_reason)
            "discrimination": items[q.id]["discrimination"],
            "discrimination_reason": items[q.id]["reason"],
            "poor_discrimination": items[q.id]["poor"],
        })
    return {
        "assignment": {"id": assignment.id, "title": assignment.title, "language": assignment.language},
        "submissions": len(results),
        "status_counts": status_counts,
        #: None when no submission's lateness is known (no due date, or no submission times)
        "late": sum(x is True for x in lateness) if any(x is not None for x in lateness) else None,
        "late_known": sum(x is not None for x in lateness),
        "auto_points": _num(assignment.auto_points),
        "hand_points": _num(assignment.hand_points),
        "total": _stats(totals),
        "questions": questions,
        "item_analysis": {"over": len(graded), "poor_below": POOR_DISCRIMINATION},
        #: the submissions the failing checks and wrong answers count (each check: those it ran in)
        "failures_over": len(counted),
        "top_failing_checks": failing[:TOP_OVERALL],
        #: sets of generated inputs the class shares (0: one per submission): a mistake on a generated
        #: input gives up to that many distinct answers
        "variants": assignment.variants,
        "wrong_answers": wrong_answers(results, assignment),
        "shared_unusual_answers": shared_unusual_answers(results, rare=rare),
        "students": student_rows(results, assignment),
    }


def write_summary_json(results: list[Results], assignment: Assignment, path: Path, *,
                       summary: dict | None = None) -> Path:
    """Write :func:`class_summary` (``summary``, when already made) atomically (a reader never
    sees half a file)."""
    return write_json_atomic(summary if summary is not None else class_summary(results, assignment), path)


def _total(r: Results) -> float:
    return 0.0 if r.status == "invalid" else float(r.score)


def _stats(values: list[float]) -> dict:
    """mean, median, max, min, std (population: the class is the whole population)."""
    if not values:
        return {"mean": None, "median": None, "max": None, "min": None, "std": None}
    return {
        "mean": _num(statistics.fmean(values)),
        "median": _num(statistics.median(values)),
        "max": _num(max(values)),
        "min": _num(min(values)),
        "std": _num(statistics.pstdev(values)),
    }


def _failing_checks(results: list[Results], assignment: Assignment) -> list[dict]:
    """Checks by how many of ``results`` fail them (where the check ran: ``ran``, and ``share`` of
    those), most failed first; ties in the handout's order."""
    order = {c.id: i for i, c in enumerate(assignment.checks)}
    first: dict[str, CheckResult] = {}
    counts: Counter[str] = Counter()
    ran: Counter[str] = Counter()
    texts: dict[str, Counter[str]] = {}
    for r in results:
        for c in ran_checks(r):
            first.setdefault(c.id, c)
            ran[c.id] += 1
            if c.passed:
                continue
            counts[c.id] += 1
            texts.setdefault(c.id, Counter())[c.feedback] += 1
    seen = {cid: i for i, cid in enumerate(first)}
    ranked = sorted(counts, key=lambda cid: (-counts[cid], order.get(cid, len(order)), seen[cid]))
    out = []
    for cid in ranked:
        c = first[cid]
        # most_common keeps first-seen order among ties: the same input gives the same text
        text, text_count = texts[cid].most_common(1)[0]
        out.append({
            "id": cid,
            "question": c.question,
            "number": c.number,
            "name": c.name,
            "max_score": _num(c.max_score),
            "hidden": bool(c.hidden),
            "count": counts[cid],
            "ran": ran[cid],
            "share": _num(counts[cid] / ran[cid]),
            "feedback": text,
            "feedback_count": text_count,
        })
    return out


def _num(x: float) -> float:
    """A plain float (never numpy's), rounded so sums of points do not show float noise."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x}")
    return round(x, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
