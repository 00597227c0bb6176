"""Why questions were hard (autograder/report/analysis.py and its sections of report.html): the
wrong answers a class gave, item analysis, shared unusual answers and the students' table.

Small classes written by hand check each rule; a class of 200 made here (the td-gradients
solution with planted mistakes, a cluster of 30%, a copied pair, a trio, chance and noise) is
graded by a real batch and its summary.json and report.html (drawn by headless Chromium) are
checked against what was planted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from html import escape, unescape
from pathlib import Path

import numpy as np
import pytest

from autograder.assignment import Assignment, Question, load_assignment
from autograder.errors import UsageError
from autograder.report import analysis
from autograder.report.analysis import (default_rare, item_analysis, shared_unusual_answers, student_rows,
                                        wrong_answers)
from autograder.report.html import LABELS, class_report_html
from autograder.report.html_analysis import SORT_SCRIPT, script_source
from autograder.report.summary import class_summary
from autograder.results import CheckResult, QuestionScore, Results, WrongAnswer

CHROMIUM = Path("/usr/bin/chromium")

# --- small classes, by hand ---------------------------------------------------------------------

#: check id -> (question, points, hidden); q3's check is worth 0 points (a form check)
CHECKS = {"a": ("q1", 2.0, False), "b": ("q1", 2.0, True), "c": ("q2", 4.0, True), "d": ("q3", 0.0, False)}
DEMO = Assignment(
    id="demo", title="Demo", language="en", root=Path("."), starter="demo.py",
    questions=(Question("q1", "First", 4.0, "auto"), Question("q2", "Second", 4.0, "auto"),
               Question("q3", "Form", 0.0, "auto"), Question("q4", "Proof", 5.0, "hand")),
    checks=(), helpers=None, solution_dir=None,
)


def wrong(value: str, *, error: bool = False, generated: bool = False, hint: str | None = None,
          asked: str = "") -> WrongAnswer:
    """A wrong answer whose digest is its preview's (the same preview, the same answer, here)."""
    return WrongAnswer(digest=hashlib.sha256(f"{value}|{generated}".encode()).hexdigest()[:16], preview=value,
                       error=error, generated=generated, hint=hint, asked=asked)


def student(key: str, answers: dict[str, WrongAnswer | None] | None = None, *, status: str = "graded",
            failed_without_answer: tuple[str, ...] = (), not_run: tuple[str, ...] = (), **kwargs) -> Results:
    """A submission that passes every check but those of ``answers`` (failed with that answer),
    ``failed_without_answer`` and ``not_run`` (failed: a part of its code that raised kept them
    from running, as grading marks them)."""
    answers = answers or {}
    checks = []
    for i, (cid, (question, points, hidden)) in enumerate(CHECKS.items(), start=1):
        failed = status == "invalid" or cid in answers or cid in failed_without_answer or cid in not_run
        checks.append(CheckResult(id=cid, question=question, name=f"check {cid}", number=f"{question[1:]}.{i}",
                                  score=0.0 if failed else points, max_score=points, hidden=hidden,
                                  visibility="visible", passed=not failed, feedback="wrong" if failed else "ok",
                                  wrong_answer=answers.get(cid),
                                  not_run="cell 3 did not run to the end" if cid in not_run else ""))
    questions = tuple(QuestionScore(q.id, q.title, q.points, q.graded, None if q.graded == "hand" else
                                    sum(c.score for c in checks if c.question == q.id)) for q in DEMO.questions)
    return Results(assignment_id="demo", assignment_title="Demo", language="en", submission=key,
                   checks=tuple(checks), questions=questions, status=status, **kwargs)


