"""The class report: summary.json (checked against numbers computed by hand) and report.html
(self-contained, escaped, in the assignment's language, and drawn by a real browser)."""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import subprocess
import time
from dataclasses import replace
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.assignment import Assignment, Question, load_assignment
from autograder.grading import grade
from autograder.report.html import LABELS, STATUS_COLOURS, class_report_html, write_class_report
from autograder.report.html_analysis import SORT_SCRIPT, script_source
from autograder.report.summary import class_summary, write_summary_json
from autograder.results import CheckResult, QuestionScore, Results

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "<script>alert(1)</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- a small class, by hand -------------------------------------------------------------------

DEMO = Assignment(
    id="demo", title="Demo", language="en", root=Path("."), starter="demo.py",
    questions=(Question("q1", "First", 4.0, "auto"), Question("q2", "Second", 6.0, "auto"),
               Question("q3", "Proof", 5.0, "hand")),
    checks=(), helpers=None, solution_dir=None,
)
#: check id -> (question, points)
DEMO_CHECKS = {"q1-a": ("q1", 2.0), "q1-b": ("q1", 2.0), "q2-a": ("q2", 0.0), "q2-b": ("q2", 6.0)}


def demo_results(key: str, outcome: dict[str, tuple[float, bool, str]], status: str = "graded",
                 **kwargs) -> Results:
    """``outcome``: check id -> (score, passed, feedback)."""
    checks = tuple(
        CheckResult(id=cid, question=q, name=f"check {cid}", number=f"{q[1:]}.{i}", score=outcome[cid][0],
                    max_score=points, hidden=cid.endswith("b"), visibility="visible", passed=outcome[cid][1],
                    feedback=outcome[cid][2] or "correct")
        for i, (cid, (q, points)) in enumerate(DEMO_CHECKS.items(), start=1))
    questions = tuple(
        QuestionScore(q.id, q.title, q.points, q.graded,
                      None if q.graded == "hand" else sum(c.score for c in checks if c.question == q.id))
        for q in DEMO.questions)
    return Results(assignment_id="demo", assignment_title="Demo", language="en", submission=key, checks=checks,
                   questions=questions, status=status, **kwargs)


OK = (True, "")


def _nothing_ran(r: Results) -> Results:
    """As grading marks a submission whose file raised before defining anything: every check not run."""
    return replace(r, checks=tuple(replace(c, not_run="the submission did not load") for c in r.checks))


def small_class() -> list[Results]:
    """Five submissions; their totals are 10, 6.5, 0, 0 and 8."""
    return [
        demo_results("A", {"q1-a": (2, *OK), "q1-b": (2, *OK), "q2-a": (0, *OK), "q2-b": (6, *OK)}),
        demo_results("B", {"q1-a": (2, *OK), "q1-b": (0, False, "wrong sign"), "q2-a": (0, *OK),
                           "q2-b": (4.5, False, "off by one")}, metadata={"late": True}),
        _nothing_ran(demo_results("C", {"q1-a": (0, False, "missing f"), "q1-b": (0, False, "missing f"),
                                        "q2-a": (0, False, "missing g"), "q2-b": (0, False, "missing g")},
                                  status="error", causes=("your file raised NameError at line 3: name 'x' is not defined",))),
        demo_results("D", {cid: (0, False, "D.zip: not a readable zip file") for cid in DEMO_CHECKS},
                     status="invalid", notes=("D.zip: not a readable zip file",)),
        demo_results("E", {"q1-a": (2, *OK), "q1-b": (0, False, "wrong sign"), "q2-a": (0, *OK),
                           "q2-b": (6, *OK)}, late=True),
    ]


