"""otter-grader compatibility (autograder/otter/): otter's scores, our isolation.

The comparison tests build the autograder zips with the real ``otter generate`` / ``otter
assign``, grade the fixture submissions with the real ``otter run`` (one process, a fresh
kernel and grading folder per submission: nothing cached) and with ours, and compare the
scores question by question. They are skipped without otter-grader; the rest runs without it.

Fixtures (tests/fixtures/otter/, sources in build_fixtures.py): ``demo/`` has six test files,
OK-format and exception-based, hidden cases, per-case and per-file points, all-or-nothing,
messages, an expected exception and a numpy scalar repr; ``seeded/`` uses otter's intercell
seeding; ``master/`` is an otter-assign master notebook.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from autograder.assignment import load_assignment
from autograder.errors import ConfigError, SandboxError, UsageError
from autograder.grading import grade, sandbox_for
from autograder.otter import is_otter_source
from autograder.otter.doctests import numpy1_reprs
from autograder.otter.loader import read_source
from autograder.otter.model import OtterAssignment, load_otter_assignment
from autograder.otter.runner import Refused, guarded_compare
from autograder.packaging import REQUIREMENTS, build
from autograder.otter import environment, testfiles
from autograder.otter.testfiles import parse_test, resolve_points
from autograder.report.gradescope import gradescope_json
from autograder.sandbox import Sandbox, detect_isolation

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "otter"
DEMO = FIX / "demo"
SUBS = DEMO / "submissions"
QUESTIONS = ("q1", "q2", "q3", "q4", "q5", "q6")
COMPARED = ("perfect", "partial", "broken", "slow", "hostile_patch", "hostile_tricks")

#: our scores, per question (the reasons are in docs/otter.md)
EXPECTED = {
    "perfect": (3, 3, 1, 4, 1, 2),
    "partial": (1, 0, 2 / 3, 3, 1, 1),
    "broken": (3, 0, 0, 4, 0, 0),
    "slow": (3, 3, 1, 4, 0.5, 2),
    "hostile_patch": (0, 0, 0, 0, 0, 0),
    "hostile_tricks": (0, 3, 1, 0, 1, 1),
}
#: where otter falls for a trick that ours refuses: otter's score there
OTTER_FOOLED = {
    **{("hostile_patch", q): full for q, full in zip(QUESTIONS, (3, 3, 1, 4, 1, 2))},  # its runner patched
    ("hostile_tricks", "q1"): 1,  # `answer == 42` with an always-equal object
    ("hostile_tricks", "q4"): 4,  # `assert fact(3) == 6` with an always-equal object
    ("hostile_tricks", "q6"): 2,  # the hidden test read from tests/q6.py on otter's disk
}


def _harness():
    spec = importlib.util.spec_from_file_location("otter_harness", FIX / "otter_harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scores(results) -> dict[str, float]:
    return {q.id: q.score for q in results.questions}


def _grade_all(assignment, paths, **kwargs):
    with Sandbox(workers=1, preload=assignment.preload, limits=assignment.limits) as box:
        return {Path(p).stem: grade(assignment, p, sandbox=box, **kwargs) for p in paths}


@pytest.fixture(scope="module")
def demo():
    return load_assignment(DEMO)


@pytest.fixture(scope="module")
def demo_results(demo):
    return _grade_all(demo, [SUBS / f"{name}.ipynb" for name in COMPARED])


@pytest.fixture(scope="module")
def otter_world(tmp_path_factory):
    """The real otter: zips built by otter generate/assign, and its scores on every fixture."""
    pytest.importorskip("otter")
    harness = _harness()
    tmp = tmp_path_factory.mktemp("otter")
    demo_zip = harness.generate(DEMO / "tests", DEMO / "otter_config.json", tmp / "demo-autograder.zip")
    seeded_zip = harness.generate(FIX / "seeded" / "tests", FIX / "seeded" / "otter_config.json", tmp / "seeded.zip")
    dist = harness.assign(FIX / "master" / "hw.ipynb", tmp / "dist")
    master_zip = next((dist / "autograder").glob("*.zip"))
    jobs = [{"key": name, "autograder": demo_zip, "submission": SUBS / f"{name}.ipynb", "numpy1": True}
            for name in COMPARED]
    jobs.append({"key": "perfect-numpy2", "autograder": demo_zip, "submission": SUBS / "perfect.ipynb", "numpy1": False})
    jobs.append({"key": "seeded", "autograder": seeded_zip, "submission": FIX / "seeded" / "submissions" / "draws.ipynb",
                 "numpy1": True})
    jobs.append({"key": "master-half", "autograder": master_zip, "submission": FIX / "master" / "submissions" / "half.ipynb",
                 "numpy1": True})
    return {"demo_zip": demo_zip, "seeded_zip": seeded_zip, "dist": dist, "master_zip": master_zip,
            "scores": harness.run_scores(jobs)}


# --------------------------------------------------------------------------- same scores as otter run


def test_demo_scores_as_documented(demo_results):
    for name, expected in EXPECTED.items():
        got = _scores(demo_results[name])
        assert got == pytest.approx(dict(zip(QUESTIONS, expected)), abs=1e-5), name


def test_same_scores_as_otter_run_per_question(otter_world):
    """Ours on the zip otter generate made vs otter run on it: equal, except the refused tricks."""
    demo_zip = load_assignment(otter_world["demo_zip"])
    ours = _grade_all(demo_zip, [SUBS / f"{name}.ipynb" for name in COMPARED])
    for name in COMPARED:
        theirs = otter_world["scores"][name]["scores"]
        assert set(theirs) == set(QUESTIONS), name
        mine = _scores(ours[name])
        for q in QUESTIONS:
            if (name, q) in OTTER_FOOLED:
                assert theirs[q] == pytest.approx(OTTER_FOOLED[(name, q)]), (name, q)
                assert mine[q] < theirs[q], (name, q)
            else:
                assert mine[q] == pytest.approx(theirs[q], abs=1e-5), (name, q, mine[q], theirs[q])
        assert mine == pytest.approx(dict(zip(QUESTIONS, EXPECTED[name])), abs=1e-5), name
        assert sum(otter_world["scores"][name]["possible"].values()) == demo_zip.auto_points


def test_numpy2_reprs_do_not_fail_correct_answers(otter_world, demo_results):
    """Under numpy 2, otter prints np.True_ / np.float64(3.0) and fails q3's correct answers; ours does not."""
    plain = otter_world["scores"]["perfect-numpy2"]["scores"]
    assert plain["q3"] == pytest.approx(1 / 3)
    assert _scores(demo_results["perfect"])["q3"] == 1