def test_wrong_answers_count_the_submissions_each_check_ran_in_most_frequent_first():
    twenty_four = wrong("24", asked="side(3, 4)")
    klass = ([student(f"s{i}", {"a": twenty_four}) for i in range(5)]
             + [student("t1", {"a": wrong("12")}), student("t2", {"a": wrong("12")}), student("t3", {"a": wrong("7")}),
                student("u", failed_without_answer=("a",)),
                student("v", {"b": wrong("NameError: x", error=True)}), student("ok")]
             # nothing of these ran (a file that did not load, an unreadable one): listed apart, not counted
             + [student("broken", status="error", not_run=tuple(CHECKS)),
                student("unreadable", status="invalid"),
                # a notebook whose cell 3 raised: "b" could not run, "a" ran and counts
                student("half", {"a": wrong("24", asked="side(3, 4)")}, status="error", not_run=("b",))])
    got = wrong_answers(klass, DEMO, top=2)
    assert [c["id"] for c in got] == ["a", "b"]  # most failed first
    a = got[0]
    assert (a["failed"], a["ran"], a["distinct"], a["other"], a["no_answer"]) == (10, 12, 3, 1, 1)
    assert [(x["preview"], x["count"], x["share"]) for x in a["answers"]] == [("24", 6, round(6 / 12, 6)),
                                                                              ("12", 2, round(2 / 12, 6))]
    assert got[1]["ran"] == 11  # "half" did not run it: neither a failure nor counted
    assert a["answers"][0]["asked"] == "side(3, 4)" and a["answers"][0]["hint"] is None
    b = got[1]
    assert b["hidden"] is True and b["answers"][0]["error"] is True and b["answers"][0]["preview"] == "NameError: x"


def test_a_hint_attached_to_a_wrong_answer_is_shown_with_it():
    plain, hinted = wrong("24"), wrong("24", hint="that is the side length, not the area")
    got = wrong_answers([student("a", {"a": plain}), student("b", {"a": hinted})], DEMO)
    assert got[0]["answers"][0]["hint"] == "that is the side length, not the area"
    page = class_report_html([student("a", {"a": plain}), student("b", {"a": hinted})], DEMO)
    assert escape(LABELS["en"]["hint"].format(hint="that is the side length, not the area")) in page


def test_discrimination_is_the_corrected_item_total_correlation():
    rng = np.random.default_rng(3)
    klass = []
    for i in range(40):
        strong = rng.random() < 0.5
        answers = {}
        if rng.random() < (0.2 if strong else 0.8):
            answers["a"] = wrong("1")
        if rng.random() < (0.1 if strong else 0.7):
            answers["c"] = wrong("2")
        if rng.random() < 0.5:  # a coin: says nothing of who is strong
            answers["b"] = wrong("3")
        klass.append(student(f"s{i}", answers))
    klass.append(student("unreadable", status="invalid"))  # not counted: it would inflate every correlation
    got = item_analysis(klass, DEMO)
    graded = [r for r in klass if r.status == "graded"]
    scores = np.array([[q.score for q in r.questions if q.graded == "auto"] for r in graded])
    totals = scores.sum(axis=1)
    for j, qid in enumerate(["q1", "q2"]):
        expected = np.corrcoef(scores[:, j], totals - scores[:, j])[0, 1]
        assert got[qid]["discrimination"] == pytest.approx(expected, abs=1e-6)
        assert got[qid]["poor"] == (expected < analysis.POOR_DISCRIMINATION)
    assert got["q3"] == {"discrimination": None, "reason": "same_score", "poor": False}  # worth 0: all the same


@pytest.mark.parametrize("klass, reason", [
    ([student("a", {"a": wrong("1")}), student("b")], "too_few"),
    ([student("a"), student("b"), student("c")], "same_score"),
    ([student("a", {"a": wrong("1")}), student("b"), student("c", {"a": wrong("1")})], "rest_same"),
], ids=["two_submissions", "everyone_full_marks", "rest_of_total_constant"])
def test_discrimination_is_none_where_it_means_nothing(klass, reason):
    q1 = item_analysis(klass, DEMO)["q1"]
    assert q1 == {"discrimination": None, "reason": reason, "poor": False}


def _shared_class() -> list[Results]:
    """30 submissions: a pair sharing 3 answers nobody else gave, a trio sharing 2, two that
    share one only, a common wrong answer, shared errors and generated-input answers (never
    counted), and noise."""
    klass = []
    for i in range(30):
        answers = {}
        if i < 12:
            answers["c"] = wrong("common")  # 12 of 30: not unusual
        if i in (3, 4):
            answers.update(a=wrong("pair-a"), b=wrong("pair-b"), d=wrong("pair-d"))
        if i in (6, 7, 8):
            answers.update(a=wrong("trio-a"), b=wrong("trio-b"))
        if i in (10, 11):
            answers["a"] = wrong("chance")
        if i in (13, 14):
            answers.update(a=wrong("ImportError", error=True), b=wrong("gen", generated=True),
                           c=wrong("gen2", generated=True))
        if i >= 20:
            answers["a"] = wrong(f"noise {i}")
        klass.append(student(f"s{i:02d}", answers, metadata={"submitters": [{"name": f"Name {i}"}]}))
    return klass + [student("unreadable", status="invalid")]


