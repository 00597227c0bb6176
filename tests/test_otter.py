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
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from autograder.assignment import load_assignment
from autograder.errors import ConfigError
from autograder.grading import grade
from autograder.otter import is_otter_source
from autograder.otter.doctests import numpy1_reprs
from autograder.otter.loader import read_source
from autograder.otter.model import OtterAssignment, load_otter_assignment
from autograder.otter.runner import Refused, guarded_compare
from autograder.otter import testfiles
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
    assert any("No module named 'otter.test_files'" in n for n in r.notes)


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
