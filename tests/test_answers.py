"""What a submission answered where a check failed (autograder/answers.py), and how it travels in
a results JSON (report/gradescope.py): a digest that finds identical answers, a short preview,
hidden checks' answers kept out of what Gradescope stores."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from autograder.answers import PREVIEW_CHARS, preview
from autograder.assignment import load_assignment
from autograder.grading import Verdicts, grade
from autograder.plaindata import Unsupported
from autograder.report.gradescope import gradescope_json, read_results_json
from autograder.results import WrongAnswer


@pytest.mark.parametrize("value, shown", [
    (24, "24"),
    (24.0, "24"),
    (1 / 3, "0.3333"),
    (-1234567.0, "-1.235e+06"),
    (1e-10, "1e-10"),
    (float("nan"), "nan"),
    (float("-inf"), "-inf"),
    (True, "True"),
    (None, "None"),
    (10**50, "10000000…(51 digits)"),
    (complex(1, -2), "(1-2j)"),
    ("x*H(x)", "'x*H(x)'"),
    ("24", "'24'"),
    ("a\u202eb\x1b[2J\n", r"'a\u202eb\x1b[2J\n'"),
    (np.arange(12.0).reshape(3, 4) / 7, "array (3, 4) float64 [0, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, …]"),
    (np.array([1, 2], dtype=np.int32), "array (2,) int32 [1, 2]"),
    (np.array([True, False]), "array (2,) bool [True, False]"),
    (np.array(3.5), "3.5"),
    (np.zeros((0, 3)), "array (0, 3) float64 []"),
    ([1, 2.5, "a"], "[1, 2.5, 'a']"),
    (list(range(10)), "[0, 1, 2, 3, 4, 5, … (10 items)]"),
    ({"N": 1, "H": 2}, "{'N': 1, 'H': 2}"),
    ([[[[1]]]], "[[[…]]]"),
    (Unsupported("function"), "<function>"),
], ids=["int", "whole_float", "third", "large_float", "tiny", "nan", "minus_inf", "bool", "none", "huge_int",
        "complex", "formula", "string_not_number", "control_and_bidi", "array", "int_array", "bool_array",
        "zero_d_array", "empty_array", "list", "long_list", "dict", "deep", "unsupported"])
def test_preview(value, shown):
    assert preview(value) == shown


@pytest.mark.parametrize("value", ["x" * 10_000, list(range(10_000)), {str(i): "y" * 500 for i in range(50)},
                                   np.full((1000, 1000), np.pi)], ids=["string", "list", "dict", "array"])
def test_preview_is_short_whatever_the_answer(value):
    assert len(preview(value)) <= PREVIEW_CHARS


# --- from a real grading -------------------------------------------------------------------------

TD = "td-gradients"


def _submission(tmp_path: Path, name: str, *extra: str) -> Path:
    solution = load_assignment(TD).solution_file.read_text(encoding="utf-8")
    path = tmp_path / f"{name}.py"
    path.write_text(solution + "".join(f"\n\n{code}\n" for code in extra), encoding="utf-8")
    return path


MISTAKES = ('Q8_ORDRE = {"N": 1, "H": 2}',
            'Q3_JACOBIENNE_F2 = "B.T"',  # the wrong shape: a form check and a hidden check both fail on it
            "def operations_avant(N, H):\n    return N * H ** 3",
            "def couche_V(y):\n    return 1 / (1 + np.exp(-y))",  # generated inputs only
            "def couche_L(W, x):\n    raise ValueError('not done yet')")


@pytest.fixture(scope="module")
def graded(sandbox, tmp_path_factory):
    """Two submissions with the same mistakes (the second graded with the first's verdicts kept,
    as in a batch), and one with another value for Q8."""
    folder = tmp_path_factory.mktemp("answers")
    assignment = load_assignment(TD)
    verdicts = Verdicts()
    first, second = (grade(assignment, _submission(folder, name, *MISTAKES), sandbox=sandbox, key="same-key",
                           verdicts=verdicts) for name in ("first", "second"))
    other = grade(assignment, _submission(folder, "other", 'Q8_ORDRE = {"N": 2, "H": 1}'), sandbox=sandbox,
                  key="other-key")
    return assignment, first, second, other


def _by_id(results) -> dict:
    return {c.id: c for c in results.checks}


def test_each_failed_check_keeps_what_was_answered(graded):
    assignment, first, second, other = graded
    checks = _by_id(first)
    order = checks["q8-ordre"].wrong_answer
    assert order == WrongAnswer(digest=order.digest, preview="{'N': 1, 'H': 2}")
    reseau = checks["q8-reseau"].wrong_answer
    assert (reseau.preview, reseau.asked, reseau.generated) == ("192", "operations_avant(3, 4)", False)
    couche = checks["q5-V"].wrong_answer
    assert couche.generated and couche.asked == "" and couche.preview.startswith("array (")
    raised = checks["q5-L"].wrong_answer
    assert raised.error and raised.preview == checks["q5-L"].feedback[:160] and "ValueError" in raised.preview
    assert all(c.wrong_answer is None for c in first.checks if c.passed)
    assert {c.id for c in first.checks if not c.passed} == {c.id for c in first.checks if c.wrong_answer}


def test_the_same_answer_to_the_same_question_has_the_same_digest(graded):
    assignment, first, second, other = graded
    a, b, c = _by_id(first), _by_id(second), _by_id(other)
    assert all(a[cid].wrong_answer == b[cid].wrong_answer for cid in a)
    assert a["q8-ordre"].wrong_answer.digest != c["q8-ordre"].wrong_answer.digest  # another value
    # a form check and the hidden check read the same name: one answer, whichever check asked
    assert a["q3b-formule-forme"].wrong_answer.digest == a["q3b-formule"].wrong_answer.digest


def test_results_json_keeps_answers_for_the_teaching_team_only(graded, schema):
    jsonschema = pytest.importorskip("jsonschema")
    assignment, first, second, other = graded
    hidden = {c.id for c in first.checks if c.hidden and c.wrong_answer}
    public = {c.id for c in first.checks if not c.hidden and c.wrong_answer}
    assert hidden and public
    # Gradescope's results.json (what a student's next run may be handed back): no hidden answer
    student = gradescope_json(first)
    jsonschema.validate(student, schema)
    record = {c["id"]: c["wrong_answer"] for c in student["extra_data"]["record"]["checks"]}
    assert {cid for cid, w in record.items() if w} == public
    assert not any("{'N': 1, 'H': 2}" in json.dumps(t) for t in student["tests"])  # never in what students see
    # a batch's own copy: every answer, read back as it was
    teaching = json.loads(json.dumps(gradescope_json(first, hidden_answers=True)))
    jsonschema.validate(teaching, schema)
    assert read_results_json(teaching) == first
    assert read_results_json(json.loads(json.dumps(student))).checks != first.checks


def test_results_written_before_answers_were_kept_still_read():
    from autograder.report.gradescope import RECORD_FORMAT

    assert RECORD_FORMAT >= 2  # in the batch's fingerprint: such results are graded again
    data = gradescope_json(_plain_results())
    for c in data["extra_data"]["record"]["checks"]:
        del c["wrong_answer"]
    assert all(c.wrong_answer is None for c in read_results_json(data).checks)


def _plain_results():
    from autograder.results import CheckResult, QuestionScore, Results

    check = CheckResult(id="a", question="q1", name="a", number="1.1", score=0.0, max_score=1.0, hidden=True,
                        visibility="visible", passed=False, feedback="no",
                        wrong_answer=WrongAnswer(digest="0" * 16, preview="24"))
    return Results(assignment_id="x", assignment_title="X", language="en", submission="s", checks=(check,),
                   questions=(QuestionScore("q1", "Q1", 1.0, "auto", 0.0),), status="graded")


def test_a_hidden_answer_is_dropped_from_gradescopes_copy_but_not_the_batchs():
    r = _plain_results()
    assert gradescope_json(r)["extra_data"]["record"]["checks"][0]["wrong_answer"] is None
    kept = gradescope_json(r, hidden_answers=True)["extra_data"]["record"]["checks"][0]["wrong_answer"]
    assert kept["preview"] == "24" and kept["hint"] is None
    public = replace(r, checks=(replace(r.checks[0], hidden=False),))
    assert gradescope_json(public)["extra_data"]["record"]["checks"][0]["wrong_answer"]["preview"] == "24"


def test_a_digest_is_of_the_question_and_the_answers_bytes():
    from autograder.answers import wrong_answer
    from autograder.checks import Check
    from autograder.sandbox import Answer

    def answer(rid: str, value: str) -> Answer:
        return Answer(value=json.loads(value), wire=f'{{"id":"{rid}","value":{value}}}'.encode())

    read_a = Check(id="a", question="q1", points=1, name="a", target="A", call=False, hidden=True)
    read_b = replace(read_a, id="b", target="B")
    call = Check(id="c", question="q1", points=1, name="c", target="f", call=True, hidden=True, cases=((3, 4), (1, 1)))

    def digest(check: Check, case: int, value: str, rid: str = "x#0") -> str:
        request = check.requests(check.inputs(None, 0))[case]
        return wrong_answer(check, case, request, answer(rid, value), feedback="").digest

    assert digest(read_a, 0, "24") == digest(read_a, 0, "24", rid="other#0")  # the id is not the answer
    assert digest(read_a, 0, "24") != digest(read_a, 0, "24.0")  # byte for byte: 24 and 24.0 differ
    assert digest(read_a, 0, "24") != digest(read_b, 0, "24")  # another question
    assert digest(call, 0, "24") != digest(call, 1, "24")  # another input
    second = call.requests(call.inputs(None, 0))[1]
    assert wrong_answer(call, 1, second, answer("x", "7"), feedback="").asked == "f(1, 1)"