def test_summary_matches_hand_computed_values():
    s = class_summary(small_class(), DEMO)
    assert s["assignment"] == {"id": "demo", "title": "Demo", "language": "en"}
    assert s["submissions"] == 5
    assert s["status_counts"] == {"graded": 3, "error": 1, "timeout": 0, "crashed": 0, "invalid": 1}
    assert s["late"] == 2 and s["late_known"] == 2
    assert (s["auto_points"], s["hand_points"]) == (10, 5)
    # totals 10, 6.5, 0, 0, 8: sum 24.5; squared deviations from 4.9 add up to 86.2
    assert s["total"] == pytest.approx({"mean": 4.9, "median": 6.5, "max": 10, "min": 0,
                                        "std": math.sqrt(86.2 / 5)}, abs=1e-6)
    q1, q2 = s["questions"]
    assert [q1["id"], q2["id"]] == ["q1", "q2"]  # the hand-graded q3 is not ours to summarise
    # item analysis over the graded A, B, E: q1 4, 2, 2 against the rest (q2) 6, 4.5, 6, and the
    # other way round: deviations (4/3, -2/3, -2/3) and (1/2, -1, 1/2) give r = 1 / sqrt(8/3 * 3/2) = 0.5
    item = {"top_failing_checks": None, "discrimination": 0.5, "discrimination_reason": None,
            "poor_discrimination": False}
    # q1: 4, 2, 0, 0, 2
    assert q1 | {"top_failing_checks": None} == pytest.approx({
        "id": "q1", "title": "First", "max_points": 4, "mean": 1.6, "median": 2, "max": 4, "min": 0,
        "success_rate": 0.4, "full_marks_share": 0.2} | item)
    # q2: 6, 4.5, 0, 0, 6 (B's partial 4.5 is not full marks)
    assert q2 | {"top_failing_checks": None} == pytest.approx({
        "id": "q2", "title": "Second", "max_points": 6, "mean": 3.3, "median": 4.5, "max": 6, "min": 0,
        "success_rate": 0.55, "full_marks_share": 0.4} | item)
    assert s["item_analysis"] == {"over": 3, "poor_below": 0.2}
    # failing, among the 3 submissions that ran to the end (C errored, D is unreadable: listed
    # apart): q1-b by B and E ("wrong sign" twice); q2-b by B (partial)
    assert s["failures_over"] == 3
    overall = [(f["id"], f["count"], f["feedback"], f["feedback_count"]) for f in s["top_failing_checks"]]
    assert overall == [("q1-b", 2, "wrong sign", 2), ("q2-b", 1, "off by one", 1)]
    assert [f["id"] for f in q1["top_failing_checks"]] == ["q1-b"]
    assert [f["id"] for f in q2["top_failing_checks"]] == ["q2-b"]
    first = s["top_failing_checks"][0]
    assert first | {"share": None} == {"id": "q1-b", "question": "q1", "number": "1.2", "name": "check q1-b",
                                       "max_score": 2.0, "hidden": True, "count": 2, "ran": 3, "share": None,
                                       "feedback": "wrong sign", "feedback_count": 2}
    assert first["share"] == pytest.approx(2 / 3)


def test_without_a_due_date_lateness_is_unknown_not_zero():
    on_time = small_class()[0]  # no lateness of any kind: no due date, or no submission times
    s = class_summary([on_time, replace(on_time, submission="A2")], DEMO)
    assert s["late"] is None and s["late_known"] == 0
    page = class_report_html([on_time], DEMO)
    card = re.search(r"<div class=label>Late</div><div class=value>(.*?)</div><div class=small>(.*?)</div>", page)
    assert card.groups() == ("–", escape(LABELS["en"]["late_unknown"]))
    # with a due date, a batch sets hours_late: none late is then a real 0
    known = replace(on_time, metadata={"created_at": "2026-02-04T12:00:00", "hours_late": 0.0})
    assert class_summary([known], DEMO)["late"] == 0
    assert "<div class=label>Late</div><div class=value>0</div>" in class_report_html([known], DEMO)


def test_most_common_failures_count_only_submissions_that_ran():
    """Errored and unreadable submissions fail every check for one reason each, and are listed
    apart: counted among the failures, 30 of them buried the one mistake the class made."""
    good = small_class()[4]  # E: fails q1-b ("wrong sign")
    broken = small_class()[2]  # C: errored, fails everything
    unreadable = small_class()[3]  # D: invalid
    klass = ([replace(good, submission=f"E{i}") for i in range(4)]
             + [replace(broken, submission=f"C{i}") for i in range(15)]
             + [replace(unreadable, submission=f"D{i}") for i in range(15)])
    s = class_summary(klass, DEMO)
    assert s["failures_over"] == 4
    assert [(f["id"], f["count"], f["share"]) for f in s["top_failing_checks"]] == [("q1-b", 4, 1.0)]
    page = class_report_html(klass, DEMO)
    assert escape(LABELS["en"]["failures_note"].format(n=4, others=30)) in page
    problems = page.split(escape(LABELS["en"]["problems_title"]))[1]
    assert all(f"<code>{r}</code>" in problems for r in ("C0", "C14", "D0", "D14"))