def test_intercell_seeding_like_otter(otter_world, tmp_path):
    sub = FIX / "seeded" / "submissions" / "draws.ipynb"
    assert otter_world["scores"]["seeded"]["scores"] == {"r1": 3.0}
    seeded = load_assignment(otter_world["seeded_zip"])
    assert _scores(_grade_all(seeded, [sub])["draws"]) == {"r1": 3.0}
    unseeded = tmp_path / "unseeded"
    shutil.copytree(FIX / "seeded", unseeded)
    (unseeded / "otter_config.json").write_text('{"assignment_name": "seeded"}')
    assert _scores(_grade_all(load_assignment(unseeded), [sub])["draws"])["r1"] < 3


def test_master_notebook_in_every_form_scores_like_otter(otter_world):
    """The master notebook itself, otter assign's autograder notebook (tests in metadata), its zip."""
    dist = otter_world["dist"]
    sources = [FIX / "master" / "hw.ipynb", dist / "autograder" / "hw.ipynb", otter_world["master_zip"]]
    subs = [FIX / "master" / "submissions" / f"{name}.ipynb" for name in ("right", "half")]
    for source in sources:
        assignment = load_assignment(source)
        assert [(q.id, q.points) for q in assignment.questions] == [("a1", 2.0), ("a2", 4.0)], source
        results = _grade_all(assignment, subs)
        assert _scores(results["half"]) == pytest.approx(otter_world["scores"]["master-half"]["scores"]), source
        assert _scores(results["right"]) == {"a1": 2.0, "a2": 4.0}
    assert otter_world["scores"]["master-half"]["scores"] == {"a1": 1.0, "a2": 1.0}


# --------------------------------------------------------------------------- otter's own parsing


POINTS_CASES = [
    (None, [None, None]), (None, [None, 2]), (None, [0, None]), (None, [0, 0]), (3, [1, None, None]),
    (4, [None, None, None]), (2, [2, None]), ([1, 2, 3], [None, None, None]), (1, [None]), (5, [0.5, None]),
]


@pytest.mark.parametrize("total,points", POINTS_CASES)
def test_points_resolve_as_otter_resolves_them(total, points):
    otter_abstract = pytest.importorskip("otter.test_files.abstract_test")
    cases = [otter_abstract.TestCase(f"c{i}", "", False, p, None, None) for i, p in enumerate(points)]
    theirs = [tc.points for tc in otter_abstract.TestFile.resolve_test_file_points(total, cases)]
    assert [tc.points for tc in resolve_points(total, cases)] == pytest.approx(theirs)


def test_points_errors_as_otter():
    otter_abstract = pytest.importorskip("otter.test_files.abstract_test")
    for total, points in ((1, [2, None]), ([1], [None, None]), ("x", [None])):
        cases = [otter_abstract.TestCase(f"c{i}", "", False, p, None, None) for i, p in enumerate(points)]
        with pytest.raises(Exception) as theirs:
            otter_abstract.TestFile.resolve_test_file_points(total, cases)
        with pytest.raises(type(theirs.value)):
            resolve_points(total, cases)