def test_shared_unusual_answers_rank_the_rarest_and_most_first():
    got = shared_unusual_answers(_shared_class(), rare=3)
    assert (got["rare"], got["population"], got["min_shared"], got["more"]) == (3, 30, 2, 0)
    pair, trio = got["groups"]
    assert pair["submissions"] == ["s03", "s04"] and pair["names"] == [["Name 3"], ["Name 4"]]
    assert sorted(a["preview"] for a in pair["answers"]) == ["pair-a", "pair-b", "pair-d"]
    assert pair["score"] == pytest.approx(3 * math.log(30 / 2), abs=1e-3)
    assert all(a["count"] == 2 and a["share"] == pytest.approx(2 / 30, abs=1e-6) for a in pair["answers"])
    # three submissions with the same answers are one group, not three pairs
    assert trio["submissions"] == ["s06", "s07", "s08"]
    assert trio["score"] == pytest.approx(2 * math.log(30 / 3), abs=1e-3)
    assert got["unusual_answers"] == 6  # pair 3, trio 2, chance 1: never the errors nor generated inputs


def test_the_rare_threshold_is_an_option():
    klass = _shared_class()
    assert [g["submissions"] for g in shared_unusual_answers(klass, rare=2)["groups"]] == [["s03", "s04"]]
    assert shared_unusual_answers(klass)["rare"] == default_rare(30) == 2
    assert default_rare(200) == 4 and default_rare(500) == 10
    assert len(shared_unusual_answers(klass, rare=12)["groups"]) == 3  # "common" now counts: s03, s04 share it
    for bad in (1, 0, -3, 2.5, True):
        with pytest.raises(UsageError, match="2 or more"):
            shared_unusual_answers(klass, rare=bad)
    summary = class_summary(klass, DEMO, rare=2)
    assert summary["shared_unusual_answers"]["rare"] == 2


def test_shared_answers_are_worded_as_worth_a_look_never_as_copying():
    page = class_report_html(_shared_class(), DEMO)
    assert "not evidence" in LABELS["en"]["shared_title"] and "pas une preuve" in LABELS["fr"]["shared_title"]
    assert escape(LABELS["en"]["shared_title"]) in page and "never that anyone copied" in page
    assert "cheat" not in page.lower() and "plagiar" not in page.lower()


def test_student_rows_say_lateness_only_where_it_is_known():
    rows = student_rows([student("a", metadata={"hours_late": 0.0}),
                         student("b", late=True, metadata={"hours_late": 5.5, "submitters": [
                             {"name": "Bo", "sid": "20260002", "email": "b@example.org"}]}),
                         student("c"), student("d", status="invalid")], DEMO)
    assert [(r["submission"], r["late"], r["hours_late"]) for r in rows] == [
        ("a", False, 0.0), ("b", True, 5.5), ("c", None, None), ("d", None, None)]
    assert rows[1]["names"] == ["Bo"] and rows[1]["ids"] == ["20260002"]
    assert rows[0]["questions"] == {"q1": 4.0, "q2": 4.0, "q3": 0.0} and rows[0]["total"] == 8.0
    assert rows[3]["total"] == 0.0 and rows[3]["status"] == "invalid"


# --- the class of 200 ---------------------------------------------------------------------------

N = 200
DUE = datetime.fromisoformat("2026-02-05T00:00:00-05:00")


@dataclass
class Plan:
    """What the class was made with: submission ids by mistake planted."""

    cluster: list[str] = field(default_factory=list)      # Q8_ORDRE = Q9's order: 30% of the class
    transpose: list[str] = field(default_factory=list)    # Q3's gradient without its transpose
    square: list[str] = field(default_factory=list)       # J_V without its square (Q7 uses it: fails too)
    coin: list[str] = field(default_factory=list)         # Q9's chain, drawn at random: no discrimination
    pair: list[str] = field(default_factory=list)         # three unusual wrong answers in common
    trio: list[str] = field(default_factory=list)         # two unusual wrong answers in common
    chance: list[str] = field(default_factory=list)       # one unusual wrong answer in common: not listed
    hostile: list[str] = field(default_factory=list)      # markup as an answer, twice
    errors: list[str] = field(default_factory=list)       # do not parse: listed apart
    invalid: list[str] = field(default_factory=list)      # unreadable zips: listed apart
    late: list[str] = field(default_factory=list)
    export: Path | None = None