def test_report_and_summary_are_readable_by_everyone_as_the_other_outputs(tmp_path):
    import os
    import stat

    previous = os.umask(0o022)  # what a TA's shell has: the files are 0644, as results/*.json
    try:
        report = write_class_report(small_class(), DEMO, tmp_path / "report.html")
        summary = write_summary_json(small_class(), DEMO, tmp_path / "summary.json")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(report.stat().st_mode) == 0o644  # it was 0600: mkstemp's
    assert stat.S_IMODE(summary.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "summary.json"]  # no temporary file left


def test_invalid_submissions_count_as_zero_even_with_points_left_over():
    a = small_class()[0]  # 10 points
    s = class_summary([a, replace(a, submission="A2", status="invalid")], DEMO)
    assert s["total"]["mean"] == 5 and s["total"]["min"] == 0
    assert [q["mean"] for q in s["questions"]] == [2, 3]
    assert [q["full_marks_share"] for q in s["questions"]] == [0.5, 0.5]


def test_empty_class():
    s = class_summary([], DEMO)
    assert s["submissions"] == 0 and s["total"]["mean"] is None and s["top_failing_checks"] == []
    json.dumps(s, allow_nan=False)
    page = class_report_html([], DEMO)
    assert "data:image/png" not in page and escape(LABELS["en"]["no_submissions"]) in page


# --- a realistic class: the example submissions, graded, then varied --------------------------

def _graded_examples(assignment_id: str, sandbox) -> tuple[Assignment, list[Results]]:
    a = load_assignment(assignment_id)
    return a, [grade(a, p, sandbox=sandbox, key=p.stem) for p in sorted((a.root / "examples").glob("*.py"))]


def make_class(examples: list[Results], size: int = 60) -> list[Results]:
    """``size`` students, each a copy of an example, with names; one hostile name, one timeout,
    one invalid file, and markup in a key, a note and a feedback."""
    out = []
    for i in range(size):
        base = examples[(i * 7) % len(examples)]
        name = HOSTILE if i == 2 else f"Student {i:03d}"
        out.append(replace(base, submission=f"s{i:03d}", late=i % 9 == 0, metadata={
            "submitters": [{"name": name, "sid": f"{i:08d}", "email": f"s{i}@example.org"}],
            "created_at": f"2020-02-{1 + i % 28:02d}T12:00:00"}))
    # the hostile student's file does not run, so they are listed with their note
    hostile = out[2]
    out[2] = replace(hostile, submission="<b>s002</b>", status="error",
                     notes=("your file raised ValueError at line 1: <img src=x onerror=alert(1)>",),
                     checks=tuple(replace(c, score=0.0, passed=False, feedback="</td><i>pwned</i>")
                                  for c in hostile.checks))
    out[3] = replace(out[3], status="timeout", notes=())
    out[4] = replace(out[4], status="invalid", notes=("s004.zip: not a readable zip file (bad CRC)",),
                     checks=tuple(replace(c, score=0.0, passed=False, feedback="s004.zip: not a readable zip file")
                                  for c in out[4].checks))
    return out


@pytest.fixture(scope="module")
def english(sandbox):
    a, examples = _graded_examples("ift6135-h20-hw1", sandbox)
    return a, make_class(examples)


@pytest.fixture(scope="module")
def french(sandbox):
    a, examples = _graded_examples("ift6135-h23-hw1", sandbox)
    return a, make_class(examples)


@pytest.fixture(scope="module")
def english_report(english, tmp_path_factory):
    a, results = english
    return write_class_report(results, a, tmp_path_factory.mktemp("report") / "report.html")


def _plain(value) -> bool:
    """Only JSON's own types (numpy's float64 is a float subclass: exact types here)."""
    if type(value) in (str, int, float, bool) or value is None:
        return not (type(value) is float and not math.isfinite(value))
    if type(value) is list:
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False


