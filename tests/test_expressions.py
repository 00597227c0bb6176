"""Formula answers: safe parsing, evaluation and equivalence by random points."""

from __future__ import annotations

import ast
import builtins
import itertools
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import expressions
from autograder.checks import Check, judge
from autograder.errors import ConfigError
from autograder.expressions import (ExpressionError, Variable, equivalent, evaluate, parse_expression,
                                    variables_from_config)
from autograder.messages import CATALOGUES, Message, render

SCALAR = {"x": Variable("x")}
POSITIVE = {"x": Variable("x", domain="positive")}
LSQ = variables_from_config({"A": [5, 3], "x": [3, 1], "b": [5, 1]})
SQUARE = variables_from_config({"A": [3, 3], "x": [3, 1], "b": [3, 1]})
SOFTMAX = variables_from_config({"S": {"shape": [4, 1], "domain": "simplex"}})
VECTORS = variables_from_config({"u": [3, 1], "v": [3]})
VARIABLES = {"scalar": SCALAR, "positive": POSITIVE, "lsq": LSQ, "square": SQUARE,
             "softmax": SOFTMAX, "vectors": VECTORS}


def check(student: object, reference: str, variables: str | dict = "scalar", **kw: object):
    vs = VARIABLES[variables] if isinstance(variables, str) else variables
    return equivalent(student, reference, variables=vs, rng=np.random.default_rng(1234), **kw)


def key(result) -> str | None:
    return None if result.ok else result.message.key


# --------------------------------------------------------------------------- equivalence


@pytest.mark.parametrize("reference, student, variables", [
    ("sigma(x)*(1-sigma(x))", "sigma(x) - sigma(x)**2", "scalar"),
    ("sigma(x)*(1-sigma(x))", "exp(-x)/(1+exp(-x))**2", "scalar"),
    ("sigmoid(x)", "1/(1+e^(-x))", "scalar"),
    ("A.T @ (A @ x - b)", "A.T@A@x - A.T@b", "lsq"),
    ("A.T @ (A @ x - b)", "transpose(A) @ A @ x - transpose(b.T @ A)", "lsq"),
    ("diag(S) - S @ S.T", "diag(S) - outer(S, S)", "softmax"),
    ("diag(S) - S @ S.T", "diag(S.T) - S*S.T", "softmax"),
    ("x*H(x)", "relu(x)", "scalar"),
    ("x*heaviside(x)", "max(x, 0)", "scalar"),
    ("x^2", "x**2", "scalar"),
    ("x**2 + 1", "x^2 + 1", "scalar"),          # ^ binds like a power, not like Python's xor
    ("-x**2", "-x^2", "scalar"),
    ("1 - tanh(x)**2", "1/cosh(x)**2", "scalar"),
    ("softplus(x)", "log(1 + exp(x))", "scalar"),
    ("log(sigma(x))", "-softplus(-x)", "scalar"),
    ("log(x)", "log(abs(x))", "positive"),
    ("x", "sqrt(x)**2", "positive"),              # undefined for x < 0, which the domain excludes
    ("x", "log(exp(x))", "scalar"),               # exp(x) overflows at some points: not compared there
    ("norm(A @ x - b)**2", "sum((A @ x - b)**2)", "lsq"),
    ("trace(A.T @ A)", "sum(A*A)", "lsq"),
    ("log_softmax(S)", "S - log(sum(exp(S)))", "softmax"),
    ("softmax(log(S))", "S", "softmax"),
    ("inv(A) @ A", "eye(3)", "square"),
    ("det(A.T)", "det(A)", "square"),
    ("mean(v)*3", "ones(3) @ v", "vectors"),
    ("2*pi*x", "pi*x + x*pi", "scalar"),
])
def test_equivalent_forms_pass(reference: str, student: str, variables: str) -> None:
    result = check(student, reference, variables)
    assert result.ok, result.message