def _spec_view(spec):
    return (spec.name, spec.key, spec.path, spec.kind, spec.all_or_nothing, spec.possible,
            [(c.name, c.hidden, c.points, c.success_message, c.failure_message, c.body, c.lines,
              [(e.source, e.want, e.exc_msg, e.options) for e in c.examples]) for c in spec.cases])


def test_builtin_parser_matches_otters(otter_world):
    """Without otter-grader installed the builtin parser is used: it must read every file the same.

    With it, otter's own test-file modules parse, loaded without otter's heavy package __init__
    ("light"), or the real package when it is already imported: both must agree too.
    """
    import otter.test_files  # noqa: F401 - the real package, for the comparison

    raws = list(read_source(DEMO).tests) + list(read_source(otter_world["dist"] / "autograder" / "hw.ipynb").tests) \
        + list(read_source(FIX / "seeded").tests)
    light = testfiles._otter_classes(light=True)
    assert not light.real and testfiles._otter_classes().real
    for raw in raws:
        real = _spec_view(parse_test(raw, parser="otter"))
        assert _spec_view(parse_test(raw, parser="builtin")) == real, raw.path
        with light.importable():
            assert _spec_view(testfiles._parse(raw, light)) == real, raw.path


def test_without_otter_installed_the_demo_scores_the_same(demo_results):
    builtin = load_otter_assignment(DEMO, parser="builtin")
    results = _grade_all(builtin, [SUBS / "partial.ipynb", SUBS / "hostile_tricks.ipynb"])
    for name in ("partial", "hostile_tricks"):
        assert _scores(results[name]) == _scores(demo_results[name])


def test_points_and_formats_of_the_demo(demo):
    assert [(q.id, q.points) for q in demo.questions] == [("q1", 3), ("q2", 3), ("q3", 1), ("q4", 4), ("q5", 1), ("q6", 2)]
    q1 = demo.checks[0].options["given"]["plan"].spec
    assert [c.points for c in q1.cases] == [1, 1, 1] and q1.kind == "ok" and [c.hidden for c in q1.cases] == [False, True, True]
    q4 = demo.checks[3].options["given"]["plan"].spec
    assert q4.kind == "exception" and [c.points for c in q4.cases] == [1, 1.5, 1.5]
    q5 = demo.checks[4].options["given"]["plan"].spec
    assert [c.points for c in q5.cases] == [0.5, 0.5]
    assert demo.checks[1].options["given"]["plan"].spec.all_or_nothing


def test_sources_are_recognised(otter_world, tmp_path):
    assert is_otter_source(DEMO) and is_otter_source(DEMO / "tests") and is_otter_source(otter_world["demo_zip"])
    assert is_otter_source(FIX / "master" / "hw.ipynb")
    assert not is_otter_source(ROOT / "assignments" / "ift6135-h20-hw1")
    assert not is_otter_source(SUBS / "perfect.ipynb")  # a student notebook without tests in its metadata
    assert not is_otter_source(tmp_path / "missing.zip")
    assert load_assignment("ift6135-h20-hw1").id == "ift6135-h20-hw1"
    assert [q.id for q in load_assignment(DEMO / "tests").questions] == list(QUESTIONS)


def test_unsupported_settings_are_refused(tmp_path):
    folder = tmp_path / "hw"
    shutil.copytree(DEMO, folder)
    for setting in ({"score_threshold": 0.5}, {"grade_from_log": True}, {"plugins": ["x"]}, {"lang": "r"},
                    {"dl_autograder": {"colour": "red"}}):
        (folder / "otter_config.json").write_text(json.dumps(setting))
        with pytest.raises(ConfigError):
            load_assignment(folder)
    (folder / "otter_config.json").write_text("{}")
    (folder / "tests" / "q7.py").write_text("x = 1\n")
    with pytest.raises(ConfigError, match="OK_FORMAT"):
        load_assignment(folder)


# --------------------------------------------------------------------------- isolation


def test_expected_outputs_never_leave_the_grader(demo):
    """The wire to the sandbox: case sources only; a doctest's expected output is not in it."""
    wire = json.dumps([r.wire() for c in demo.checks for r in c.requests(c.inputs(None, 0))])
    for want in ("otter-7731", "[0, 1, 4, 9]", "mean_of needs at least one value"):
        assert want not in wire
    assert ">>> " not in wire and "'want'" not in wire
    public_wire = json.dumps([r.wire() for c in demo.public_checks for r in c.requests(c.inputs(None, 0))])
    for hidden in ("print(secret)", "range(4)", "test_large", "test_env", "isinstance(answer, int)", "collatz_steps(27)"):
        assert hidden not in public_wire and hidden in wire