def test_summary_of_a_real_class_is_plain_json(english, tmp_path):
    a, results = english
    s = class_summary(results, a)
    assert _plain(s)
    assert json.loads(json.dumps(s, allow_nan=False)) == s
    path = write_summary_json(results, a, tmp_path / "out" / "summary.json")
    assert json.loads(path.read_text(encoding="utf-8")) == s
    assert not [p for p in path.parent.iterdir() if p.name != "summary.json"]  # no temporary file left
    assert s["submissions"] == 60 and sum(s["status_counts"].values()) == 60
    assert [q["id"] for q in s["questions"]] == [q.id for q in a.questions if q.graded == "auto"]
    assert len(s["top_failing_checks"]) == 10
    assert all(len(q["top_failing_checks"]) <= 5 for q in s["questions"])
    counts = [f["count"] for f in s["top_failing_checks"]]
    assert counts == sorted(counts, reverse=True)
    # the summary agrees with the gradebook's own totals
    mean = sum(0 if r.status == "invalid" else r.score for r in results) / len(results)
    assert s["total"]["mean"] == pytest.approx(mean, abs=1e-6)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_report_is_self_contained(english_report):
    page = english_report.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "http://" not in page and "https://" not in page
    tags = _tags(page)
    assert not [t for t, _ in tags if t in ("link", "iframe", "object", "embed")]
    # one script, the page's own (it sorts the students' table), inline and allowed by its hash only
    assert [attrs for t, attrs in tags if t == "script"] == [{}]
    assert re.findall(r"<script>(.*?)</script>", page, re.S) == [SORT_SCRIPT]
    assert f"script-src {script_source()}\">" in page
    images = [attrs["src"] for t, attrs in tags if t == "img"]
    assert len(images) == 2  # the score histogram and the per-question success rates
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_SIGNATURE)
    assert "<style>" in page and "Content-Security-Policy" in page


def test_report_shows_counts_questions_failures_and_problem_submissions(english, english_report):
    a, results = english
    page = english_report.read_text(encoding="utf-8")
    s = class_summary(results, a)
    t = LABELS["en"]
    assert '<html lang="en">' in page
    for label in ("scores_title", "questions_title", "failures_title", "problems_title"):
        assert escape(t[label]) in page
    assert f"<b>{s['status_counts']['graded']}</b>" in page
    for f in s["top_failing_checks"]:
        assert f"<code>{f['id']}</code>" in page
    # every submission that errored, crashed, timed out or was invalid is listed, and no other
    problem_rows = re.findall(r"<tr><td><code>(.*?)</code></td>", page.split(escape(t["problems_title"]))[1])
    expected = {r.submission for r in results if r.status != "graded"}
    assert {s.replace("&lt;", "<").replace("&gt;", ">") for s in problem_rows} == expected
    assert "s004.zip: not a readable zip file (bad CRC)" in page
    # hardest question first in the table
    rates = [q["success_rate"] for q in s["questions"]]
    hardest = s["questions"][rates.index(min(rates))]["id"]
    table = page.split(escape(t["questions_table"]))[1]
    assert re.search(r"<code>(.*?)</code>", table).group(1) == hardest


def test_hostile_text_is_escaped(english_report):
    page = english_report.read_text(encoding="utf-8")
    assert HOSTILE not in page and "<img src=x" not in page and "<i>pwned" not in page and "<b>s002" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;s002&lt;/b&gt;" in page
    tags = _tags(page)
    assert not [t for t, _ in tags if t == "i"]
    assert re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S) == [SORT_SCRIPT]  # no other script
    assert not [(t, k) for t, attrs in tags for k in attrs if k.startswith("on")]