@pytest.mark.parametrize("reference, student, variables, expected", [
    ("sigma(x)*(1-sigma(x))", "-sigma(x)*(1-sigma(x))", "scalar", "expr_not_equivalent"),
    ("sigma(x)*(1-sigma(x))", "sigma(x)*(1+sigma(x))", "scalar", "expr_not_equivalent"),
    ("A.T @ (A @ x - b)", "A @ (A.T @ x - b)", "lsq", "expr_shape"),
    ("A.T @ (A @ x - b)", "A @ (A @ x - b)", "lsq", "expr_shape"),
    ("A.T @ (A @ x - b)", "A @ (A @ x - b)", "square", "expr_not_equivalent"),   # missing transpose
    ("A.T @ (A @ x - b)", "2 * A.T @ (A @ x - b)", "lsq", "expr_not_equivalent"),  # grad of ||r||^2
    ("x*H(x)", "x*H(-x)", "scalar", "expr_not_equivalent"),
    ("log(x)", "-log(x)", "positive", "expr_not_equivalent"),
    ("1 - tanh(x)**2", "1 - tanh(x)", "scalar", "expr_not_equivalent"),
    ("x^2 + 1", "x^(2 + 1)", "scalar", "expr_not_equivalent"),
    ("diag(S) - S @ S.T", "diag(S) - S.T @ S", "softmax", "expr_not_equivalent"),  # (1,1) broadcasts
    ("u", "u.T", "vectors", "expr_shape"),
    ("v", "u", "vectors", "expr_shape"),        # (3,1) vs (3,): no broadcasting between results
    ("u + v", "u", "vectors", "expr_shape"),    # ... but numpy rules inside a formula
    ("x", "log(-abs(x))", "scalar", "expr_not_equivalent"),   # undefined wherever the reference is not
    ("x", "sqrt(x)**2", "scalar", "expr_not_equivalent"),
    ("x", "1e300*x - 1e300*x", "scalar", "expr_undefined"),    # rounding noise everywhere: proves nothing
])
def test_near_misses_fail(reference: str, student: str, variables: str, expected: str) -> None:
    assert key(check(student, reference, variables)) == expected


def test_not_equivalent_names_the_point() -> None:
    result = check("x + 1", "x")
    assert result.message.key == "expr_not_equivalent"
    assert result.message.params["point"].startswith("x=")
    big = check("A.T @ A @ x", "A.T @ b", "lsq").message.params["point"]
    assert "A=[" in big and "...] (5, 3)" in big and "x=[" in big


def test_shape_params() -> None:
    assert check("u.T", "u", "vectors").message.params == {"actual": "(1, 3)", "expected": "(3, 1)"}
    result = check("A @ (A.T @ x - b)", "A.T @ (A @ x - b)", "lsq")
    assert result.message.params == {"actual": "(3, 5) @ (3, 1)", "expected": "(3, 1)"}


def test_deterministic_given_the_seed() -> None:
    assert check("x*1.000001", "x", atol=0, rtol=0) == check("x*1.000001", "x", atol=0, rtol=0)


def test_tolerance_is_measured_against_the_reference() -> None:
    assert check("x*(1 + 1e-12)", "x").ok
    assert not check("x*(1 + 1e-5)", "x").ok
    assert check("x*(1 + 1e-5)", "x", rtol=1e-4).ok       # a check may still choose its tolerance


# --------------------------------------------------------------------------- traps: wrong answers that used to pass


def verdict_at(student: str, reference: str, **point: float) -> str:
    """The comparison at one chosen point (the sampler decides where equivalent() looks)."""
    values = {name: np.asarray(value) for name, value in point.items()}
    r = expressions._run(parse_expression(reference), values, None, bounds=True)
    s = expressions._run(parse_expression(student), values, None, bounds=True)
    return expressions._compare_at(values, r, s, rtol=expressions.DEFAULT_RTOL, atol=expressions.DEFAULT_ATOL)


def test_formula_right_only_for_positive_x_fails() -> None:
    for student, reference in [("x", "x*H(x)"), ("abs(x)", "x"), ("sqrt(x)**2", "x"), ("(x**2)**0.5", "x"),
                               ("exp(log(x))", "x")]:
        assert key(check(student, reference)) == "expr_not_equivalent", student
        assert check(student, reference, "positive").ok, student   # right where the check says x lives


def test_formula_nan_where_reference_is_finite_fails() -> None:
    for student in ("x*sqrt(x)/sqrt(x)", "exp(log(x))", "x + 0*log(x)", "x + 0*x**0.5"):
        result = check(student, "x")
        assert key(result) == "expr_not_equivalent", student
        assert result.message.params["point"].startswith("x=-"), student   # where it is undefined
        assert "differs at x=-" in render(result.message, "en")
        assert render(result.message, "en", hidden=True) == "the formula is not equivalent to the expected one"
    assert verdict_at("exp(log(x))", "x", x=-2.0) == "differs"
    assert check("x*sqrt(x)/sqrt(x)", "x", "positive").ok              # a domain that excludes x < 0


