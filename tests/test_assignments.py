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


# --------------------------------------------------------------------------- traps found by hand


def _graded(sandbox, assignment_id, source, tmp_path):
    from autograder.grading import grade

    assignment = load_assignment(assignment_id)
    path = tmp_path / assignment.starter
    path.write_text(source)
    results = grade(assignment, path, sandbox=sandbox, key="trap")
    return {c.id: c for c in results.checks}, {q.id: q.score for q in results.questions}


def test_devoir3_q1c_one_right_definition_and_one_blank_gets_the_right_ones_point(sandbox, tmp_path):
    checks, scores = _graded(sandbox, "ift6135-devoir3", 'RELU_AVEC_H = ["x*H(x)", ""]\n', tmp_path)
    assert checks["q1c-premiere"].passed and not checks["q1c-seconde"].passed
    assert scores["q1c"] == 1
    checks, scores = _graded(sandbox, "ift6135-devoir3", 'RELU_AVEC_H = ["", "x*H(x)"]\n', tmp_path)
    assert scores["q1c"] == 1


@pytest.mark.parametrize("second", ["(x*H(x))", "H(x)*x", " x * H( x ) "])
def test_h20_q12_the_same_definition_written_again_is_not_a_second_one(sandbox, tmp_path, second):
    checks, scores = _graded(sandbox, "ift6135-h20-hw1", f'Q1_2_RELU_FROM_H = ["x*H(x)", "{second}"]\n', tmp_path)
    assert checks["q1.2-first"].passed and not checks["q1.2-second"].passed
    assert "same formula" in checks["q1.2-second"].feedback
    checks, _ = _graded(sandbox, "ift6135-h20-hw1", 'Q1_2_RELU_FROM_H = ["x*H(x)", "x*(1 - H(-x))"]\n', tmp_path)
    assert checks["q1.2-second"].passed


def test_h20_q72a_feedback_gives_the_true_reason(sandbox, tmp_path):
    checks, _ = _graded(sandbox, "ift6135-h20-hw1", 'Q7_2A = {"k": 3, "s": 4}\n', tmp_path)
    assert "skip pixels" in checks["q7.2a"].feedback and "overlap" not in checks["q7.2a"].feedback
    checks, _ = _graded(sandbox, "ift6135-h20-hw1", 'Q7_2A = {"k": 5, "s": 4}\n', tmp_path)
    assert "overlap" in checks["q7.2a"].feedback


def test_devoir3_q3c_checks_the_three_results_the_handout_asks_for(sandbox, tmp_path):
    from autograder.assignment import PROJECT_DIR

    solution = (PROJECT_DIR / "solutions" / "ift6135-devoir3" / "devoir3.py").read_text()
    # the handout's answers were computed with a kernel of three 1/4 instead of four
    wrong = solution + "\nQ3C_VALIDE = [3/2, 9/4, 3, 9/4, 3/2]\n"
    checks, scores = _graded(sandbox, "ift6135-devoir3", wrong, tmp_path)
    assert not checks["q3c-resultat-valide"].passed and checks["q3c-resultat-complete"].passed
    assert scores["q3c"] == 2.5


@pytest.mark.parametrize("assignment_id", [i for i in IDS if load_assignment(i).language == "fr"])
def test_french_helpers_speak_french_about_a_formula_that_does_not_parse(assignment_id):
    """A helper passes on the formula parser's reason: in the student's language, not English."""
    import inspect

    assignment = load_assignment(assignment_id)
    source = inspect.getsource(assignment.helpers) if assignment.helpers else ""
    assert "e.message" not in source, "a helper passes on the parser's English text"
    english = ("is not allowed", "was never closed", "unexpected", "expected")
    for name, fn in inspect.getmembers(assignment.helpers, inspect.isfunction):
        if fn.__module__ != assignment.helpers.__name__:
            continue
        parameters = list(inspect.signature(fn).parameters)
        if parameters[:1] != ["answer"] or not set(parameters[1:]) <= {"given", "args"}:
            continue
        checks = [c for c in assignment.checks if c.kind == "property" and c.options.get("using") == name]
        for check in checks:
            kwargs = {"given": check.options.get("given", {}), "args": ()}
            try:
                verdict = fn("exp(x", **{k: v for k, v in kwargs.items() if k in parameters})
            except Exception:  # noqa: BLE001 - a helper for another kind of answer: not this test's subject
                continue
            if isinstance(verdict, str):
                assert not any(word in verdict for word in english), (name, verdict)


def test_hidden_feedback_never_tells_the_shape_or_count_of_the_reference():
    from autograder.messages import CATALOGUES

    for language, catalogue in CATALOGUES.items():
        for key in ("wrong_shape", "wrong_length", "wrong_keys", "eigen_count", "expr_shape"):
            hidden = catalogue[f"{key}@hidden"]
            assert "{actual}" not in hidden and "{expected}" not in hidden, (language, key, hidden)
