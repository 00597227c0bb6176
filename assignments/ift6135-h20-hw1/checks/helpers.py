"""Generators and properties of ift6135-h20-hw1's checks. Trusted code: runs in the grader.

Generators take a seeded ``rng`` and a ``count`` and return argument lists. Properties take
the student's answer (plain data) and return True, False, a message, or a Comparison.
"""

from __future__ import annotations

import numpy as np

from autograder.compare import close
from autograder.expressions import ExpressionError, Variable, equivalent, parse_expression

# ----------------------------------------------------------------------------- generators


def random_vectors(rng, count):
    return [[rng.normal(0, 3, size=int(rng.integers(2, 9))).round(6)] for _ in range(count)]


def vectors_with_ties(rng, count):
    out = []
    for _ in range(count):
        x = rng.integers(-3, 4, size=int(rng.integers(2, 8))).astype(float)
        x[rng.integers(0, x.size)] = x.max()  # at least one repeated maximum most of the time
        out.append([x])
    return out


def random_networks(rng, count):
    out = []
    for _ in range(count):
        d, m, k = (int(rng.integers(1, n)) for n in (6, 7, 5))
        out.append([rng.normal(size=(m, d)), rng.normal(size=m), rng.normal(size=(k, m)), rng.normal(size=k)])
    return out


def ad_points(rng, count):
    out = []
    while len(out) < count:
        x1, x2 = rng.uniform(-5, 5, size=2).round(4)
        if abs(x1 + x2) > 0.5:  # y has a pole at x1 + x2 = 0
            out.append([float(x1), float(x2)])
    return out


def ad_tangent_points(rng, count):
    return [p + [float(v) for v in rng.normal(size=2).round(4)] for p in ad_points(rng, count)]


def _conv_vectors(rng, count, mode):
    out = []
    for _ in range(count):
        n = int(rng.integers(3, 10))
        k = int(rng.choice([1, 3, 5])) if mode == "same" else int(rng.integers(1, n + 1))
        k = min(k, n) if mode != "same" else k
        out.append([rng.integers(-5, 6, size=n).tolist(), rng.integers(-3, 4, size=k).tolist(), mode])
    return out


def conv_full(rng, count):
    return _conv_vectors(rng, count, "full")


def conv_valid(rng, count):
    return _conv_vectors(rng, count, "valid")


def conv_same(rng, count):
    return _conv_vectors(rng, count, "same")


def conv_layers(rng, count):
    out = []
    while len(out) < count:
        i, k, s, p, d = (int(rng.integers(lo, hi)) for lo, hi in ((5, 300), (1, 12), (1, 5), (0, 4), (1, 4)))
        if i + 2 * p >= d * (k - 1) + 1:
            out.append([i, k, s, p, d])
    return out


def param_layers(rng, count):
    return [[int(rng.integers(1, 512)), int(rng.integers(1, 512)), int(rng.integers(1, 8)), bool(rng.integers(0, 2))]
            for _ in range(count)]


# ----------------------------------------------------------------------------- properties