def test_overflow_is_not_compared_but_a_domain_error_fails() -> None:
    """log(exp(x)) is x, but exp(800) overflows: float64 cannot tell, so that point proves nothing;
    where the reference itself overflows, the point is skipped."""
    assert key(check("exp(log(x))", "x")) == "expr_not_equivalent"
    assert check("log(exp(x))", "x", "positive").ok and check("1/exp(-x)", "exp(x)").ok
    assert verdict_at("log(exp(x))", "x", x=800.0) == "imprecise"
    assert verdict_at("log(exp(x))", "x", x=3.0) == "agrees"
    assert verdict_at("1/exp(-x)", "exp(x)", x=800.0) == "undefined"
    assert verdict_at("log(x)", "log(x)", x=-1.0) == "undefined"
    assert verdict_at("x", "log(exp(x))", x=800.0) == "undefined"


def test_constant_factor_1e_minus_7_is_caught() -> None:
    for student, reference, variables in [
        ("x*(1 + 1e-7)", "x", "scalar"),
        ("sigma(x)*(1 - sigma(x))*(1 + 1e-7)", "sigma(x) - sigma(x)**2", "scalar"),
        ("(1 + 1e-7)*A.T @ (A @ x - b)", "A.T @ A @ x - A.T @ b", "lsq"),
        ("log(x) + 1e-7*log(x)", "log(x)", "positive"),
    ]:
        assert key(check(student, reference, variables)) == "expr_not_equivalent", student
        assert check(student.replace("1e-7", "1e-13"), reference, variables).ok, student
    # a formula check of an assignment leaves the tolerance to the engine unless it sets one
    formula = Check(id="f", question="q", points=1, name="f", target="F", call=False, hidden=True,
                    kind="formula", options={"variables": {"x": "scalar"}})
    assert not judge(formula, "x*(1 + 1e-7)", "x", args=(), helpers=None, rng=None).ok
    assert judge(formula, "x*(1 + 1e-13)", "x", args=(), helpers=None, rng=None).ok
    loose = Check(id="g", question="q", points=1, name="g", target="G", call=False, hidden=True,
                  kind="formula", options={"variables": {"x": "scalar"}, "rtol": 1e-6})
    assert judge(loose, "x*(1 + 1e-7)", "x", args=(), helpers=None, rng=None).ok


def test_equivalent_rewriting_with_cancellation_passes() -> None:
    for student, reference, variables in [
        ("(x+1)**2 - x**2 - 2*x", "1", "scalar"),
        ("(x+1)**3 - x**3 - 3*x**2 - 3*x", "1", "scalar"),
        ("sigma(x) - sigma(x)**2", "exp(-x)/(1 + exp(-x))**2", "scalar"),
        ("x.T @ A.T @ A @ x - 2*b.T @ A @ x + b.T @ b", "(A @ x - b).T @ (A @ x - b)", "lsq"),
    ]:
        assert check(student, reference, variables).ok, student
    # the other direction: the factor is still caught, and a large cancelling term buys no tolerance
    assert key(check("((x+1)**2 - x**2 - 2*x)*(1 + 1e-7)", "1")) == "expr_not_equivalent"
    assert key(check("x*(1 + 1e-7) + 1e16*x - 1e16*x", "x")) == "expr_undefined"
    # at x = 1e3, (x+1)^2 - x^2 - 2x loses 6 of its 16 digits, and its rounding bound says so
    assert verdict_at("(x+1)**2 - x**2 - 2*x", "1", x=1000.37) == "agrees"
    assert verdict_at("((x+1)**2 - x**2 - 2*x)*(1 + 1e-7)", "1", x=1000.37) == "differs"
    assert verdict_at("sigma(x) - sigma(x)**2", "exp(-x)/(1 + exp(-x))**2", x=30.0) == "agrees"  # 3 digits left


def test_formula_right_only_near_the_origin_fails() -> None:
    for student, reference in [("x", "sin(x)"), ("1 + x", "exp(x)"), ("1e4*tanh(x/1e4)", "x"),
                               ("min(x, 10)", "x"), ("max(x, -5)", "x")]:
        assert key(check(student, reference)) == "expr_not_equivalent", student


def test_formula_wrong_only_near_zero_fails() -> None:
    for student, reference in [("x*sigma(1000*x)", "relu(x)"), ("sqrt(x**2 + 1e-12)", "abs(x)")]:
        assert key(check(student, reference)) == "expr_not_equivalent", student


