"""Every assignment: its solution scores full marks, its examples score as documented, and
every result file it produces is valid Gradescope JSON."""

from __future__ import annotations

import ast

import pytest

from autograder.assignment import list_assignments, load_assignment
from autograder.references import References
from autograder.report.gradescope import gradescope_json
from autograder.validation import validate

IDS = [p.name for p in list_assignments()]


@pytest.fixture(scope="module")
def validated(sandbox):
    cache = {}

    def get(assignment_id):
        if assignment_id not in cache:
            assignment = load_assignment(assignment_id)
            cache[assignment_id] = (assignment, validate(assignment, sandbox=sandbox))
        return cache[assignment_id]

    return get


@pytest.mark.parametrize("assignment_id", IDS)
def test_solution_gets_full_marks(validated, assignment_id):
    assignment, outcomes = validated(assignment_id)
    solution = outcomes[0].results
    failing = [(c.id, c.feedback) for c in solution.checks if not c.passed]
    assert not failing
    assert solution.score == assignment.auto_points > 0
    assert solution.status == "graded"


@pytest.mark.parametrize("assignment_id", IDS)
def test_examples_score_as_documented(validated, assignment_id):
    _, outcomes = validated(assignment_id)
    examples = outcomes[1:]
    assert len(examples) >= 4, "one perfect, typical mistakes, one broken"
    assert all(o.expected is not None for o in examples), "every example has a documented score"
    wrong = {o.name: (o.results.score, o.expected) for o in outcomes if not o.ok}
    assert not wrong
    assert any(o.results.status == "error" and o.results.score == 0 for o in examples), "a broken example"


@pytest.mark.parametrize("assignment_id", IDS)
def test_results_are_valid_gradescope_json(validated, assignment_id, schema):
    jsonschema = pytest.importorskip("jsonschema")
    _, outcomes = validated(assignment_id)
    for o in outcomes:
        data = gradescope_json(o.results)
        jsonschema.validate(data, schema)
        assert sum(t["score"] for t in data["tests"]) == pytest.approx(data["score"])


@pytest.mark.parametrize("assignment_id", IDS)
def test_hidden_feedback_never_shows_expected_values(validated, assignment_id):
    assignment, outcomes = validated(assignment_id)
    refs = References(assignment)
    for o in outcomes:
        for c in o.results.checks:
            if not c.hidden or c.passed:
                continue
            check = next(ch for ch in assignment.checks if ch.id == c.id)
            if check.expect != "reference" or check.call:
                continue
            expected = refs.answer(check, ())
            if isinstance(expected, (int, float)) and not isinstance(expected, bool) and abs(expected) >= 10:
                assert f"{expected:g}" not in c.feedback and str(expected) not in c.feedback


@pytest.mark.parametrize("assignment_id", IDS)
def test_starter_and_solution_define_every_name_the_checks_ask_for(assignment_id):
    assignment = load_assignment(assignment_id)
    wanted = {c.target for c in assignment.checks}
    for path in (assignment.root / "starter" / assignment.starter, assignment.solution_file):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                defined |= {t.id for t in targets if isinstance(t, ast.Name)}
        assert wanted <= defined, f"{path.name} lacks {sorted(wanted - defined)}"


@pytest.mark.parametrize("assignment_id", IDS)
def test_starter_docstrings_state_the_questions(assignment_id):
    assignment = load_assignment(assignment_id)
    tree = ast.parse((assignment.root / "starter" / assignment.starter).read_text(encoding="utf-8"))
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert functions and all(ast.get_docstring(f) for f in functions)
    assert all(f.returns is not None for f in functions), "type hints on every starter function"


@pytest.mark.parametrize("assignment_id", IDS)
def test_points_follow_the_config(assignment_id):
    assignment = load_assignment(assignment_id)
    for q in assignment.questions:
        if q.graded == "auto":
            assert sum(c.points for c in assignment.checks if c.question == q.id) == pytest.approx(q.points)
    assert not any(c.expect == "reference" for c in assignment.public_checks)
