"""Hints for known wrong answers, public checks worth points, and which questions have a public
check able to fail on a wrong value (issue 14). The fixture assignment is
``tests/fixtures/assignments/hints-demo``: q1 has a hinted value on a public and a hidden check,
q2 a predicate hint on a hidden check and only a form check in public."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.assignment import load_assignment
from autograder.coverage import public_coverage, uncovered, wrong_values
from autograder.errors import ConfigError
from autograder.grading import grade
from autograder.report.gradescope import gradescope_json
from autograder.report.text import check_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DEMO = FIXTURES / "assignments" / "hints-demo"
SIDE_HINT = "24 is the side of the feature map, not its dimension"
SUM_HINT = "48 adds the two sides instead of multiplying them"
SIGN_HINT = "the sign is flipped"


def _submission(tmp_path: Path, feature_dim: str = "24 * 24", double: str = "2 * np.asarray(x, dtype=float)") -> Path:
    path = tmp_path / "demo.py"
    path.write_text(f"import numpy as np\n\nFEATURE_DIM = {feature_dim}\n\n\ndef double(x):\n    return {double}\n",
                    encoding="utf-8")
    return path


def _check(results, check_id):
    return next(c for c in results.checks if c.id == check_id)


# --------------------------------------------------------------------------- hints on values


def test_a_hinted_wrong_value_fails_the_public_check_with_its_hint(sandbox, tmp_path):
    results = grade(load_assignment(DEMO), _submission(tmp_path, "24"), sandbox=sandbox, public_only=True)
    failed = _check(results, "q1-value")
    assert not failed.passed and failed.hint == SIDE_HINT
    assert failed.feedback.endswith("\nHint: " + SIDE_HINT)
    assert "Hint: " + SIDE_HINT in check_report(results)


@pytest.mark.parametrize("answer", ["24 * 24", "25"])
def test_no_hint_for_a_right_answer_or_another_wrong_value(sandbox, tmp_path, answer):
    results = grade(load_assignment(DEMO), _submission(tmp_path, answer), sandbox=sandbox, public_only=True)
    check = _check(results, "q1-value")
    assert check.passed == (answer == "24 * 24")
    assert check.hint == "" and "Hint:" not in check.feedback and "Hint:" not in check_report(results)


def test_a_hint_is_in_the_assignments_language(sandbox, tmp_path):
    french = tmp_path / "fr"
    shutil.copytree(DEMO, french)
    config = french / "assignment.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: fr"), encoding="utf-8")
    assignment = load_assignment(french, solution_dir=FIXTURES / "solutions" / "hints-demo")
    results = grade(assignment, _submission(tmp_path, "24"), sandbox=sandbox, public_only=True)
    assert _check(results, "q1-value").feedback.endswith(
        "\nIndice : 24 est le côté de la carte de caractéristiques, pas sa dimension")


def test_a_hidden_checks_hint_follows_the_hidden_visibility(sandbox, tmp_path):
    submission = _submission(tmp_path, "48")
    results = grade(load_assignment(DEMO), submission, sandbox=sandbox)
    hidden = _check(results, "q1-reference")
    assert hidden.hint == SUM_HINT and hidden.visibility == "after_due_date"
    test = next(t for t in gradescope_json(results)["tests"] if "hidden" in t["tags"] and t["tags"][0] == "q1")
    # shown with the hidden test's feedback, when Gradescope shows it: after the due date
    assert test["visibility"] == "after_due_date" and test["output"].endswith("Hint: " + SUM_HINT)
    assert results.checks[0].hint == ""  # the public check (576 stated) has no hint for 48
    # a student's own run has no hidden check, so no hidden hint
    assert SUM_HINT not in check_report(grade(load_assignment(DEMO), submission, sandbox=sandbox, public_only=True))
    # an assignment that keeps hidden checks hidden keeps their hints hidden too
    secret = tmp_path / "secret"
    shutil.copytree(DEMO, secret)
    config = secret / "assignment.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("hidden_visibility: after_due_date",
                                                                 "hidden_visibility: hidden"), encoding="utf-8")
    results = grade(load_assignment(secret, solution_dir=FIXTURES / "solutions" / "hints-demo"), submission,
                    sandbox=sandbox)
    test = next(t for t in gradescope_json(results)["tests"] if "hidden" in t["tags"] and t["tags"][0] == "q1")
    assert test["visibility"] == "hidden" and SUM_HINT in test["output"]


def test_a_predicate_hint_recognises_a_mistake_by_its_form(sandbox, tmp_path):
    assignment = load_assignment(DEMO)
    negated = grade(assignment, _submission(tmp_path, double="-2 * np.asarray(x, dtype=float)"), sandbox=sandbox)
    assert _check(negated, "q2-reference").hint == SIGN_HINT
    # wrong another way: the predicate does not match, no hint
    tripled = grade(assignment, _submission(tmp_path, double="3 * np.asarray(x, dtype=float)"), sandbox=sandbox)
    assert not _check(tripled, "q2-reference").passed and _check(tripled, "q2-reference").hint == ""


def test_the_hint_reaches_the_class_reports_wrong_answer(sandbox, tmp_path):
    results = grade(load_assignment(DEMO), _submission(tmp_path, "24"), sandbox=sandbox)
    assert _check(results, "q1-value").wrong_answer.hint == SIDE_HINT


# --------------------------------------------------------------------------- configuration mistakes


@pytest.mark.parametrize("hints, said", [
    ("{value: 24}", "hints must be a list"),
    ("[{value: 24, when: negated, hint: {en: x}}]", "give exactly one of 'value'"),
    ("[{hint: {en: x}}]", "give exactly one of 'value'"),
    ("[{value: 24, hint: 'just text'}]", "hint must map languages (en, fr) to non-empty texts"),
    ("[{value: 24, hint: {de: 'falsch'}}]", "hint must map languages (en, fr) to non-empty texts"),
    ("[{value: 24, hint: {en: ''}}]", "hint must map languages (en, fr) to non-empty texts"),
    ("[{value: 24, text: {en: x}, hint: {en: x}}]", "unknown field(s) text"),
    ("[{when: negated, rtol: 0.1, hint: {en: x}}]", "rtol and atol go with value, not when"),
    ("[{value: 576, hint: {en: x}}]", "the value 576 is the expected value, not a wrong answer"),
    ("[{when: helpers.nowhere, hint: {en: x}}]", "hint uses 'nowhere', which checks/helpers.py does not define"),
    ("[{value: 24, hint: {fr: 'seulement en français'}}]", "a hint has no text in 'en', the assignment's language"),
    ("[{value: 24, hint: {en: '" + "x" * 161 + "'}}]", "a hint is one sentence of at most 160 characters"),
])
def test_an_invalid_hint_is_a_one_line_config_error(tmp_path, hints, said):
    copy = tmp_path / "hints-demo"
    shutil.copytree(DEMO, copy)
    public = copy / "checks" / "public.yaml"
    text = public.read_text(encoding="utf-8")
    start = text.index("  hints:\n")
    end = text.index("\n- id: q2-form")
    public.write_text(text[:start] + f"  hints: {hints}\n" + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_assignment(copy)
    message = str(caught.value)
    assert said in message and "\n" not in message and "q1-value" in message


# --------------------------------------------------------------------------- public points


def _with_public_points(tmp_path: Path, setting: str | None) -> Path:
    copy = tmp_path / "points"
    shutil.copytree(DEMO, copy)
    for name, old, new in (("public.yaml", "  points: 0\n  name: FEATURE_DIM is", "  points: 1\n  name: FEATURE_DIM is"),
                           ("hidden.yaml", "  points: 2\n  name: FEATURE_DIM\n", "  points: 1\n  name: FEATURE_DIM\n")):
        path = copy / "checks" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    if setting is not None:
        config = copy / "assignment.yaml"
        config.write_text(config.read_text(encoding="utf-8") + f"public_points: {setting}\n", encoding="utf-8")
    return copy


def test_public_checks_are_worth_nothing_unless_the_assignment_says_so(tmp_path):
    with pytest.raises(ConfigError, match=r"public check q1-value is worth 1 points; public checks are worth 0 "
                                          r"unless assignment.yaml sets public_points: true"):
        load_assignment(_with_public_points(tmp_path, None), solution_dir=FIXTURES / "solutions" / "hints-demo")


def test_public_points_must_be_a_boolean(tmp_path):
    with pytest.raises(ConfigError, match="public_points must be true or false, not 'yes'"):
        load_assignment(_with_public_points(tmp_path, "'yes'"), solution_dir=FIXTURES / "solutions" / "hints-demo")


def test_public_points_count_in_the_score_and_in_the_students_report(sandbox, tmp_path):
    assignment = load_assignment(_with_public_points(tmp_path, "true"),
                                 solution_dir=FIXTURES / "solutions" / "hints-demo")
    right = grade(assignment, _submission(tmp_path), sandbox=sandbox)
    assert right.score == right.max_score == 3
    public = grade(assignment, _submission(tmp_path), sandbox=sandbox, public_only=True)
    assert public.score == 1 and "(1/1)" in check_report(public)
    wrong = grade(assignment, _submission(tmp_path, "24"), sandbox=sandbox)
    assert [q.score for q in wrong.questions] == [0, 1]


# --------------------------------------------------------------------------- coverage of public checks


def test_a_question_whose_public_checks_test_only_form_is_reported():
    rows = {row.question: row for row in public_coverage(load_assignment(DEMO))}
    assert rows["q1"].covered and rows["q1"].value_checks == ("q1-value",)
    assert not rows["q2"].covered and rows["q2"].public == ("q2-form",)
    assert [row.question for row in uncovered(list(rows.values()))] == ["q2"]


def test_validate_names_the_question_without_a_public_value_check():
    r = subprocess.run([sys.executable, "-m", "autograder", "validate", str(DEMO)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ("NO PUBLIC VALUE CHECK hints-demo/q2: its public checks (q2-form) pass every wrong answer of the "
            "right form") in r.stdout
    assert "hints-demo/q1" not in r.stdout


@pytest.mark.parametrize("value, wrong", [
    (3, [4, 6, -3]),
    (0, [1]),
    (True, [False]),
    ("x*H(x)", ["2*(x*H(x))", "(x*H(x)) + 1"]),
    ("full", ["full_"]),
])
def test_wrong_values_keep_the_form_of_the_answer(value, wrong):
    assert list(wrong_values(value)) == wrong


def test_wrong_values_of_a_dict_change_one_value_at_a_time():
    made = list(wrong_values({"k": 3, "s": 1}))
    assert all(set(m) == {"k", "s"} for m in made)
    assert all(sum(m[key] != {"k": 3, "s": 1}[key] for key in m) == 1 for m in made)


# --------------------------------------------------------------------------- the course's own assignments

H20 = ROOT / "assignments" / "ift6135-h20-hw1"
DEVOIR3 = ROOT / "assignments" / "ift6135-devoir3"


def test_h20_conv_mistakes_fail_public_checks_with_their_hints(sandbox):
    """examples/conv_mistakes.py: no kernel flip, dilation ignored, input channels forgotten."""
    results = grade(load_assignment(H20), H20 / "examples" / "conv_mistakes.py", sandbox=sandbox, public_only=True)
    hints = {c.id: c.hint for c in results.checks if not c.passed}
    assert hints["q5-impulse"] == "this is a cross-correlation: a convolution flips the kernel"
    assert hints["q6.1-same-size"] == "with dilation d, a kernel of size k spans d(k - 1) + 1 pixels"
    assert hints["q6.2-one-by-one"] == "each kernel spans every input channel: count them in its weights"
    report = check_report(results)
    assert "Hint: this is a cross-correlation: a convolution flips the kernel" in report


def test_h20_handout_answer_24_gets_the_side_hint(sandbox):
    results = grade(load_assignment(H20), H20 / "examples" / "handout_answers.py", sandbox=sandbox, public_only=True)
    failed = _check(results, "q6.1-channels")
    assert not failed.passed and failed.hint.startswith("this looks like one side of the feature map")
    assert "73728" not in failed.feedback + failed.hint  # never the reference's value


def test_devoir3_copied_answers_fail_public_checks_with_french_hints(sandbox):
    """examples/reponses_copie.py : facteur 2 perdu, perte sans (1 - y), canaux d'entrée oubliés, noyau de trois."""
    results = grade(load_assignment(DEVOIR3), DEVOIR3 / "examples" / "reponses_copie.py", sandbox=sandbox,
                    public_only=True)
    hints = {c.id: c.hint for c in results.checks if not c.passed}
    assert hints["q2e-coherence"] == "votre dérivée vaut la moitié de celle de votre perte : un facteur 2 s'est perdu"
    assert hints["q2f-coherence"].startswith("avec y = 0, votre perte est nulle quel que soit o")
    assert hints["q3b-un-par-un"] == "chaque noyau couvre tous les canaux d'entrée : comptez-les dans ses poids"
    assert hints["q3c-complete-enonce"] == "le noyau de l'énoncé a quatre coefficients 1/4, pas trois"
    assert "Indice : le noyau de l'énoncé a quatre coefficients 1/4, pas trois" in check_report(results)


