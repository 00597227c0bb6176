"""Why a question was hard, as plain data for ``summary.json`` and ``report.html``.

- **Wrong answers**: per check, the distinct wrong answers the class gave, most frequent first
  (each submission's :class:`~autograder.results.WrongAnswer`: identical answers share a digest).
- **Item analysis**: per question, how well its score separates strong from weak submissions:
  the correlation of the question's score with the rest of the total (corrected item-total
  correlation; Pearson, which for a question scored 0 or full is the point-biserial).
- **Shared unusual answers**: submissions that gave the same wrong answers few others gave,
  scored by how rare those answers are. Worth a look by a person, never evidence of copying:
  a study group, a wrong hint on a forum or the same textbook typo give the same picture.
- **Students**: one row per submission, for the sortable table.

Wrong answers count, per check, the submissions in which that check ran: those that ran to the
end (status ``graded``), and those where part of the code raised (``error``: a notebook cell
that raised still leaves the answers of the other cells), whose checks that could not run
(``not_run``) are left out. Crashes, timeouts and unreadable files fail every check for one
reason that the report lists apart, and would bury the answers the class did give. Item
analysis correlates totals, so it counts the ``graded`` submissions only. Shared unusual
answers look at every submission that ran, never at the unreadable ones, which answered nothing.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from itertools import combinations

from autograder.assignment import Assignment
from autograder.errors import UsageError
from autograder.results import CheckResult, Results, WrongAnswer

#: distinct wrong answers listed per check
#: statuses whose checks that ran count in the failures and wrong answers (see the module's text)
COUNTED = ("graded", "error")


def ran_checks(r: Results) -> list[CheckResult]:
    """The checks of ``r`` that ran and count in the class's failures: none of a crash, timeout or
    unreadable file; not those a part of the code that raised kept from running."""
    if r.status not in COUNTED:
        return []
    return [c for c in r.checks if not c.not_run]


TOP_ANSWERS = 5
#: a question whose corrected item-total correlation is below this discriminates poorly (a
#: common rule of thumb in item analysis: 0.2-0.3 is fair, above 0.3 good)
POOR_DISCRIMINATION = 0.2
#: by default, an answer is unusual when at most this share of the class gave it (and never fewer than 2 can share it)
RARE_SHARE = 0.02
#: a pair or group is listed when it shares at least this many unusual wrong answers: one alone
#: is common by chance in a class answering dozens of checks
MIN_SHARED = 2
#: groups listed, highest score first
SHARED_LISTED = 20


def default_rare(population: int) -> int:
    """Submissions that may share an answer for it to count as unusual, by default: 2% of those
    that ran, at least 2 (200 submissions: 4)."""
    return max(2, math.ceil(RARE_SHARE * population))


def check_rare(rare: int | None) -> None:
    """Refuse a threshold no answer could meet (an answer is shared by 2 submissions at least)."""
    if rare is not None and (type(rare) is not int or rare < 2):
        raise UsageError(f"rare must be a whole number of submissions, 2 or more (got {rare!r}): "
                         "an unusual answer is one that at most that many submissions gave")


# --- what the class got wrong ------------------------------------------------------------------

def wrong_answers(results: list[Results], assignment: Assignment, *, top: int = TOP_ANSWERS) -> list[dict]:
    """Per check that submissions failed with an answer, its most frequent wrong answers.
    Checks with the largest group of identical wrong answers first ("31% answered 24"), then the
    most failed: the answers to a generated input, which differ between sets of draws, come after
    one mistake the class shares. ``ran`` is how many submissions that check ran in (see
    :func:`ran_checks`); ``share`` is of those."""
    order = {c.id: i for i, c in enumerate(assignment.checks)}
    first: dict[str, CheckResult] = {}
    ran: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    generated: Counter[str] = Counter()
    answer: dict[tuple[str, str], WrongAnswer] = {}
    for r in results:
        for c in ran_checks(r):
            ran[c.id] += 1
            if c.passed:
                continue
            first.setdefault(c.id, c)
            failed[c.id] += 1
            w = c.wrong_answer
            if w is None:
                continue
            counts[c.id][w.digest] += 1
            generated[c.id] += w.generated
            known = answer.get((c.id, w.digest))
            if known is None or (known.hint is None and w.hint is not None):
                answer[(c.id, w.digest)] = w  # the first one seen, unless a later one has a hint
    seen = {cid: i for i, cid in enumerate(first)}
    out = []
    largest = {cid: max(n.values()) for cid, n in counts.items()}
    for cid in sorted(counts, key=lambda cid: (-largest[cid], -failed[cid], order.get(cid, len(order)), seen[cid])):
        c = first[cid]
        ranked = counts[cid].most_common()
        shown = ranked[:top]
        out.append({
            "id": cid,
            "question": c.question,
            "number": c.number,
            "name": c.name,
            "hidden": bool(c.hidden),
            "failed": failed[cid],
            "ran": ran[cid],
            "distinct": len(ranked),
            "answers": [_answer_entry(answer[(cid, digest)], n, ran[cid]) for digest, n in shown],
            #: failures with an answer not listed (rarer ones), and with no answer at all (the run ended)
            "other": sum(n for _, n in ranked[top:]),
            "no_answer": failed[cid] - sum(counts[cid].values()),
            #: failures on a generated input: one mistake gives a different answer in each set of draws
            "on_generated": generated[cid],
        })
    return out


def _answer_entry(w: WrongAnswer, count: int, ran: int) -> dict:
    return {"preview": w.preview, "asked": w.asked, "error": w.error, "generated": w.generated,
            "hint": w.hint, "count": count, "share": _share(count, ran), "digest": w.digest}


# --- item analysis -----------------------------------------------------------------------------

def item_analysis(results: list[Results], assignment: Assignment) -> dict[str, dict]:
    """Per auto-graded question: ``discrimination``, the Pearson correlation of its score with the
    rest of the auto-graded total over the graded submissions, or None with a ``reason`` (fewer
    than 3 submissions, or a score that does not vary); ``poor`` when below
    :data:`POOR_DISCRIMINATION`."""
    graded = [r for r in results if r.status == "graded"]
    questions = [q for q in assignment.questions if q.graded == "auto"]
    scores = {q.id: [question_score(r, q.id) for r in graded] for q in questions}
    totals = [sum(scores[q.id][i] for q in questions) for i in range(len(graded))]
    out = {}
    for q in questions:
        item = scores[q.id]
        rest = [t - x for t, x in zip(totals, item)]
        r, reason = _correlation(item, rest)
        out[q.id] = {"discrimination": r, "reason": reason,
                     "poor": r is not None and r < POOR_DISCRIMINATION}
    return out


def _correlation(x: list[float], y: list[float]) -> tuple[float | None, str | None]:
    if len(x) < 3:
        return None, "too_few"
    # a score every submission shares says nothing about who is strong (and divides by 0)
    if max(x) - min(x) < 1e-9:
        return None, "same_score"
    if max(y) - min(y) < 1e-9:
        return None, "rest_same"
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    r = sxy / math.sqrt(sxx * syy)
    return round(max(-1.0, min(1.0, r)), 6) + 0.0, None


# --- shared unusual answers --------------------------------------------------------------------

def shared_unusual_answers(results: list[Results], *, rare: int | None = None,
                           listed: int = SHARED_LISTED) -> dict:
    """Groups of submissions that gave the same unusual wrong answers.

    An answer is unusual when it is wrong, a value (not an error), given to an input every
    submission got (a value read or a fixed case: answers to generated inputs differ between
    sets of draws, and a common mistake would look rare in each), and given by at most ``rare``
    of the submissions that ran (default :func:`default_rare`). Two submissions that share at
    least :data:`MIN_SHARED` of them make a pair; pairs that share the same answers make one
    group (three submissions with the same answers are one group, not three pairs). A group's
    score is the sum, over the answers it shares, of -ln(share of the class that gave it): the
    rarer and the more, the higher.
    """
    check_rare(rare)
    population = [r for r in results if r.status != "invalid"]  # the unreadable ones answered nothing
    n = len(population)
    k = rare if rare is not None else default_rare(n)
    # by digest alone: the same answer to the same question, whichever checks asked it (a form
    # check and a hidden check reading one value are one piece of evidence, not two)
    holders: dict[str, set[int]] = defaultdict(set)
    about: dict[str, dict[str, tuple[CheckResult, WrongAnswer]]] = defaultdict(dict)
    for i, r in enumerate(population):
        for c in r.checks:
            w = c.wrong_answer
            if c.passed or w is None or w.error or w.generated:
                continue
            holders[w.digest].add(i)
            about[w.digest].setdefault(c.id, (c, w))
    unusual = {digest: who for digest, who in holders.items() if 2 <= len(who) <= k}
    shared: dict[tuple[int, int], list[str]] = defaultdict(list)
    for digest, who in unusual.items():
        for pair in combinations(sorted(who), 2):
            shared[pair].append(digest)
    groups: dict[frozenset, set[int]] = defaultdict(set)
    for pair, digests in shared.items():
        if len(digests) >= MIN_SHARED:
            groups[frozenset(digests)].update(pair)
    ranked = []
    for digests, members in groups.items():
        score = sum(-math.log(len(unusual[d]) / n) for d in digests)
        evidence = sorted(digests, key=lambda d: (len(unusual[d]), _shown(about[d])[0].number, d))
        ranked.append((score, sorted(members), evidence))
    ranked.sort(key=lambda g: (-g[0], -len(g[2]), [population[i].submission for i in g[1]]))
    return {
        "rare": k,
        "population": n,
        "min_shared": MIN_SHARED,
        "unusual_answers": len(unusual),
        "groups": [_group(population, score, members, evidence, unusual, about, n)
                   for score, members, evidence in ranked[:listed]],
        "more": max(0, len(ranked) - listed),
    }


def _shown(checks: dict[str, tuple[CheckResult, WrongAnswer]]) -> tuple[CheckResult, WrongAnswer]:
    """The check an answer is shown under: the one worth most (a hidden check rather than the 0-point
    form check that read the same value), the first of those."""
    return max(checks.values(), key=lambda cw: cw[0].max_score)


def _group(population: list[Results], score: float, members: list[int], evidence: list[str],
           unusual: dict[str, set[int]], about: dict, n: int) -> dict:
    answers = []
    for digest in evidence:
        c, w = _shown(about[digest])
        answers.append({"check": c.id, "question": c.question, "number": c.number, "name": c.name,
                        "hidden": bool(c.hidden), "preview": w.preview, "asked": w.asked,
                        #: every check that asked the same and got this answer
                        "checks": list(about[digest]),
                        "count": len(unusual[digest]), "share": _share(len(unusual[digest]), n)})
    return {
        "score": round(score, 3) + 0.0,
        "submissions": [population[i].submission for i in members],
        "names": [names(population[i]) for i in members],
        "answers": answers,
    }


# --- students ----------------------------------------------------------------------------------

def student_rows(results: list[Results], assignment: Assignment) -> list[dict]:
    """One row per submission: who, the auto-graded total and each question's score, lateness
    (None when unknown: no due date, or no submission time), status."""
    questions = [q.id for q in assignment.questions if q.graded == "auto"]
    rows = []
    for r in results:
        metadata = r.metadata if isinstance(r.metadata, dict) else {}
        hours = metadata.get("hours_late")
        rows.append({
            "submission": r.submission,
            "names": names(r),
            "ids": student_ids(r),
            "total": 0.0 if r.status == "invalid" else _round(r.score),
            "questions": {q: question_score(r, q) for q in questions},
            "late": late(r),
            "hours_late": _round(hours) if isinstance(hours, (int, float)) and not isinstance(hours, bool) else None,
            "status": r.status,
        })
    return rows


def late(r: Results) -> bool | None:
    """Whether the submission came late; None when nobody knows: the batch had no due date, or
    the submission no time (a plain file rather than a Gradescope export)."""
    metadata = r.metadata if isinstance(r.metadata, dict) else {}
    if r.late or metadata.get("late"):
        return True
    # set by the batch when it knew both times, by Gradescope's metadata in its container
    if "hours_late" in metadata or "late" in metadata:
        return False
    return None


def names(r: Results) -> list[str]:
    """Names of the people who submitted (an export's submitters, or Gradescope's users)."""
    return [str(p["name"]) for p in _people(r) if p.get("name")]


def student_ids(r: Results) -> list[str]:
    return [str(p.get("sid") or p.get("id")) for p in _people(r) if p.get("sid") or p.get("id")]


def _people(r: Results) -> list[dict]:
    metadata = r.metadata if isinstance(r.metadata, dict) else {}
    people = metadata.get("submitters") or metadata.get("users") or []
    return [p for p in people if isinstance(p, dict)] if isinstance(people, list) else []


def question_score(r: Results, question_id: str) -> float:
    """The auto-graded score of one question; 0 for an unreadable submission."""
    if r.status == "invalid":
        return 0.0
    for q in r.questions:
        if q.id == question_id:
            return _round(q.score or 0.0)
    return 0.0  # a submission graded before the question existed has no points for it


def _share(count: int, total: int) -> float | None:
    return round(count / total, 6) if total else None


def _round(x: float) -> float:
    return round(float(x), 6) + 0.0