def test_samples_cover_each_domain_widely() -> None:
    variables = {"x": Variable("x"), "n": Variable("n", domain="positive"), "p": Variable("p", domain="probability"),
                 "v": Variable("v", (3,)), "s": Variable("s", (5,), "simplex")}
    points = list(itertools.islice(expressions._points(variables, np.random.default_rng(0)), expressions.TRIALS))
    x, n, p = (np.array([float(point[name]) for point in points]) for name in "xnp")
    assert (x > 0).any() and (x < 0).any() and 1e-6 in np.abs(x)                 # both signs, next to 0
    assert np.abs(x).max() >= 10 and np.abs(x).min() <= 1e-3 and ((0.1 <= np.abs(x)) & (np.abs(x) <= 3)).any()
    assert (n > 0).all() and n.max() >= 10 and n.min() <= 1e-3
    assert ((0 < p) & (p < 1)).all() and p.min() <= 1e-2 and p.max() >= 1 - 1e-2
    v = np.array([np.abs(point["v"]).max() for point in points])
    assert v.max() >= 10 and v.min() <= 1e-3
    s = np.array([point["s"] for point in points])
    assert np.allclose(s.sum(axis=1), 1) and (s > 0).all() and s.min() < 1e-3
    again = list(itertools.islice(expressions._points(variables, np.random.default_rng(0)), expressions.TRIALS))
    assert all(np.array_equal(a[name], b[name]) for a, b in zip(points, again) for name in variables)


def test_reference_undefined_on_the_declared_domains_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"defined at only 0 of the 192 points .*\(x: real\).*domain: positive"):
        check("x", "log(x - 1e4)")
    assert check("log(x)", "log(x)").ok       # defined at half the points: enough to compare


def test_deeply_nested_formula_times_out_quickly() -> None:
    # 315 inverses of 1000×1000 matrices (0.05 to 0.5 s each), nested as deep as allowed: minutes unbounded
    slow = " + ".join(["sum(" + "inv(" * 45 + "eye(1000)*x" + ")" * 46] * 7)
    start = time.monotonic()
    with pytest.raises(ExpressionError) as info:
        evaluate(parse_expression(slow), {"x": 2.0})          # what checks' helpers, public ones too, call
    assert info.value.key == "expr_timeout" and "too long" in str(info.value)
    assert time.monotonic() - start < expressions.TIMEOUT + 1.5
    start = time.monotonic()
    assert key(check(slow, "x")) == "expr_timeout"
    assert time.monotonic() - start < expressions.TIMEOUT + 1.5
    start = time.monotonic()
    for fast in ["(" * 60 + "x" + ")" * 60, "x**x**x**x**x**x**x", "9**9**9**9**9", "sigma(" * 59 + "x" + ")" * 59]:
        assert not check(fast, "2*x").ok
    assert time.monotonic() - start < 1


# --------------------------------------------------------------------------- names


def test_restricted_symbols() -> None:
    result = check("exp(-x)/(1+exp(-x))**2", "sigma(x)*(1-sigma(x))", allowed={"sigma", "x"})
    assert result.message.key == "expr_name"
    assert result.message.params == {"name": "exp", "allowed": "sigma, x"}
    assert check("sigma(x) - sigma(x)^2", "sigma(x)*(1-sigma(x))", allowed={"sigma", "x"}).ok
    assert key(check("pi*x", "x*pi", allowed={"x"})) == "expr_name"


@pytest.mark.parametrize("student, name", [("y + x", "y"), ("foo(x)", "foo"), ("x.real", ".real"),
                                           ("np.exp(x)", "np")])
def test_unknown_names(student: str, name: str) -> None:
    result = check(student, "x")
    assert result.message.key == "expr_name" and result.message.params["name"] == name
    assert "sigma" in result.message.params["allowed"]


# --------------------------------------------------------------------------- safety


@pytest.fixture
def no_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the grader ran student text")
    for name in ("eval", "exec", "open", "__import__"):
        monkeypatch.setattr(expressions, name, forbidden, raising=False)  # shadows the builtin in the module
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)


@pytest.mark.parametrize("student", [
    "__import__('os').system('touch {sentinel}')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.__class__.__mro__",
    "(lambda: 1)()",
    "[i for i in range(10**9)]",
    "open('/etc/passwd').read()",
    "open('{sentinel}', 'w')",
    "exec('1')",
    "eval('1')",
    "getattr(x, 'T')",
    "x if x else x",
    "x < 1",
    "x[0]",
    "sum(x, start=1)",
    "max(*x)",
    "'x'",
    "b'x'",
    "f'{x}'",
    "True",
    "1j",
    "(x := 2)",
    "x // 2",
    "not x",
    "~x",
    "x; x",
    "import os",
    "",
    "   ",
    "x" + "+x" * 50_000,
    "(" * 5000 + "x" + ")" * 5000,
    "(" * 900 + "x" + ")" * 900,
    "-" * 1999 + "x",
    "x" + "+x" * 500,
    "sigma(" * 70 + "x" + ")" * 70,
])
def test_malicious_or_invalid_text_is_refused(student: str, tmp_path: Path, no_eval: None) -> None:
    sentinel = tmp_path / "pwned"
    start = time.monotonic()
    result = check(student.replace("{sentinel}", str(sentinel)), "x")
    assert key(result) in {"expr_parse", "expr_name"}
    assert not sentinel.exists()
    assert time.monotonic() - start < 1