@pytest.mark.parametrize("assignment", ["ift6135-h20-hw1", "ift6135-devoir3", "ift6135-h23-hw1", "td-gradients",
                                        "ift6135-a22-generatifs"])
def test_every_auto_graded_question_has_a_public_check_that_fails_on_a_wrong_value(assignment):
    assert [row.question for row in uncovered(public_coverage(load_assignment(assignment)))] == []


def test_the_source_carries_hints_through_assign():
    """ift6135-h20-hw1 is written from its source: the hints of its CHECKS cells reach the checks files."""
    assignment = load_assignment(H20)
    impulse = next(c for c in assignment.checks if c.id == "q5-impulse")
    assert impulse.hints and impulse.hints[0].when == "kernel_not_flipped"
    assert "hints:" in (H20 / "checks" / "public.yaml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- also: two answers that must agree


def _with_also(tmp_path: Path) -> Path:
    copy = tmp_path / "also"
    shutil.copytree(DEMO, copy)
    public = copy / "checks" / "public.yaml"
    public.write_text(public.read_text(encoding="utf-8") + """
- id: q1-consistent
  question: q1
  points: 0
  name: FEATURE_DIM is the square of SIDE
  read: FEATURE_DIM
  also: [SIDE]
  compare: {kind: property, using: square_of_side}
""", encoding="utf-8")
    helpers = copy / "checks" / "helpers.py"
    helpers.write_text(helpers.read_text(encoding="utf-8") + '''

def square_of_side(answer, also):
    side = also["SIDE"]
    if side is None:
        return "SIDE is missing"
    return answer == side * side or f"{answer} is not SIDE * SIDE = {side * side}"
''', encoding="utf-8")
    return copy


@pytest.mark.parametrize("side, dim, verdict", [("24", "576", True), ("24", "575", False), (None, "576", False)])
def test_a_property_compares_an_answer_with_another_one(sandbox, tmp_path, side, dim, verdict):
    assignment = load_assignment(_with_also(tmp_path), solution_dir=FIXTURES / "solutions" / "hints-demo")
    path = _submission(tmp_path, dim)
    if side is not None:
        path.write_text(path.read_text(encoding="utf-8") + f"\nSIDE = {side}\n", encoding="utf-8")
    check = _check(grade(assignment, path, sandbox=sandbox, public_only=True), "q1-consistent")
    assert check.passed is verdict
    if side is None:
        assert check.feedback == "SIDE is missing"


def test_also_needs_a_property(tmp_path):
    copy = _with_also(tmp_path)
    public = copy / "checks" / "public.yaml"
    public.write_text(public.read_text(encoding="utf-8").replace(
        "compare: {kind: property, using: square_of_side}", "compare: integer\n  expect: {value: 576}"),
        encoding="utf-8")
    with pytest.raises(ConfigError, match="also gives other answers to a property; comparator 'integer' takes none"):
        load_assignment(copy, solution_dir=FIXTURES / "solutions" / "hints-demo")