def make_class(folder: Path, assignment: Assignment, seed: int = 20260205) -> tuple[Path, Plan]:
    """A Gradescope export of N fake students (nobody real): the solution, with mistakes added at
    the end of the file (a later definition wins, as in a student's file). Weak students (a
    drawn ability) make the first three mistakes; the fourth is a coin."""
    rng = random.Random(seed)
    solution = assignment.solution_file.read_text(encoding="utf-8")
    export = folder / "assignment_777_export"
    export.mkdir(parents=True)
    ids = [str(5000 + i) for i in range(N)]
    ability = {sid: rng.random() for sid in ids}
    plan = Plan()
    specials = rng.sample(ids[:190], 10)
    plan.pair, plan.trio, plan.chance, plan.hostile = specials[:2], specials[2:5], specials[5:8], specials[8:10]
    plan.errors, plan.invalid = ids[190:193], ids[193:195]
    normal = [sid for sid in ids if sid not in plan.errors + plan.invalid]
    by_weakness = sorted(normal, key=lambda sid: ability[sid] + rng.gauss(0, 0.1))
    plan.cluster = sorted(by_weakness[:60])
    plan.transpose = sorted(sid for sid in normal if rng.random() < 0.35 * (1 - ability[sid]))
    plan.square = sorted(sid for sid in normal if rng.random() < 0.7 * (1 - ability[sid]))
    plan.coin = sorted(sid for sid in normal if rng.random() < 0.3)
    plan.late = sorted(rng.sample(normal, 15))
    extra: dict[str, list[str]] = {sid: [] for sid in ids}
    for sid in plan.cluster:
        extra[sid].append('Q8_ORDRE = {"N": 1, "H": 2}')
    for sid in plan.transpose:
        extra[sid].append('Q3_GRAD_F1 = "A @ (A @ x - b)"')
    for sid in plan.square:
        extra[sid].append("def jacobienne_V(y):\n    return np.diag(1.0 - np.tanh(np.asarray(y, dtype=float)))")
    for sid in plan.coin:
        extra[sid].append("def multiplications_depuis_sortie(dims):\n    return dims[0] * dims[-1]")
    for sid in plan.pair:
        extra[sid] += ['Q3_GRAD_F3_P = "-2 * (M - P @ Q) @ Q.T"', 'Q9_ORDRE = {"N": 2, "H": 2}',
                       "def operations_arriere(N, H):\n    return N * H * H + 7"]
    for sid in plan.trio:
        extra[sid] += ['Q3_GRAD_F3_Q = "P.T @ (M - P @ Q)"', "def operations_avant(N, H):\n    return N * H ** 3"]
    for sid in plan.chance:
        extra[sid].append('Q3_JACOBIENNE_F2 = "B.T"')
    for sid in plan.hostile:
        extra[sid].append('Q3_JACOBIENNE_F2 = "</code><script>alert(1)</script>"')
    for i, sid in enumerate(rng.sample([s for s in normal if s not in specials], 12)):
        extra[sid].append(f'Q3_JACOBIENNE_F2 = "{i + 2} * B"')  # each their own: never shared
    lines = []
    for i, sid in enumerate(ids):
        sub = export / f"submission_{sid}"
        sub.mkdir()
        if sid in plan.invalid:
            (sub / "td_gradients.zip").write_bytes(b"PK\x03\x04 not really a zip")
        else:
            text = solution + "".join(f"\n\n{code}\n" for code in extra[sid])
            if sid in plan.errors:
                text = text.replace("def ", "def (", 1)
            (sub / "td_gradients.py").write_text(text, encoding="utf-8")
        hour = "23:30" if sid in plan.late else "20:15"
        lines.append(f"submission_{sid}:\n  :submitters:\n  - :name: Étudiant {i:03d}\n    :sid: '2026{i:04d}'\n"
                     f"    :email: s{i}@example.org\n  :created_at: 2026-02-0{5 if sid in plan.late else 4} "
                     f"{hour}:00.000000000 -05:00\n")
    (export / "submission_metadata.yml").write_text("".join(lines), encoding="utf-8")
    plan.export = export
    return export, plan