def test_french_assignment_gets_french_labels(french, tmp_path):
    a, results = french
    assert a.language == "fr"
    page = write_class_report(results, a, tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    for key in ("report", "scores_title", "questions_title", "failures_title", "problems_title", "full_marks"):
        assert escape(LABELS["fr"][key]) in page
    for key in ("scores_title", "failures_title", "problems_title"):
        assert escape(LABELS["en"][key]) not in page
    assert "délai dépassé" in page and "invalide" in page


def test_label_catalogues_have_the_same_keys_and_placeholders():
    en, fr = LABELS["en"], LABELS["fr"]
    assert en.keys() == fr.keys()
    for key in en:
        assert set(re.findall(r"\{(\w+)\}", en[key])) == set(re.findall(r"\{(\w+)\}", fr[key])), key


def test_large_class_renders_fast(english, tmp_path):
    a, results = english
    big = [replace(r, submission=f"{r.submission}-{k}") for k in range(9) for r in results][:500]
    class_report_html(results[:5], a)  # imports and caches out of the timing
    started = time.perf_counter()
    write_class_report(big, a, tmp_path / "big.html")
    assert time.perf_counter() - started < 4.0


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_headless_chromium_draws_the_report(english_report, tmp_path):
    from matplotlib.image import imread
    import numpy as np

    shot = tmp_path / "report.png"
    profile = tmp_path / "profile"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1280,2000",
           english_report.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.exists(), f"no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    keep = Path(english_report).with_name("screenshot.png")  # beside the report, to look at by hand
    shutil.copyfile(shot, keep)
    assert shot.read_bytes()[:8] == PNG_SIGNATURE
    pixels = imread(shot)[..., :3]  # floats in [0, 1]
    assert pixels.shape[:2] == (2000, 1280)
    rgb = np.round(pixels * 255).astype(int)
    not_white = (rgb < 245).any(axis=2).mean()
    assert 0.05 < not_white < 0.9, not_white
    # the plots are there: several distinct saturated colours, among them the histogram's blue
    saturated = rgb[(rgb.max(axis=2) - rgb.min(axis=2)) > 60]
    assert len(saturated) > 5000
    colours, counts = np.unique(saturated // 32, axis=0, return_counts=True)
    assert (counts > 200).sum() >= 4, colours[counts > 200]
    blue = np.array([int(STATUS_COLOURS["graded"][i:i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(rgb - blue).max(axis=2) <= 12).sum() > 1000


def test_the_plots_drawn_in_a_forked_process_are_the_ones_drawn_here(english, monkeypatch):
    import multiprocessing

    from autograder.report import html

    a, results = english
    summary = class_summary(results, a)
    t = html.LABELS["en"]
    forked = html._plots(results, summary, t, "en")

    def no_fork(method):
        raise ValueError(f"cannot find context for {method!r}")

    monkeypatch.setattr(multiprocessing, "get_context", no_fork)  # as on a platform without fork
    here = html._plots(results, summary, t, "en")
    assert forked[1] is not None and forked[1].startswith(PNG_SIGNATURE)
    assert forked == here  # both pictures, byte for byte


def test_the_report_warm_up_draws_without_touching_pyplot():
    import sys

    from autograder.report.html import warm_up

    had_pyplot = "matplotlib.pyplot" in sys.modules
    warm_up()  # a batch runs it in a thread while it grades: an error there would go unseen
    assert ("matplotlib.pyplot" in sys.modules) == had_pyplot  # the object API only: no global figure state


# --- the terminal: nothing a student wrote acts on it ------------------------------------------

@pytest.mark.parametrize("text, shown", [
    ("a\x1b]0;pwned title\x07b", "ab"),
    ("a\x1b]0;pwned title\x1b\\b", "ab"),
    ("\x1b[2J\x1b[1;31mred\x1b[0m", "red"),
    ("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),
    ("a\x9b31mb\x9d0;t\x9c", "a31mb0;t"),
    ("a\x1bP1$r\x1b\\b\x1b_apc\x1b\\c\x1bcd\x1b(Be", "abcde"),
    ("passed\roverwritten", "passedoverwritten"),
    ("a\x7f\x08\x00\x0b\x0cb", "ab"),
    ("\u202egnp.exe\u2066", "gnp.exe"),
    ("line 1\r\nline\t2\n✓ é 中", "line 1\nline\t2\n✓ é 中"),
    ("unterminated \x1b]0;title", "unterminated "),
], ids=["osc_title_bel", "osc_title_st", "csi_clear_and_colour", "osc8_hidden_link", "c1_8bit_csi_osc",
        "dcs_apc_reset_charset", "lone_carriage_return", "c0_del_backspace", "bidi_override", "keeps_text",
        "unterminated_osc"])
def test_terminal_safe_strips_what_a_terminal_acts_on(text, shown):
    from autograder.report.text import terminal_safe

    assert terminal_safe(text) == shown


def test_score_table_strips_escapes_from_a_submission_name():
    from autograder.report.text import score_table

    table = score_table([demo_results("\x1b]0;pwned\x07alice\x1b[2J", {c: (0.0, False, "x") for c in DEMO_CHECKS})])
    assert "\x1b" not in table and "\x07" not in table and "alice" in table