def test_exception_cases_are_handed_over_one_at_a_time(demo):
    q4 = next(c for c in demo.checks if c.id == "q4")
    sources = [case["source"] for case in q4.payload["cases"]]
    assert len(sources) == 3
    for source, own, others in ((sources[0], "test_small", ("test_large", "test_env")),
                                (sources[1], "test_large", ("test_small", "test_env"))):
        assert own in source and not any(o in source for o in others)
        assert source.count("\n") == sources[2].count("\n")  # same line numbers as the file


def test_test_files_are_not_on_the_students_filesystem(demo, tmp_path):
    box_mode = detect_isolation().mode
    if box_mode != "bwrap":
        pytest.skip(f"{box_mode} mode keeps the grader's files unreadable, not absent (checked by the sandbox's tests)")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os\n"
        f"print('DIRECT', os.path.exists({str(DEMO / 'tests' / 'q6.py')!r}))\n"
        "import re, sys\n"
        "found = [os.path.join(d, f) for top in (os.getcwd(), '/tmp') for d, _, fs in os.walk(top) for f in fs]\n"
        "# the Python installation may itself live under /tmp (a venv in a temporary clone): not a test file\n"
        "found = [f for f in found if not f.startswith((sys.prefix, sys.base_prefix))]\n"
        "print('FOUND', [f for f in found if re.fullmatch(r'q\\d+\\.py|otter_config\\.json|.*\\.zip', os.path.basename(f))])\n"
        "import otter\nprint('OTTER', getattr(otter, '__autograder_stub__', False))\n")
    results = _grade_all(demo, [probe])["probe"]
    assert "DIRECT False" in results.output and "FOUND []" in results.output and "OTTER True" in results.output


def test_hostile_patch_cannot_reach_otters_runner(demo_results):
    r = demo_results["hostile_patch"]
    assert r.score == 0
    # the import that failed is the cause the report shows first
    assert any("No module named 'otter.test_files'" in n for n in (*r.causes, *r.notes)), (r.causes, r.notes)


def test_always_equal_objects_are_refused(demo_results):
    checks = {c.id: c for c in demo_results["hostile_tricks"].checks}
    assert checks["q1"].score == 0 and checks["q4"].score == 0
    public = checks["public-tests"].feedback
    assert "claims to equal any value" in public


class _AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class _Sloppy:
    """Legitimate, if careless: comparisons that return None for foreign types."""

    def __init__(self, v):
        self.v = v

    def __eq__(self, other):
        if isinstance(other, _Sloppy):
            return self.v == other.v

    def __ne__(self, other):
        if isinstance(other, _Sloppy):
            return self.v != other.v

    __hash__ = object.__hash__


def test_guarded_compare_refuses_liars_only():
    for left, op, right in ((_AlwaysEqual(), "==", 42), (42, "==", _AlwaysEqual()), ([_AlwaysEqual()], "==", [1]),
                            (_AlwaysEqual(), "in", [1, 2]), ({"k": _AlwaysEqual()}, "==", {"k": 3}),
                            (np.array([_AlwaysEqual()], dtype=object)[0], "!=", 3)):
        with pytest.raises(Refused):
            guarded_compare(left, op, right)
    assert guarded_compare(Fraction(1, 2), "==", 0.5) is True
    assert guarded_compare(_Sloppy(1), "==", _Sloppy(1)) is True
    assert guarded_compare(np.float64(2.5), "==", 2.5) and guarded_compare([1, (2, 3)], "==", [1, (2, 3)])
    assert bool(guarded_compare(np.arange(3), "==", np.arange(3)).all())
    pd = pytest.importorskip("pandas")
    assert guarded_compare(pd.Series([1, 2]).sum(), "==", 3)
    assert guarded_compare(pd.Series([1, 2]), "==", pd.Series([1, 2])).all()


# --------------------------------------------------------------------------- time limits


def test_a_hanging_case_times_out_alone(demo):
    started = time.monotonic()
    r = _grade_all(demo, [SUBS / "infinite.ipynb"])["infinite"]
    assert time.monotonic() - started < 30
    assert _scores(r) == {"q1": 3, "q2": 3, "q3": 1, "q4": 4, "q5": 0.5, "q6": 2}
    q5 = next(c for c in r.checks if c.id == "q5")
    assert "q5 - 1 result:\n        ✅" in q5.feedback and "q5 - 2 result:\n        ❌" in q5.feedback


def test_a_case_that_swallows_its_timeout_costs_only_its_test(demo):
    """`except BaseException` around an endless loop: the process is stopped, the rest re-asked."""
    started = time.monotonic()
    r = _grade_all(demo, [SUBS / "stubborn.ipynb"])["stubborn"]
    assert time.monotonic() - started < 40
    assert _scores(r) == {"q1": 3, "q2": 3, "q3": 1, "q4": 4, "q5": 0, "q6": 2}
    assert r.status == "crashed"


