"""Comparators: plain data from the student's process against a trusted expected value.

Every comparator takes ``(actual, expected, **options)`` and returns a :class:`Comparison`.
They run in the grader on decoded plain data (:mod:`autograder.plaindata`), so a student
object with a clever ``__eq__`` never reaches them.

The tolerance rule, for every numeric comparison here::

    |actual - expected| <= atol + rtol * |expected|        (elementwise)

with ``rtol = DEFAULT_RTOL`` and ``atol = DEFAULT_ATOL`` unless a check says otherwise. The
bound is measured against the *reference*, never the student's value, so an answer cannot
widen its own tolerance. Shapes must match exactly (no broadcasting); NaN and infinities are
accepted only where the reference has the same non-finite value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from autograder.messages import Message
from autograder.plaindata import Unsupported

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9

#: what was wanted, in the ``wanted`` of ``wrong_type``: words, so rendered in the report's
#: language (a Python type's name, "dict" or "bool", stays a name)
A_NUMBER = Message("kind_number")
A_WHOLE_NUMBER = Message("kind_whole_number")
A_NUMBER_OR_ARRAY = Message("kind_number_or_array")
NUMBERS = Message("kind_numbers")


@dataclass(frozen=True)
class Comparison:
    ok: bool
    message: Message | None = None
    #: for partial credit: the share of the check's points earned (1.0 or 0.0 unless stated)
    fraction: float = field(default=-1.0)

    @property
    def earned(self) -> float:
        if self.fraction >= 0:
            return self.fraction
        return 1.0 if self.ok else 0.0


PASS = Comparison(True)


def fail(key: str, **params: Any) -> Comparison:
    return Comparison(False, Message(key, params))


def _where(path: str) -> str:
    return f"{path}: " if path else ""


# --------------------------------------------------------------------------- numbers


def _within(a: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> bool:
    """Every |a - e| <= atol + rtol |e| (finite arrays; a difference that overflows is not within)."""
    with np.errstate(over="ignore"):
        return bool((np.abs(a - e) <= atol + rtol * np.abs(e)).all())


def close(actual: Any, expected: Any, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
          _path: str = "") -> Comparison:
    """Numbers, arrays and nested lists/dicts of them, within tolerance.

    >>> close([1.0, 2.0 + 1e-12], np.array([1.0, 2.0])).ok
    True
    """
    if isinstance(expected, dict):
        flat = _flat_numbers(actual, expected)
        if flat is not None:
            # a dict of plain numbers (an AD trace...): one vectorised comparison, same verdicts
            verdict = close(flat[0], flat[1], rtol=rtol, atol=atol)
            if verdict.ok or verdict.message is None:
                return verdict
        return _close_mapping(actual, expected, lambda a, e, p: close(a, e, rtol=rtol, atol=atol, _path=p), _path)
    if isinstance(expected, list) and not _is_numeric_nest(expected):
        return _close_sequence(actual, expected, lambda a, e, p: close(a, e, rtol=rtol, atol=atol, _path=p), _path)
    a, problem = _as_numeric_array(actual, _path)
    if problem:
        return problem
    e = np.asarray(expected)
    if a.shape != e.shape:
        return fail("wrong_shape", actual=_fmt_shape(a.shape), expected=_fmt_shape(e.shape))
    if e.dtype.kind == "b" or a.dtype.kind == "b":
        if a.dtype.kind != e.dtype.kind:
            return fail("wrong_type", wanted="bool" if e.dtype.kind == "b" else A_NUMBER,
                        found="bool" if a.dtype.kind == "b" else A_NUMBER)
        bad = a != e
        if bad.any():
            i = _first(bad)
            return fail("not_equal", where=_where(_path + _index(i, a.ndim)), actual=a[i].item(), expected=e[i].item())
        return PASS
    a = a.astype(complex if a.dtype.kind == "c" or e.dtype.kind == "c" else float)
    e = e.astype(a.dtype)
    e_finite = np.isfinite(e)
    # the common case, decided without the bookkeeping a failure message needs (a NaN or an
    # infinity in the answer is never within a finite reference's bound)
    if e_finite.all() and _within(a, e, rtol, atol):
        return PASS
    a_finite = np.isfinite(a)
    # non-finite values must sit exactly where the reference has the same non-finite value
    same_nonfinite = (~e_finite) & (~a_finite) & ((np.isnan(e) & np.isnan(a)) | (e == a))
    mismatch = (e_finite != a_finite) | ((~e_finite) & ~same_nonfinite)
    if mismatch.any():
        i = _first(mismatch)
        return fail("nan_mismatch", where=_where(_path + _index(i, a.ndim)))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(e_finite, np.abs(a - e), 0.0)
        bound = atol + rtol * np.abs(np.where(e_finite, e, 0.0))
    bad = diff > bound
    if bad.any():
        i = _first(bad)
        return fail("not_close", where=_where(_path + _index(i, a.ndim)), actual=_num(a[i]), expected=_num(e[i]),
                    diff=f"{float(diff[i]):.3g}", bound=f"{float(bound[i]):.3g}")
    return PASS


def integer(actual: Any, expected: Any, *, _path: str = "") -> Comparison:
    """Counts and sizes: whole numbers (``12.0`` passes, ``12.5`` and ``True`` do not), equal.

    >>> integer(12.0, 12).ok, integer(12.5, 12).ok
    (True, False)
    """
    if isinstance(expected, (list, dict)) and not _is_numeric_nest(expected):
        rule = lambda a, e, p: integer(a, e, _path=p)  # noqa: E731
        if isinstance(expected, dict):
            return _close_mapping(actual, expected, rule, _path)
        return _close_sequence(actual, expected, rule, _path)
    a, problem = _as_numeric_array(actual, _path)
    if problem:
        return problem
    e = np.asarray(expected)
    if a.dtype.kind == "b":
        return fail("wrong_type", wanted=A_WHOLE_NUMBER, found="bool")
    if a.shape != e.shape:
        return fail("wrong_shape", actual=_fmt_shape(a.shape), expected=_fmt_shape(e.shape))
    if a.dtype.kind == "c":
        if np.any(a.imag != 0):
            return fail("not_integer", where=_where(_path), actual=_num(a.flat[0]))
        a = a.real
    if not np.all(np.isfinite(a)):
        return fail("not_finite", where=_where(_path))
    fractional = a != np.round(a)
    if fractional.any():
        i = _first(fractional)
        return fail("not_integer", where=_where(_path + _index(i, a.ndim)), actual=_num(a[i]))
    # Python ints, not int64: 1e20 must neither overflow nor wrap around to a "match"
    got = [int(v) for v in np.round(a).ravel().tolist()]
    want = [int(v) for v in np.asarray(expected, dtype=object).ravel().tolist()]
    for flat, (g, w) in enumerate(zip(got, want)):
        if g != w:
            i = np.unravel_index(flat, a.shape) if a.ndim else ()
            return fail("not_equal", where=_where(_path + _index(tuple(int(j) for j in i), a.ndim)), actual=g,
                        expected=w)
    return PASS


def exact(actual: Any, expected: Any) -> Comparison:
    """Strings, booleans and other exact answers: same type family and equal.

    >>> exact("valid", "valid").ok
    True
    """
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return fail("wrong_type", wanted="str", found=_type_name(actual))
        if actual.strip().lower() != expected.strip().lower():
            return fail("not_equal", where="", actual=actual, expected=expected)
        return PASS
    if isinstance(expected, bool) != isinstance(actual, bool):
        return fail("wrong_type", wanted=_type_name(expected), found=_type_name(actual))
    if isinstance(actual, (np.ndarray, list)) or isinstance(expected, (np.ndarray, list)):
        a, e = np.asarray(actual), np.asarray(expected)
        same = a.shape == e.shape and a.dtype.kind == e.dtype.kind and bool(np.array_equal(a, e))
        return PASS if same else fail("not_equal", where="", actual=actual, expected=expected)
    if type(actual) is not type(expected) and not all(isinstance(x, (int, float)) for x in (actual, expected)):
        return fail("wrong_type", wanted=_type_name(expected), found=_type_name(actual))
    if actual != expected:
        return fail("not_equal", where="", actual=actual, expected=expected)
    return PASS


# --------------------------------------------------------------------------- multisets


def eigenvalues(actual: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8) -> Comparison:
    """Multisets of (complex) numbers, order-free, multiplicity respected.

    Matched by a minimum-cost assignment (scipy's ``linear_sum_assignment``) rather than by
    sorting: sorting complex numbers splits conjugate pairs and near-ties arbitrarily.

    >>> eigenvalues([1 - 2j, 1 + 2j, 3], [3, 1 + 2j, 1 - 2j]).ok
    True
    """
    from scipy.optimize import linear_sum_assignment

    a, problem = _as_numeric_array(actual, "")
    if problem:
        return problem
    e = np.asarray(expected, dtype=complex).ravel()
    a = a.astype(complex).ravel()
    if a.size != e.size:
        return fail("eigen_count", actual=a.size, expected=e.size)
    if not np.all(np.isfinite(a)):
        return fail("not_finite", where="")
    if a.size == 0:
        return PASS
    cost = np.abs(a[:, None] - e[None, :])
    bound = atol + rtol * np.abs(e)[None, :]
    # an infeasible pair costs more than any complete feasible matching could
    big = (float(cost.max()) + 1.0) * (a.size + 1)
    penalised = np.where(cost <= bound, cost, big + cost)
    rows, cols = linear_sum_assignment(penalised)
    for r, c in zip(rows, cols):
        if cost[r, c] > bound[0, c]:
            return fail("eigen_mismatch", actual=_num(a[r]), expected=[_num(x) for x in e])
    return PASS


# --------------------------------------------------------------------------- structure


def shape(actual: Any, expected: Any) -> Comparison:
    """Only the shape of an array-like answer (``expected`` is the shape, e.g. ``[6]``)."""
    a, problem = _as_numeric_array(actual, "")
    if problem:
        return problem
    want = tuple(int(n) for n in expected)
    if a.shape != want:
        return fail("wrong_shape", actual=_fmt_shape(a.shape), expected=_fmt_shape(want))
    if a.dtype.kind in "fc" and not np.all(np.isfinite(a)):
        return fail("not_finite", where="")
    return PASS


def keys(actual: Any, expected: Any) -> Comparison:
    """A dict answer with exactly these keys and finite numbers as values."""
    if not isinstance(actual, dict):
        return fail("wrong_type", wanted="dict", found=_type_name(actual))
    if set(actual) != set(expected):
        return fail("wrong_keys", actual=sorted(actual), expected=sorted(expected))
    for k in expected:
        a, problem = _as_numeric_array(actual[k], str(k))
        if problem:
            return problem
        if a.dtype.kind in "fc" and not np.all(np.isfinite(a)):
            return fail("not_finite", where=_where(str(k)))
    return PASS


def _flat_numbers(actual: Any, expected: dict) -> tuple[list, list] | None:
    """Both dicts with the same keys and plain (non-bool) numbers as values, as two lists."""
    if not isinstance(actual, dict) or actual.keys() != expected.keys():
        return None
    numbers = (int, float)
    a, e = [], []
    for k, ev in expected.items():
        av = actual[k]
        if type(av) not in numbers or type(ev) not in numbers:
            return None
        a.append(av)
        e.append(ev)
    return a, e


def _close_mapping(actual: Any, expected: dict, rule: Callable, path: str) -> Comparison:
    if not isinstance(actual, dict):
        return fail("wrong_type", wanted="dict", found=_type_name(actual))
    if set(actual) != set(expected):
        return fail("wrong_keys", actual=sorted(actual), expected=sorted(expected))
    for k, e in expected.items():
        result = rule(actual[k], e, f"{path}[{k!r}]")
        if not result.ok:
            return result
    return PASS


def _close_sequence(actual: Any, expected: list, rule: Callable, path: str) -> Comparison:
    if isinstance(actual, np.ndarray) and actual.ndim >= 1:
        actual = list(actual)
    if not isinstance(actual, list):
        return fail("wrong_type", wanted="list", found=_type_name(actual))
    if len(actual) != len(expected):
        return fail("wrong_length", actual=len(actual), expected=len(expected))
    for i, (a, e) in enumerate(zip(actual, expected)):
        result = rule(a, e, f"{path}[{i}]")
        if not result.ok:
            return result
    return PASS


def _is_numeric_nest(value: Any) -> bool:
    """A rectangular nest of numbers (which numpy turns into a numeric array)."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "biufc"


def _as_numeric_array(actual: Any, path: str) -> tuple[np.ndarray, Comparison | None]:
    if isinstance(actual, Unsupported):
        return np.empty(0), fail("unsupported", found=actual.type_name)
    if actual is None or isinstance(actual, (str, dict)):
        return np.empty(0), fail("wrong_type", wanted=A_NUMBER_OR_ARRAY, found=_type_name(actual))
    if isinstance(actual, list) and _has_bool_among_numbers(actual):
        return np.empty(0), fail("wrong_type", wanted=NUMBERS, found=Message("kind_mixed_list"))
    try:
        a = np.asarray(actual)
    except (ValueError, TypeError):
        return np.empty(0), fail("wrong_type", wanted=A_NUMBER_OR_ARRAY, found=Message("kind_ragged_list"))
    if a.dtype.kind not in "biufc":
        return np.empty(0), fail("wrong_type", wanted=A_NUMBER_OR_ARRAY, found=_type_name(actual))
    return a, None


def _has_bool_among_numbers(items: list) -> bool:
    flat, stack = [], list(items)
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(x)
        else:
            flat.append(x)
    kinds = {isinstance(x, (bool, np.bool_)) for x in flat}
    return kinds == {True, False}


def _first(mask: np.ndarray) -> tuple:
    if mask.ndim == 0:
        return ()
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _index(i: tuple, ndim: int) -> str:
    return "" if ndim == 0 else "[" + ", ".join(str(j) for j in i) + "]"


def _num(x: Any) -> Any:
    x = complex(x) if np.iscomplexobj(x) else float(x)
    if isinstance(x, complex):
        if x.imag == 0:
            x = x.real
        else:
            return complex(float(f"{x.real:.6g}"), float(f"{x.imag:.6g}"))
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return int(x)
    return float(f"{x:.6g}")


def _fmt_shape(s: tuple) -> str:
    return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"


def _type_name(value: Any) -> str | Message:
    if isinstance(value, Unsupported):
        return value.type_name
    if isinstance(value, np.ndarray):
        return Message("kind_array", {"shape": _fmt_shape(value.shape)})
    return type(value).__name__


#: comparators a check may name in its ``compare:`` field (properties and formulas are wired in checks.py)
COMPARATORS: dict[str, Callable[..., Comparison]] = {
    "close": close,
    "integer": integer,
    "exact": exact,
    "eigenvalues": eigenvalues,
    "shape": shape,
    "keys": keys,
}