def whole_number(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return f"expected a whole number, got {type(answer).__name__}"
    return float(answer).is_integer() or f"{answer} is not a whole number"


def probability_vector(answer, args):
    a = np.asarray(answer, dtype=float)
    x = np.asarray(args[0], dtype=float)
    if a.shape != x.shape:
        return f"shape {a.shape}, expected {x.shape} (the input's shape)"
    if not np.all(np.isfinite(a)) or np.any(a < 0) or abs(a.sum() - 1) > 1e-6:
        return "entries must be non-negative and sum to 1"
    return True


def _formula_form(answer, names):
    if not isinstance(answer, str):
        return f"expected a formula as a string, got {type(answer).__name__}"
    try:
        parse_expression(answer, allowed=names)
    except ExpressionError as e:
        return f"{answer!r}: {e}"
    return True


def two_formulas_in_x_and_h(answer):
    if not isinstance(answer, list) or len(answer) != 2:
        return "expected a list of two formula strings"
    for formula in answer:
        verdict = _formula_form(formula, {"x", "H"})
        if verdict is not True:
            return verdict
    return True


def formula_in_x1_x2(answer):
    return _formula_form(answer, {"x1", "x2"})


def _relu_formula(answer, index):
    if not isinstance(answer, list) or len(answer) != 2:
        return "expected a list of two formula strings"
    return equivalent(answer[index], "relu(x)", variables={"x": Variable("x")}, allowed={"x", "H"})


def first_relu_formula(answer):
    return _relu_formula(answer, 0)


def second_relu_formula(answer):
    verdict = _relu_formula(answer, 1)
    if verdict is not True and not getattr(verdict, "ok", False):
        return verdict
    same = "".join(answer[0].split()) == "".join(answer[1].split())
    return "the two definitions are the same formula" if same else True


def same_softmax_with_leading_zero(answer, args):
    x = np.asarray(args[0], dtype=float)
    y = np.asarray(answer, dtype=float)
    if y.shape != (x.size - 1,):
        return f"expected {x.size - 1} parameters, got shape {y.shape}"

    def s(v):
        e = np.exp(v - v.max())
        return e / e.sum()

    return close(s(np.concatenate([[0.0], y])), s(x), rtol=1e-6, atol=1e-9)


def network_shapes(answer, args):
    if not isinstance(answer, dict) or set(answer) != {"W1", "b1", "W2", "b2"}:
        return "expected a dict with keys W1, b1, W2, b2"
    for name, given in zip(("W1", "b1", "W2", "b2"), args):
        if np.shape(answer[name]) != np.shape(given):
            return f"{name} has shape {np.shape(answer[name])}, expected {np.shape(given)}"
    return True


def tanh_network_equivalent(answer, args, rng):
    form = network_shapes(answer, args)
    if form is not True:
        return form
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in args)
    T1, c1, T2, c2 = (np.asarray(answer[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    x = rng.normal(0, 2, size=(64, W1.shape[1]))
    sigmoid = 1 / (1 + np.exp(-(x @ W1.T + b1)))
    expected = sigmoid @ W2.T + b2
    actual = np.tanh(x @ T1.T + c1) @ T2.T + c2
    return close(actual, expected, rtol=1e-6, atol=1e-8)


def conv_lengths(answer, args):
    x, w, mode = args
    n, k = len(x), len(w)
    want = {"full": n + k - 1, "valid": n - k + 1, "same": n}[mode]
    got = np.shape(answer)
    return got == (want,) or f"{mode}: shape {got}, a {mode} convolution of lengths {n} and {k} has shape ({want},)"


def _whole_fields(answer, fields):
    if not isinstance(answer, dict):
        return f"expected a dict with keys {', '.join(fields)}"
    missing = [f for f in fields if f not in answer]
    if missing:
        return f"missing key(s) {', '.join(missing)}"
    for f in fields:
        v = answer[f]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer():
            return f"{f} = {v!r} is not a whole number"
    return True


def layer_config_form(answer):
    return _whole_fields(answer, ("k", "s", "p", "d"))


def conv_config(answer, given):
    """k, s, p, d satisfy the stated constraints and produce the stated output size."""
    form = _whole_fields(answer, ("k", "s", "p", "d"))
    if form is not True:
        return form
    k, s, p, d = (int(answer[f]) for f in ("k", "s", "p", "d"))
    if k < 1 or s < 1 or p < 0 or d < 1:
        return "k, s and d must be at least 1 and p at least 0"
    for f in ("k", "s", "p", "d"):
        if f in given and int(answer[f]) != given[f]:
            return f"the question fixes {f} = {given[f]}"
    i = given["i"]
    if i + 2 * p < d * (k - 1) + 1:
        return "the (dilated) kernel is larger than the padded input"
    o = (i + 2 * p - d * (k - 1) - 1) // s + 1
    return o == given["o"] or f"this configuration gives an output of {o}, not {given['o']}"


def pool_config(answer, given):
    """Non-overlapping pooling: the window equals the stride, and the output size is right."""
    form = _whole_fields(answer, ("k", "s"))
    if form is not True:
        return form
    k, s = int(answer["k"]), int(answer["s"])
    if k < 1 or s < 1:
        return "k and s must be at least 1"
    if k != s:
        return "non-overlapping windows need k = s"
    o = (given["i"] - k) // s + 1
    return o == given["o"] or f"this configuration gives an output of {o}, not {given['o']}"