def test_a_test_that_ends_the_process_costs_only_its_test(demo, tmp_path):
    """os._exit inside fact() (q4), SystemExit inside mean_of() (q3): otter would lose every score."""
    script = tmp_path / "exits.py"
    script.write_text(
        "import os\nimport numpy as np\nanswer = 42\n\ndef square(x):\n    return x * x\n\n"
        "def mean_of(values):\n    raise SystemExit(0)\n\ndef fact(n):\n    os._exit(3)\n\n"
        "def collatz_steps(n):\n    return {1: 0, 6: 8, 27: 111}[n]\n\nsecret = 'otter-7731'\n")
    r = _grade_all(demo, [script])["exits"]
    assert _scores(r) == {"q1": 3, "q2": 3, "q3": 0, "q4": 0, "q5": 1, "q6": 2}
    q4 = next(c for c in r.checks if c.id == "q4")
    assert "process ended" in q4.feedback


def test_slow_case_reports_its_time_limit(demo_results):
    q5 = next(c for c in demo_results["slow"].checks if c.id == "q5")
    assert q5.score == 0.5 and "Test case failed" in q5.feedback


# --------------------------------------------------------------------------- output


def test_gradescope_results_follow_otters_layout(demo_results, schema):
    data = gradescope_json(demo_results["partial"])
    names = [t["name"] for t in data["tests"]]
    assert names == [*QUESTIONS, "Public Tests"]
    by_name = {t["name"]: t for t in data["tests"]}
    assert all(by_name[q]["visibility"] == "hidden" for q in QUESTIONS)
    assert by_name["Public Tests"]["visibility"] == "visible" and by_name["Public Tests"]["max_score"] == 0
    assert by_name["q4"]["score"] == 3 and by_name["q4"]["max_score"] == 4
    assert "fact(0) should be 1" in by_name["Public Tests"]["output"]
    assert data["score"] == pytest.approx(1 + 0 + 2 / 3 + 3 + 1 + 1, abs=1e-5)
    for test in data["tests"]:
        assert "otter-7731" not in test["output"] and "[0, 1, 4, 9]" not in test["output"]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, schema)


def test_show_hidden_and_tests_per_case(tmp_path):
    folder = tmp_path / "hw"
    shutil.copytree(DEMO, folder)
    config = json.loads((DEMO / "otter_config.json").read_text())
    config["show_hidden"] = True
    config["dl_autograder"]["tests_per_case"] = True
    (folder / "otter_config.json").write_text(json.dumps(config))
    assignment = load_assignment(folder)
    checks = {c.id: c for c in assignment.checks}
    assert "public-tests" not in checks  # per case: public cases are visible tests of their own
    assert checks["q1/1"].visibility == "visible" and checks["q1/2"].visibility == "after_published"
    assert checks["q2"].visibility == "after_published"  # all-or-nothing stays one test
    r = _grade_all(assignment, [SUBS / "partial.ipynb"])["partial"]
    assert _scores(r) == pytest.approx(dict(zip(QUESTIONS, EXPECTED["partial"])), abs=1e-5)
    assert [c.score for c in r.checks if c.question == "q4"] == [0, 1.5, 1.5]