@pytest.fixture(scope="module")
def class200(tmp_path_factory):
    from autograder.batch import grade_batch

    assignment = load_assignment("td-gradients")
    folder = tmp_path_factory.mktemp("class200")
    export, plan = make_class(folder, assignment)
    out = folder / "out"
    outcome = grade_batch(assignment, [export], out=out, jobs=2, due=DUE)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return assignment, outcome, out, summary, plan


def _answers_of(summary: dict, check_id: str) -> list[tuple[str, int]]:
    entry = next(c for c in summary["wrong_answers"] if c["id"] == check_id)
    return [(a["preview"], a["count"]) for a in entry["answers"]]


def test_class_of_200_summary_shows_the_planted_answers(class200):
    assignment, outcome, out, summary, plan = class200
    by_id = {r.submission: r for r in outcome.results}
    assert outcome.graded == N
    assert {by_id[s].status for s in plan.errors} == {"error"}
    assert {by_id[s].status for s in plan.invalid} == {"invalid"}
    graded = N - len(plan.errors) - len(plan.invalid)
    assert summary["failures_over"] == graded == summary["item_analysis"]["over"]
    # 30% of the class gave Q9's order for Q8: the most frequent answer, by far
    cluster = next(c for c in summary["wrong_answers"] if c["id"] == "q8-ordre")
    top = cluster["answers"][0]
    assert (top["preview"], top["count"], top["share"]) == ("{'N': 1, 'H': 2}", 60, round(60 / graded, 6))
    assert cluster["failed"] == 60 and cluster["distinct"] == 1
    assert _answers_of(summary, "q3a-formule")[0] == ("'A @ (A @ x - b)'", len(plan.transpose))
    coin = next(c for c in summary["wrong_answers"] if c["id"] == "q9-chaine")["answers"][0]
    assert (coin["preview"], coin["count"], coin["asked"]) == ("12", len(plan.coin),
                                                               "multiplications_depuis_sortie([1, 1, 4, 4, 12])")
    jacobian = dict(_answers_of(summary, "q3b-formule"))
    assert jacobian["'B.T'"] == 3 and jacobian["'</code><script>alert(1)</script>'"] == 2
    # the failing checks no longer count the 5 submissions that did not run: 3 errors, 2 unreadable
    failing = {f["id"]: f["count"] for f in summary["top_failing_checks"]}
    assert failing["q8-ordre"] == 60 and all(count < graded for count in failing.values())


def test_class_of_200_item_analysis_matches_numpy(class200):
    assignment, outcome, out, summary, plan = class200
    graded = [r for r in outcome.results if r.status == "graded"]
    auto = [q.id for q in assignment.questions if q.graded == "auto"]
    scores = np.array([[next(q.score for q in r.questions if q.id == qid) for qid in auto] for r in graded])
    rest = scores.sum(axis=1, keepdims=True) - scores
    by_id = {q["id"]: q for q in summary["questions"]}
    for j, qid in enumerate(auto):
        if scores[:, j].std() == 0:
            assert by_id[qid]["discrimination"] is None and by_id[qid]["discrimination_reason"] == "same_score"
            continue
        r = np.corrcoef(scores[:, j], rest[:, j])[0, 1]
        assert by_id[qid]["discrimination"] == pytest.approx(r, abs=1e-6), qid
        assert by_id[qid]["poor_discrimination"] == (r < 0.2)
    # the weak made the mistakes of q8, q6 and q7 (q7 uses q6's function): those discriminate;
    # q9's coin does not
    assert min(by_id[q]["discrimination"] for q in ("q6", "q7", "q8")) > 0.3
    assert by_id["q9"]["poor_discrimination"] is True
    assert by_id["q5"]["discrimination"] is None  # everyone's right: says nothing


def test_class_of_200_shared_unusual_answers_find_the_pair_then_the_trio(class200):
    assignment, outcome, out, summary, plan = class200
    shared = summary["shared_unusual_answers"]
    assert shared["rare"] == default_rare(N - len(plan.invalid)) == 4
    first, second = shared["groups"][:2]
    assert first["submissions"] == sorted(plan.pair)
    assert sorted(a["check"] for a in first["answers"]) == ["q3c-formule-P", "q9-ordre", "q9-reseau"]
    assert {a["count"] for a in first["answers"]} == {2}
    assert first["score"] == pytest.approx(3 * math.log((N - 2) / 2), abs=1e-3)
    assert second["submissions"] == sorted(plan.trio)
    assert {a["check"] for a in second["answers"]} >= {"q3c-formule-Q", "q8-reseau"}
    listed = {s for g in shared["groups"] for s in g["submissions"]}
    assert not listed & set(plan.chance), "one unusual answer in common is chance: not listed"
    row = next(s for s in summary["students"] if s["submission"] == plan.pair[0])
    assert row["names"][0].startswith("Étudiant") and row["status"] == "graded"
    assert sum(s["late"] is True for s in summary["students"]) == summary["late"] == len(plan.late)