def test_huge_powers_are_float_overflow_not_big_ints() -> None:
    start = time.monotonic()
    assert not check("9**9**9**9", "x").ok
    assert not check("10**10**10 * x", "x").ok
    assert not check("1" + "0" * 1500 + " * x", "x").ok        # an int literal beyond float64
    assert time.monotonic() - start < 1
    assert evaluate(parse_expression("9**9**9**9"), {}) == np.inf


def test_huge_arrays_are_refused() -> None:
    assert key(check("sum(outer(ones(1000), outer(ones(1000), ones(1000))))", "x")) == "expr_parse"
    assert key(check("sum(eye(5000))", "x")) == "expr_parse"


def test_module_never_evaluates_text() -> None:
    tree = ast.parse(Path(expressions.__file__).read_text())
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__", "getattr", "sympify"}


def test_attribute_name_is_reported_without_lookup() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression("  x.__class__")
    assert info.value.name == ".__class__" and info.value.offset == 4


# --------------------------------------------------------------------------- parse errors


@pytest.mark.parametrize("student, offset, words", [
    ("sigma(x", 5, "never closed"),
    ("2x", 0, "missing '*'"),
    ("x + * 2", 4, "unexpected '*' at column 5"),
    ("  x + * 2", 6, "column 7"),
    ("x^2 + * 1", 6, "column 7"),              # columns count the student's '^', not our '**'
    ("x +", 3, "end of the formula"),
    ("2(x)", 0, "missing '*'"),
    ("exp", 0, "is a function"),
    ("x(2)", 0, "not a function"),
    ("exp(x, 2)", 0, "takes 1 argument"),
    ("x % 2", 0, "'%'"),
    ("σ +* 2", 3, "unexpected '*'"),
    ("(" * 61 + "x" + ")" * 61, 60, "nested too deeply"),
])
def test_parse_errors_point_at_the_problem(student: str, offset: int, words: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(student, allowed={"x", "exp", "σ"})
    assert info.value.offset == offset
    assert words in info.value.message and "column" in info.value.message
    assert str(info.value) == info.value.message == render(info.value.localized, "en")
    assert info.value.params["column"] == offset + 1
    result = check(student, "x")
    assert key(result) in {"expr_parse", "expr_name"}
    french = render(result.message, "fr")
    assert "colonne" in french and "column" not in french


@pytest.mark.parametrize("answer", [3.0, None, 1, ["x"], b"x"])
def test_non_string_answers(answer: object) -> None:
    result = check(answer, "x")
    assert result.message.key == "expr_parse" and result.message.params["message"].key == "expr_not_text"
    assert "string" in render(result.message, "en") and "chaîne" in render(result.message, "fr")


def test_parse_result() -> None:
    expr = parse_expression("A.T @ (A @ x - b) + pi*e")
    assert expr.variables == {"A", "x", "b"} and expr.functions == set()
    assert parse_expression("sigma(x) + exp(y)").functions == {"sigma", "exp"}


# --------------------------------------------------------------------------- timeout


def test_timeout() -> None:
    variables = variables_from_config({"A": [200, 200]})
    formula = "inv(" * 12 + "A" + ")" * 12
    start = time.monotonic()
    assert key(check(formula, formula, variables, timeout=0.01)) == "expr_timeout"
    many = " + ".join(["sum(inv(A) @ A)"] * 40)
    assert key(check(many, "sum(A)", variables, timeout=0.01)) == "expr_timeout"
    assert time.monotonic() - start < 1.5


# --------------------------------------------------------------------------- evaluation


def ev(text: str, **values: object) -> np.ndarray:
    return evaluate(parse_expression(text), values)


def test_functions() -> None:
    col, row, vec = np.array([[1.0], [2.0]]), np.array([[1.0, 2.0]]), np.array([1.0, 2.0])
    for v in (col, row, vec):
        np.testing.assert_array_equal(ev("diag(v)", v=v), np.diag([1.0, 2.0]))
    np.testing.assert_array_equal(ev("diag(M)", M=np.array([[1.0, 2.0], [3.0, 4.0]])), [1.0, 4.0])
    np.testing.assert_array_equal(ev("H(x)", x=np.array([-1.0, 0.0, 2.0])), [0.0, 0.5, 1.0])
    assert ev("sigma(-1000)") == 0 and ev("sigma(1000)") == 1 and ev("softplus(1000)") == 1000
    assert ev("sigmoid(0)") == 0.5 and ev("relu(-2) + relu(3)") == 3
    assert ev("sum(softmax(v))", v=np.array([1000.0, 0.0, -3.0])) == pytest.approx(1.0)
    assert ev("softmax(c)", c=col).shape == (2, 1)
    np.testing.assert_allclose(ev("log_softmax(v)", v=vec), vec - np.log(np.exp(vec).sum()))
    assert ev("outer(c, v)", c=col, v=vec).shape == (2, 2)
    assert ev("eye(3)").shape == (3, 3) and ev("I(2)").shape == (2, 2)
    assert ev("ones(2)").shape == (2,) and ev("ones(2, 3)").shape == (2, 3)
    assert ev("trace(eye(4)) + det(2*eye(2)) + norm(ones(4))") == 10
    assert ev("max(2, 3) + min(2, 3) + sign(-4) + abs(-1) + mean(v)", v=vec) == 6.5
    assert ev("ln(e) + log(exp(2)) + cos(pi)") == pytest.approx(2)
    assert np.isnan(ev("inv(ones(2, 2))")).all()     # singular: undefined, not an exception
    assert np.isnan(ev("log(-1) + sqrt(-1)"))
    assert ev("x", x=3).dtype == np.float64


def test_evaluation_shape_errors() -> None:
    with pytest.raises(ExpressionError, match=r"\(2,\) @ \(3,\)"):
        ev("ones(2) @ ones(3)")
    with pytest.raises(ExpressionError, match="inv of"):
        ev("inv(ones(2, 3))")
    with pytest.raises(ExpressionError) as info:
        ev("x + y", x=1.0)
    assert info.value.name == "y"


# --------------------------------------------------------------------------- configuration


def test_variables_from_config() -> None:
    vs = variables_from_config({"x": "scalar", "v": [3], "A": [3, 4], "p": {"shape": [3], "domain": "simplex"},
                                "q": {"domain": "probability"}})
    assert vs["x"] == Variable("x") and vs["v"].shape == (3,) and vs["A"].shape == (3, 4)
    assert vs["p"] == Variable("p", (3,), "simplex") and vs["q"] == Variable("q", (), "probability")


@pytest.mark.parametrize("spec", [{"x": "vector"}, {"x": [0]}, {"x": [2, 2, 2]}, {"x": 3},
                                  {"x": {"shape": [3], "domain": "complex"}}, {"x": {"size": 3}},
                                  {"_x": "scalar"}, {"lambda": "scalar"}, ["x"]])
def test_bad_variable_config(spec: object) -> None:
    with pytest.raises(ConfigError):
        variables_from_config(spec)  # type: ignore[arg-type]


def test_variable_may_share_a_function_name() -> None:
    """The handouts name dimensions H and N: a declared variable H shadows the Heaviside function."""
    v = variables_from_config({"N": "scalar", "H": "scalar"})
    assert equivalent("N*H**3", "H**3*N", variables=v, rng=np.random.default_rng(0)).ok
    assert not equivalent("N*H**2", "H**3*N", variables=v, rng=np.random.default_rng(0)).ok
    assert equivalent("x*H(x)", "relu(x)", variables=variables_from_config({"x": "scalar"}),
                      rng=np.random.default_rng(0)).ok


def test_sampled_domains() -> None:
    rng = np.random.default_rng(0)
    real = expressions._sample(Variable("v", (1000,)), rng)
    assert (real < 0).any() and (real > 0).any() and 0.03 <= np.abs(real).min() and np.abs(real).max() <= 9
    assert (expressions._sample(Variable("v", (1000,), "positive"), rng) > 0).all()
    p = expressions._sample(Variable("v", (1000,), "probability"), rng)
    assert ((0 < p) & (p < 1)).all()
    s = expressions._sample(Variable("v", (4, 1), "simplex"), rng)
    assert s.shape == (4, 1) and (s > 0).all() and s.sum() == pytest.approx(1)
    assert expressions._sample(Variable("x"), rng).shape == ()


def test_simplex_sums_to_one() -> None:
    assert check("sum(p)", "1", {"p": Variable("p", (5, 1), "simplex")}).ok


def test_reference_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        check("x", "sigma(x")
    with pytest.raises(ConfigError):
        check("x", "y")
    with pytest.raises(ConfigError):
        check("x", "ones(2) @ ones(3)")


# --------------------------------------------------------------------------- messages in the assignment's language

ENGLISH = ("column", "formula", "allowed", "cannot", "unexpected", "takes", "write", "empty", "string",
           " is ", " the ", " of ", " not ")


def no_english(text: str) -> bool:
    return not any(word in f" {text} " for word in ENGLISH)


def test_expression_error_is_a_key_with_an_english_text() -> None:
    err = ExpressionError(key="expr_unexpected", params={"char": "*", "column": 5}, offset=4)
    assert str(err) == err.message == "unexpected '*' at column 5"
    assert err.localized == Message("expr_unexpected", {"char": "*", "column": 5}) and err.offset == 4
    assert render(err.localized, "fr") == "'*' inattendu à la colonne 5"


ALLOWED = {"x", "sigma", "exp", "max", "ones", "sum"}


@pytest.mark.parametrize("student, error_key, french", [
    ("x + * 2", "expr_unexpected", "'*' inattendu à la colonne 5"),
    ("log(x)", "expr_not_allowed", "'log' n'est pas permis à la colonne 1"),
    ("", "expr_empty", "la formule est vide"),
    (3.0, "expr_not_text", "pas float"),
    ("exp(x, 2)", "expr_args_one", "exp() prend 1 argument, pas 2, à la colonne 1"),
    ("max(x)", "expr_args", "max() prend 2 arguments, pas 1, à la colonne 1"),
    ("ones(x, x, x)", "expr_args_range", "ones() prend 1 ou 2 arguments, pas 3, à la colonne 1"),
    ("x.real", "expr_attribute", "'.real' n'est pas permis (seul .T l'est) à la colonne 3"),
    ("sigma(x", "expr_never_closed", "colonne 6"),
    ("2x", "expr_number_then_name", "il manque un '*' ?"),
    ("x +", "expr_unexpected_end", "fin inattendue"),
    ("x)", "expr_unmatched", "')' en trop"),
    ("exp", "expr_is_function", "écrivez exp(...)"),
    ("x(2)", "expr_not_function", "n'est pas une fonction"),
    ("x % 2", "expr_operator", "l'opérateur '%'"),
    ("x < 1", "expr_construct", "impossible d'utiliser une comparaison à la colonne 1"),
    ("'abc'", "expr_construct", "du texte entre guillemets"),
    ("'abc", "expr_construct", "du texte entre guillemets"),
    ("x − 1", "expr_invalid_char", "caractère '−' invalide à la colonne 3"),
    ("sum(x, start=1)", "expr_keywords", "sans les nommer"),
    ("(" * 61 + "x" + ")" * 61, "expr_too_deep", "imbrication"),
    ("x" * (expressions.MAX_LENGTH + 1), "expr_too_long", "trop longue"),
])
def test_parse_errors_are_rendered_in_french(student: object, error_key: str, french: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(student, allowed=ALLOWED)
    assert info.value.key == error_key
    text = render(info.value.localized, "fr")
    assert french in text and no_english(text), text
    assert ("colonne" in text) == ("column" in str(info.value)) == ("column" in info.value.params)

    result = check(student, "x", allowed=ALLOWED)
    page = render(result.message, "fr")
    assert no_english(page), page
    if result.message.key == "expr_parse":
        assert result.message.params["message"] == info.value.localized
        assert page == f"formule illisible : {text}"
    else:  # a refused name: the comparison names it, with what is allowed
        assert result.message.key == "expr_name" and "n'est pas permis ici" in page


@pytest.mark.parametrize("student, french", [
    ("eye(0.5)", "eye() demande un nombre entier de 1 à 1000, à la colonne 1"),
    ("sum(eye(5000))", "à la colonne 5"),
    ("sum(outer(ones(1000), outer(ones(1000), ones(1000))))", "le résultat serait trop grand"),
    ("sum(inv(ones(2, 3)))", "inv de (2, 3)"),
])
def test_evaluation_errors_are_rendered_in_french(student: str, french: str) -> None:
    page = render(check(student, "x").message, "fr")
    assert french in page and no_english(page), page


def test_a_failing_point_has_no_english_words() -> None:
    page = render(check("A.T @ A @ x", "A.T @ b", "lsq").message, "fr")
    assert "diffère en A=[" in page and "random" not in page


def test_every_error_key_is_in_every_catalogue() -> None:
    import re
    used = set(re.findall(r'"(expr_[a-z_]+)"', Path(expressions.__file__).read_text()))
    assert len(used) > 30
    for catalogue in CATALOGUES.values():
        assert used <= set(catalogue), used - set(catalogue)


@pytest.mark.parametrize("student", [
    "x + * 2", "x +", "2x", "x)", "(x]", "x\\", "\\x", "012", "0x", "0b2", "1e", "x\0", "'abc", "print 1",
    "x y", "x = 2", "yield x", "await x", "True", "1j", "...", "not x", "~x", "(x)(2)", "lambda: 1", "x if x else x",
    "x[0]", "max(*x, x)", "[x]", "(x, x)", "{x}", "{x: 1}", "(y := 2)", "f'{x}'", "x" + "+x" * 500, "3 @ x",
])
def test_no_error_leaves_a_key_or_a_placeholder(student: str) -> None:
    result = check(student, "x")
    assert not result.ok
    for language in CATALOGUES:
        text = render(result.message, language)
        assert "expr_" not in text and "{" not in text and "}" not in text, text
    assert "column" not in render(result.message, "fr")


# --------------------------------------------------------------------------- binary and one-hot variables

BCE = {"y": Variable("y", domain="binary"), "s": Variable("s")}
REAL_Y = {"y": Variable("y"), "s": Variable("s")}
CE = variables_from_config({"c": {"shape": [4, 1], "domain": "onehot"}, "o": [4, 1]})


def test_binary_cross_entropy() -> None:
    assert check("-(y*log(sigma(s)) + (1-y)*log(1-sigma(s)))", "log(1+exp(s)) - y*s", BCE).ok
    assert check("softplus(s) - y*s", "-(y*log(sigma(s)) + (1-y)*log(1-sigma(s)))", BCE).ok
    assert key(check("log(1+exp(s)) + y*s", "log(1+exp(s)) - y*s", BCE)) == "expr_not_equivalent"


def test_binary_squares_are_themselves() -> None:
    """y**2 == y holds only for y in {0, 1}: the domain decides the verdict."""
    assert check("y - 2*sigma(s)*y + sigma(s)**2", "(sigma(s)-y)**2", BCE).ok
    assert key(check("y - 2*sigma(s)*y + sigma(s)**2", "(sigma(s)-y)**2", REAL_Y)) == "expr_not_equivalent"
    assert check("y*(1-y)", "0*y", {"y": Variable("y", (3, 2), "binary")}).ok


def test_onehot_cross_entropy() -> None:
    assert check("-log(sum(c*softmax(o)))", "log(sum(exp(o))) - sum(c*o)", CE).ok
    assert check("-sum(c*log_softmax(o))", "log(sum(exp(o))) - sum(c*o)", CE).ok
    assert check("softmax(o) - c", "exp(o)/sum(exp(o)) - c", CE).ok
    assert key(check("-log(sum(c*softmax(o)))", "log(sum(exp(o))) + sum(c*o)", CE)) == "expr_not_equivalent"
    assert check("sum(c)", "1", {"c": Variable("c", (5,), "onehot")}).ok
    assert not check("sum(c)", "1", {"c": Variable("c", (5,), "binary")}).ok


def test_sampled_binary_and_onehot() -> None:
    rng = np.random.default_rng(0)
    b = expressions._sample(Variable("v", (1000,), "binary"), rng)
    assert b.dtype == np.float64 and set(np.unique(b)) == {0.0, 1.0}
    scalar = expressions._sample(Variable("y", (), "binary"), rng)
    assert isinstance(scalar, np.ndarray) and scalar.shape == () and scalar.dtype == np.float64
    seen = np.zeros((4, 1))
    for _ in range(200):
        c = expressions._sample(Variable("c", (4, 1), "onehot"), rng)
        assert c.shape == (4, 1) and c.dtype == np.float64 and c.sum() == 1 and set(np.unique(c)) == {0.0, 1.0}
        seen += c
    assert (seen > 0).all()   # every class is drawn
    assert expressions._sample(Variable("c", (3,), "onehot"), rng).shape == (3,)


def test_binary_and_onehot_config() -> None:
    vs = variables_from_config({"y": {"domain": "binary"}, "Y": {"shape": [2, 3], "domain": "binary"},
                                "c": {"shape": [4, 1], "domain": "onehot"}, "d": {"shape": [3], "domain": "onehot"}})
    assert vs["y"] == Variable("y", (), "binary") and vs["Y"] == Variable("Y", (2, 3), "binary")
    assert vs["c"] == Variable("c", (4, 1), "onehot") and vs["d"] == Variable("d", (3,), "onehot")


@pytest.mark.parametrize("shape", ["scalar", [1, 4], [3, 3]])
def test_onehot_must_be_a_vector_or_a_column(shape: object) -> None:
    with pytest.raises(ConfigError, match="onehot"):
        variables_from_config({"c": {"shape": shape, "domain": "onehot"}})