def test_check_runs_the_public_cases(demo):
    results = _grade_all(demo, [SUBS / "partial.ipynb"], public_only=True)["partial"]
    assert [c.id for c in results.checks] == [f"{q}/public" for q in QUESTIONS]
    assert [c.passed for c in results.checks] == [True, True, True, False, True, True]


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_cli_grade_check_and_run(tmp_path):
    subs = [SUBS / "perfect.ipynb", SUBS / "hostile_tricks.ipynb"]
    r = cli("grade", DEMO, *subs, "--out", tmp_path / "out", "--jobs", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    rows = {row["submission_id"]: row for row in csv.DictReader((tmp_path / "out" / "grades.csv").open())}
    assert rows["perfect"]["auto_total"] in ("14", "14.0") and float(rows["hostile_tricks"]["q4"]) == 0
    result = json.loads((tmp_path / "out" / "results" / "perfect.json").read_text())
    assert [t["name"] for t in result["tests"]][-1] == "Public Tests"

    r = cli("check", DEMO, SUBS / "partial.ipynb")
    assert r.returncode == 1 and "q4 (public tests)" in r.stdout and "fact(0) should be 1" in r.stdout
    assert "test_large" not in r.stdout

    root = tmp_path / "gs"
    shutil.copytree(DEMO, root / "source" / "assignments" / "demo")
    (root / "submission").mkdir()
    shutil.copy(SUBS / "perfect.ipynb", root / "submission")
    r = cli("run", "--root", root, "--assignment", "demo")
    assert r.returncode == 0, r.stderr
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 14


def test_numpy1_reprs():
    assert numpy1_reprs("np.True_") == "True" and numpy1_reprs("[np.False_, np.True_]") == "[False, True]"
    assert numpy1_reprs("np.float64(2.5)") == "2.5" and numpy1_reprs("np.int64(-3)") == "-3"
    assert numpy1_reprs("np.longdouble('1.5')") == "1.5" and numpy1_reprs("np.complex128(1+2j)") == "(1+2j)"
    assert numpy1_reprs("np.str_('a (b)')") == "'a (b)'" and numpy1_reprs("np.datetime64('2020-01-01')") \
        == "numpy.datetime64('2020-01-01')"
    assert numpy1_reprs("array([1., 2.])") == "array([1., 2.])" and numpy1_reprs("np.foo(1)") == "np.foo(1)"
    assert numpy1_reprs("(np.float32(0.1), {'k': np.uint8(3)})") == "(0.1, {'k': 3})"


def test_assignment_is_an_ordinary_assignment_for_the_engine(demo):
    assert isinstance(demo, OtterAssignment) and demo.language == "en" and demo.solution_file is None
    assert demo.hidden_paths == [DEMO, *sorted((DEMO / "tests").glob("*.py")), DEMO / "otter_config.json"]
    assert "autograder.otter.stub" in demo.preload and demo.limits.call == 2
    assert replace(demo.checks[0], opens_board=False).id == "q1"


# --------------------------------------------------------------------------- requirements: an environment per assignment


EXTRAS = FIX / "extras"
#: the package extras/requirements.txt lists: small, pure Python, not in the grader's own venv
EXTRA_PACKAGE = "termcolor"
#: a name nobody publishes: pip's answer is "no matching distribution"
NO_SUCH_PACKAGE = "dl-autograder-no-such-package-7f3c"


def _new_cache(prefix: str) -> Path:
    """A folder of its own in the default cache (never under /tmp, which each sandboxed job has
    of its own), open to the sandbox users (user mode), who run the environments it holds."""
    base = environment.cache_dir()
    base.mkdir(mode=0o755, parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="session")
def env_cache():
    """One cache of environments for the session, removed at the end."""
    folder = _new_cache("test-session-")
    saved = os.environ.get(environment.CACHE_VARIABLE)
    os.environ[environment.CACHE_VARIABLE] = str(folder)  # inherited by the CLI's subprocesses
    yield folder
    if saved is None:
        os.environ.pop(environment.CACHE_VARIABLE, None)
    else:
        os.environ[environment.CACHE_VARIABLE] = saved
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def extras_env(env_cache):
    """extras/ and its environment, made once for the session (pip installs termcolor)."""
    if importlib.util.find_spec(EXTRA_PACKAGE) is not None:
        pytest.fail(f"{EXTRA_PACKAGE} is installed in the grader's venv: pick another package for extras/")
    assignment = load_assignment(EXTRAS)
    try:
        python = assignment.sandbox_python()
    except ConfigError as e:
        if "could not be reached" in str(e):
            pytest.skip(f"the package index is unreachable, {EXTRA_PACKAGE} cannot be installed: {e}")
        raise
    return assignment, python


def _copy_extras(tmp_path: Path, requirements: str) -> Path:
    folder = tmp_path / "extras"
    shutil.copytree(EXTRAS, folder)
    (folder / "requirements.txt").write_text(requirements)
    return folder


def test_requirements_from_requirements_txt_and_environment_yml():
    yml = ("name: otter-env\nchannels: [conda-forge]\ndependencies:\n  - python=3.13\n  - pip\n  - jupyter_server\n"
           "  - pip:\n      - otter-grader[grading,plugins]==7.0.0\n      - seaborn>=0.12\n      - tqdm\n")
    assert environment.pip_requirements("tqdm  # progress bars\n\n# comment\nnumpy\n--index-url https://x\n", yml,
                                        where="hw") == ("tqdm", "numpy", "--index-url https://x", "seaborn>=0.12")
    assert environment.pip_requirements("Otter_Grader\n", "", where="hw") == ()  # our stand-in takes its place
    with pytest.raises(ConfigError, match="pip dependencies"):
        environment.pip_requirements("", "dependencies:\n  - pip: tqdm\n", where="hw")
    assert read_source(EXTRAS).pip_requirements == (EXTRA_PACKAGE, "numpy")


def test_requirements_ours_has_are_met_without_an_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(environment, "_make", lambda *a, **k: pytest.fail("no environment should be made"))
    assert environment.unmet(("numpy", "numpy>=1", "numpy<1", "NumPy[extra-nobody-has]", "--pre",
                              "tqdm; python_version < '3'", NO_SUCH_PACKAGE)) == ("numpy<1", NO_SUCH_PACKAGE)
    folder = _copy_extras(tmp_path, "numpy\nmatplotlib>=3\n")
    assignment = load_assignment(folder)
    assert assignment.requirements == ("numpy", "matplotlib>=3") and assignment.sandbox_python() is None


def test_listed_package_is_installed_for_the_tests(extras_env):
    """Ours lacks termcolor: without the environment both test files would fail; with it, full marks."""
    assignment, python = extras_env
    root = Path(python).parent.parent
    assert root.parent == Path(os.environ[environment.CACHE_VARIABLE]).resolve()
    assert list(root.glob(f"lib/python*/site-packages/{EXTRA_PACKAGE}/__init__.py"))
    # layered on ours: torch and numpy are not installed again
    assert not list(root.glob("lib/python*/site-packages/numpy")) and not list(root.glob("lib/python*/site-packages/torch"))
    subs = EXTRAS / "submissions"
    with sandbox_for(assignment) as box:
        assert box.python == python
        results = {p.stem: grade(assignment, p, sandbox=box) for p in (subs / "full.ipynb", subs / "half.ipynb")}
    assert _scores(results["full"]) == {"e1": 2, "e2": 2}
    assert _scores(results["half"]) == {"e1": 1, "e2": 1}


def test_environment_is_reused(extras_env, monkeypatch):
    _, python = extras_env
    environment._MADE_HERE.clear()  # as a new grading process would find it: in the cache only
    monkeypatch.setattr(environment, "_pip_install", lambda *a, **k: pytest.fail("pip must not run again"))
    started = time.monotonic()
    assert load_assignment(EXTRAS).sandbox_python() == python
    assert time.monotonic() - started < 5


def test_two_graders_make_one_environment(tmp_path, monkeypatch):
    """Both wait on the lock; the second finds the first's environment complete."""
    cache = _new_cache("test-lock-")
    made = []

    def slow_make(root, *args, **kwargs):
        made.append(root)
        time.sleep(0.5)
        (root / "bin").mkdir(parents=True)
        (root / environment._MADE).write_text("{}")

    monkeypatch.setattr(environment, "_make", slow_make)
    try:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            found = list(pool.map(lambda _: environment.environment_python((NO_SUCH_PACKAGE,), where="hw",
                                                                           cache=cache), range(2)))
        assert len(made) == 1 and found[0] == found[1] == str(made[0] / "bin" / "python")
    finally:
        environment._MADE_HERE.clear()
        shutil.rmtree(cache, ignore_errors=True)


def test_cache_under_tmp_or_writable_by_others_is_refused(tmp_path, monkeypatch):
    shared = _new_cache("test-shared-")
    monkeypatch.setenv(environment.CACHE_VARIABLE, str(tmp_path / "envs"))
    with pytest.raises(UsageError, match="cannot be kept under /tmp"):
        environment.environment_python((NO_SUCH_PACKAGE,), where="hw")
    try:
        shared.chmod(0o777)
        with pytest.raises(UsageError, match="others cannot write"):
            environment.environment_python((NO_SUCH_PACKAGE,), where="hw", cache=shared)
    finally:
        shutil.rmtree(shared)


def test_package_that_does_not_exist_is_one_clear_line(env_cache, tmp_path):
    folder = _copy_extras(tmp_path, f"{NO_SUCH_PACKAGE}\n")
    r = cli("grade", folder, folder / "submissions", "--out", tmp_path / "out", "--quiet")
    assert r.returncode == 3, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and r.stderr.rstrip().splitlines()[-1] == errors[0], r.stderr
    assert NO_SUCH_PACKAGE in errors[0] and "ERROR: No matching distribution found" in errors[0]
    assert not (tmp_path / "out" / "results").exists() or not any((tmp_path / "out" / "results").iterdir())


def test_requirement_that_conflicts_with_ours_names_our_pin(extras_env, tmp_path):
    folder = _copy_extras(tmp_path, "numpy<2\n")
    with pytest.raises(ConfigError, match=rf"conflict with the grader's own numpy=={re.escape(np.__version__)}"):
        load_assignment(folder).sandbox_python()


def test_exception_tests_may_import_a_listed_package_the_grader_lacks(tmp_path):
    """e2.py imports termcolor at its top: parsed with a stand-in here, run with the real one there."""
    spec = next(c for c in load_assignment(EXTRAS).checks if c.id == "e2").options["given"]["plan"].spec
    assert [(c.name, c.points, c.hidden) for c in spec.cases] == [("e2 - 1", 1, False), ("e2 - 2", 1, True)]
    assert EXTRA_PACKAGE not in sys.modules
    folder = _copy_extras(tmp_path, "")
    (folder / "requirements.txt").unlink()
    with pytest.raises(ConfigError, match="No module named 'termcolor'"):
        load_assignment(folder)  # nothing listed: a missing module is the test file's error


@pytest.mark.parametrize("mode", ["bwrap", "user", "rlimits"])
def test_sandbox_runs_the_environment_in_every_mode(extras_env, tmp_path, mode):
    assignment, python = extras_env
    try:
        isolation = detect_isolation(mode)
    except SandboxError as e:
        pytest.skip(f"{mode} mode unavailable here: {e}")
    folder = tmp_path / "hw"
    shutil.copytree(EXTRAS, folder)
    folder.chmod(0o700)  # the user mode refuses hidden tests the sandbox users could read
    probe = tmp_path / "probe.py"
    probe.write_text("import sys, termcolor\nprint('PREFIX', sys.prefix)\nprint('FROM', termcolor.__file__)\n")
    probe.chmod(0o644)
    local = load_assignment(folder)
    with Sandbox(workers=1, isolation=isolation, preload=local.preload, limits=local.limits, python=python) as box:
        results = grade(local, probe, sandbox=box)
    root = str(Path(python).parent.parent)
    assert f"PREFIX {root}" in results.output and f"FROM {root}/" in results.output, results.output


def test_otter_run_with_the_requirements_scores_as_ours(extras_env, tmp_path):
    """otter generate puts requirements.txt in the zip's environment.yml (with otter-grader
    itself); otter run, given an interpreter that has them, scores as we do."""
    pytest.importorskip("otter")
    _, python = extras_env
    harness = _harness()
    extras_zip = harness.generate(EXTRAS / "tests", EXTRAS / "otter_config.json", tmp_path / "extras.zip",
                                  EXTRAS / "requirements.txt")
    with zipfile.ZipFile(extras_zip) as z:
        assert "requirements.txt" not in z.namelist() and EXTRA_PACKAGE in z.read("environment.yml").decode()
    assignment = load_assignment(extras_zip)
    assert assignment.requirements == (EXTRA_PACKAGE, "numpy") and assignment.sandbox_python() == python
    subs = sorted((EXTRAS / "submissions").glob("*.ipynb"))
    theirs = harness.run_scores([{"key": p.stem, "autograder": extras_zip, "submission": p, "numpy1": False}
                                 for p in subs], python=python)
    with sandbox_for(assignment) as box:
        ours = {p.stem: _scores(grade(assignment, p, sandbox=box)) for p in subs}
    assert {k: v["scores"] for k, v in theirs.items()} == ours == {"full": {"e1": 2, "e2": 2},
                                                                    "half": {"e1": 1, "e2": 1}}


def test_build_puts_the_requirements_into_the_image(extras_env, tmp_path):
    assignment, _ = extras_env
    out = build(assignment, out=tmp_path / "autograder.zip")
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        run = z.read("run_autograder").decode()
        setup = z.read("setup.sh").decode()
        assert z.read(REQUIREMENTS).decode() == f"{EXTRA_PACKAGE}\nnumpy\n"
        z.extractall(tmp_path / "gs" / "source")
    assert {"assignments/extras/tests/e1.py", "assignments/extras/otter_config.json",
            "assignments/extras/requirements.txt"} <= names
    assert not any("submissions" in n for n in names)
    assert run.rstrip().endswith("-I -m autograder run --root \"${AUTOGRADER_ROOT:-/autograder}\" --assignment extras")
    assert f'-m autograder.otter.environment install "$here/{REQUIREMENTS}"' in setup
    # run_autograder's command, in the image's layout
    root = tmp_path / "gs"
    (root / "submission").mkdir()
    shutil.copy(EXTRAS / "submissions" / "full.ipynb", root / "submission")
    r = cli("run", "--root", root, "--assignment", "extras")
    assert r.returncode == 0, r.stderr
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 4


def test_build_from_an_otter_zip_and_master_notebook(otter_world, tmp_path):
    with zipfile.ZipFile(build(load_assignment(otter_world["demo_zip"]), out=tmp_path / "a.zip")) as z:
        names = set(z.namelist())
        run = z.read("run_autograder").decode()
    assert "assignments/demo-autograder.zip" in names and REQUIREMENTS not in names
    assert run.rstrip().endswith("--assignment demo-autograder.zip")
    with pytest.raises(ConfigError, match="build from the autograder zip"):
        build(load_assignment(FIX / "master" / "hw.ipynb"), out=tmp_path / "b.zip")


def test_setup_step_installs_into_the_venv_it_runs_in(extras_env, tmp_path):
    """setup.sh's step (``python -m autograder.otter.environment install FILE``) in a bare venv
    layered on ours, as /autograder/venv stands for the image: termcolor lands there, ours pinned."""
    bare = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    site = Path(subprocess.run([str(bare / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    import site as our_site

    (site / "ours.pth").write_text("".join(f"import site; site.addsitedir({p!r})\n" for p in our_site.getsitepackages()))
    requirements = tmp_path / REQUIREMENTS
    requirements.write_text(f"{EXTRA_PACKAGE}\nnumpy\n")
    r = subprocess.run([str(bare / "bin" / "python"), "-m", "autograder.otter.environment", "install", str(requirements)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (site / EXTRA_PACKAGE).is_dir() and not (site / "numpy").exists()
    requirements.write_text(f"{NO_SUCH_PACKAGE}\n")
    r = subprocess.run([str(bare / "bin" / "python"), "-m", "autograder.otter.environment", "install", str(requirements)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 3 and NO_SUCH_PACKAGE in r.stderr.strip().splitlines()[-1]