def test_resumed_batch_keeps_the_answers(class200):
    from autograder.batch import grade_batch

    assignment, outcome, out, summary, plan = class200
    again = grade_batch(assignment, [plan.export], out=out, jobs=1, due=DUE)
    assert again.graded == 0 and again.reused == N
    resumed = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert resumed["wrong_answers"] == summary["wrong_answers"]
    assert resumed["shared_unusual_answers"] == summary["shared_unusual_answers"]


def _chromium(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_class_of_200_report_in_chromium(class200, tmp_path):
    assignment, outcome, out, summary, plan = class200
    report = out / "report.html"
    page = report.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the DOM a browser builds: the sections, the cluster, the pair, the students
    dom = _chromium(report.resolve().as_uri(), tmp_path, "--dump-dom").stdout
    t = LABELS["fr"]
    text = unescape(dom)
    for key in ("answers_title", "shared_title", "students_title", "discrimination_note", "failures_note"):
        assert t[key].split("{")[0] in text, key
        assert LABELS["en"][key].split("{")[0] not in text, key  # a French class: all in French
    assert "{'N': 1, 'H': 2}" in text
    shared = dom.split(escape(t["shared_title"]))[1]
    assert all(f"<code>{sid}</code>" in shared.split("</tr>")[1] for sid in plan.pair)  # the first group listed
    assert dom.count("<tr>") >= N
    # the sort works: the page's script, clicked by a test script allowed by its hash in a copy
    probe = ("document.querySelectorAll('table.students th button')[3].click();"
             "document.querySelectorAll('table.students th button')[3].click();"
             "document.title = Array.from(document.querySelectorAll('table.students tbody tr'))"
             ".map((r) => r.cells[3].dataset.v).join(',');")
    allowed = base64.b64encode(hashlib.sha256(probe.encode()).digest()).decode()
    copy = tmp_path / "sorted.html"
    copy.write_text(page.replace(f"script-src {script_source()}", f"script-src {script_source()} 'sha256-{allowed}'")
                    .replace("</body>", f"<script>{probe}</script></body>"), encoding="utf-8")
    sorted_dom = _chromium(copy.resolve().as_uri(), tmp_path, "--dump-dom").stdout
    title = re.search(r"<title>(.*?)</title>", sorted_dom).group(1)
    totals = [float(v) for v in title.split(",")]
    assert len(totals) == N and totals == sorted(totals, reverse=True) and totals[0] == assignment.auto_points
    # a screenshot of the whole page, kept beside the report to look at
    shot = tmp_path / "report.png"
    done = _chromium(report.resolve().as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1280,9000")
    assert shot.exists(), done.stderr[-2000:]
    shutil.copyfile(shot, out / "screenshot.png")


def test_the_page_runs_no_script_but_its_own():
    page = class_report_html(_shared_class(), DEMO)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
    assert scripts == [SORT_SCRIPT]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert policy.endswith(f"script-src {script_source()}") and "default-src 'none'" in policy
    assert "unsafe" not in policy.split("script-src")[1]  # no inline script but this one, no eval
    assert ".innerHTML" not in SORT_SCRIPT and "eval(" not in SORT_SCRIPT  # it moves rows, never writes markup


def test_a_bad_rare_threshold_stops_the_batch_before_it_grades(tmp_path, monkeypatch):
    from autograder import batch

    monkeypatch.setattr(batch, "_run", lambda *a, **k: pytest.fail("graded before the option was checked"))
    (tmp_path / "alice.py").write_text("X = 1\n")
    with pytest.raises(UsageError, match="rare must be a whole number of submissions, 2 or more"):
        batch.grade_batch(load_assignment("td-gradients"), [tmp_path / "alice.py"], out=tmp_path / "out", rare=1)
