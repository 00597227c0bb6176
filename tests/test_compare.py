"""Comparators (autograder/compare.py): the verdict tables, then one test per grader trap.

The comparators run in the grader on decoded plain data, so every ``actual`` here is something
:func:`autograder.plaindata.from_plain` can produce: Python numbers, bools, strings, lists,
string-keyed dicts, numpy arrays and :class:`~autograder.plaindata.Unsupported` markers.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from autograder import compare
from autograder.compare import (DEFAULT_ATOL, DEFAULT_RTOL, PASS, Comparison, close, eigenvalues, exact,
                                integer, keys, shape)
from autograder.messages import LANGUAGES, Message, render
from autograder.plaindata import Unsupported

NAN = float("nan")
INF = float("inf")


def key(result: Comparison) -> str | None:
    """The message key of a failure, None for a pass (and a pass never carries a message)."""
    assert isinstance(result, Comparison)
    if result.ok:
        assert result.message is None
        return None
    assert isinstance(result.message, Message)
    return result.message.key


def verdict(result: Comparison) -> str:
    return "pass" if result.ok else "fail"


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("actual, expected, want, want_key", [
    (1.0, 1.0, "pass", None),
    (1, 1.0, "pass", None),
    (np.float32(0.5), 0.5, "pass", None),
    (1.0 + 5e-7, 1.0, "pass", None),                     # inside rtol * |expected|
    (1.0 + 5e-6, 1.0, "fail", "not_close"),
    (-1.0, 1.0, "fail", "not_close"),
    ([1.0, 2.0 + 1e-12], np.array([1.0, 2.0]), "pass", None),
    (np.array([1, 2, 3]), [1.0, 2.0, 3.0], "pass", None),  # integer dtype against floats
    ((1.0, 2.0), [1.0, 2.0], "pass", None),
    ([[1.0, 2.0], [3.0, 4.0]], np.array([[1.0, 2.0], [3.0, 4.0]]), "pass", None),
    ([[1.0, 2.0], [3.0, 4.5]], np.array([[1.0, 2.0], [3.0, 4.0]]), "fail", "not_close"),
    (1.0 + 1e-12j, 1.0, "pass", None),
    (1.0 + 1e-3j, 1.0, "fail", "not_close"),             # the imaginary part counts
    (1.0, 1.0 + 1e-3j, "fail", "not_close"),
    (np.array([1 + 2j, 3 - 1j]), [1 + 2j, 3 - 1j], "pass", None),
    (np.array([1 + 2j, 3 + 1j]), [1 + 2j, 3 - 1j], "fail", "not_close"),  # a conjugate is not close
    ([], [], "pass", None),
    (np.zeros((0, 3)), np.zeros((0, 3)), "pass", None),
    ([1.0], [], "fail", "wrong_shape"),
    (np.zeros((2, 3)), np.zeros((3, 2)), "fail", "wrong_shape"),
    ("1.0", 1.0, "fail", "wrong_type"),
    (None, 1.0, "fail", "wrong_type"),
    ({"a": 1.0}, 1.0, "fail", "wrong_type"),
    (["1.0", "2.0"], [1.0, 2.0], "fail", "wrong_type"),
    ([1.0, None], [1.0, 2.0], "fail", "wrong_type"),
])
def test_close_table(actual, expected, want, want_key):
    result = close(actual, expected)
    assert verdict(result) == want
    assert key(result) == want_key


@pytest.mark.parametrize("actual, expected, want, want_key", [
    (12, 12, "pass", None),
    (12.0, 12, "pass", None),
    (13, 12, "fail", "not_equal"),
    (11.999999999, 12, "fail", "not_integer"),
    ("12", 12, "fail", "wrong_type"),
    (None, 12, "fail", "wrong_type"),
    ([1, 2, 3], [1, 2, 3], "pass", None),
    (np.array([1.0, 2.0, 3.0]), [1, 2, 3], "pass", None),
    ([1, 2, 4], [1, 2, 3], "fail", "not_equal"),
    ([1, 2], [1, 2, 3], "fail", "wrong_shape"),
    ([[64, 32, 32]], [64, 32, 32], "fail", "wrong_shape"),
])
def test_integer_table(actual, expected, want, want_key):
    result = integer(actual, expected)
    assert verdict(result) == want
    assert key(result) == want_key


@pytest.mark.parametrize("actual, expected, want, want_key", [
    ("valid", "valid", "pass", None),
    ("  Valid ", "valid", "pass", None),                 # strings: case and outer spaces ignored
    ("invalid", "valid", "fail", "not_equal"),
    (1, "1", "fail", "wrong_type"),
    (True, True, "pass", None),
    (False, True, "fail", "not_equal"),
    (1, True, "fail", "wrong_type"),
    ("True", True, "fail", "wrong_type"),
    (None, True, "fail", "wrong_type"),
    (3, 3, "pass", None),
    (4, 3, "fail", "not_equal"),
    (None, None, "pass", None),
    ([1, "a"], [1, "a"], "pass", None),
])
def test_exact_table(actual, expected, want, want_key):
    result = exact(actual, expected)
    assert verdict(result) == want
    assert key(result) == want_key


@pytest.mark.parametrize("actual, expected, want, want_key", [
    ([1.0, 2.0, 3.0], [3.0, 1.0, 2.0], "pass", None),
    (np.array([[1.0], [2.0]]), [2.0, 1.0], "pass", None),  # any array of the right size
    ([1.0, 2.0], [1.0, 2.0, 3.0], "fail", "eigen_count"),
    ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0], "fail", "eigen_count"),
    ([1.0, 2.0, 3.5], [1.0, 2.0, 3.0], "fail", "eigen_mismatch"),
    ([1.0 + 1e-12j, 2.0], [1.0, 2.0], "pass", None),
    ([1.0 + 1e-3j, 2.0], [1.0, 2.0], "fail", "eigen_mismatch"),
    ([NAN, 2.0], [1.0, 2.0], "fail", "not_finite"),
    ([INF, 2.0], [1.0, 2.0], "fail", "not_finite"),
    ("1, 2", [1.0, 2.0], "fail", "wrong_type"),
    ([], [], "pass", None),
])
def test_eigenvalues_table(actual, expected, want, want_key):
    result = eigenvalues(actual, expected)
    assert verdict(result) == want
    assert key(result) == want_key


@pytest.mark.parametrize("actual, want_shape, want, want_key", [
    ([1.0, 2.0, 3.0], [3], "pass", None),
    (np.zeros((2, 3)), [2, 3], "pass", None),
    (np.zeros((2, 3)), (2, 3), "pass", None),
    ([[1.0, 2.0, 3.0]], [3], "fail", "wrong_shape"),
    ([1.0, 2.0], [3], "fail", "wrong_shape"),
    ([1.0, NAN, 3.0], [3], "fail", "not_finite"),
    ([1 + 1j, INF, 3.0], [3], "fail", "not_finite"),
    ([1, 2, 3], [3], "pass", None),
    ("abc", [3], "fail", "wrong_type"),
    ({"a": 1.0}, [1], "fail", "wrong_type"),
])
def test_shape_table(actual, want_shape, want, want_key):
    result = shape(actual, want_shape)
    assert verdict(result) == want
    assert key(result) == want_key


TRACE_KEYS = ["v-1", "v0", "v1", "v2", "v3", "v4", "v5"]


@pytest.mark.parametrize("actual, want, want_key", [
    ({k: 1.0 for k in TRACE_KEYS}, "pass", None),
    ({k: np.float64(i) for i, k in enumerate(TRACE_KEYS)}, "pass", None),
    ({k: 1.0 for k in TRACE_KEYS[:-1]}, "fail", "wrong_keys"),
    ({**{k: 1.0 for k in TRACE_KEYS}, "v6": 1.0}, "fail", "wrong_keys"),
    ({**{k: 1.0 for k in TRACE_KEYS}, "v3": NAN}, "fail", "not_finite"),
    ({**{k: 1.0 for k in TRACE_KEYS}, "v3": "36"}, "fail", "wrong_type"),
    ({**{k: 1.0 for k in TRACE_KEYS}, "v3": None}, "fail", "wrong_type"),
    ([1.0] * 7, "fail", "wrong_type"),
    (None, "fail", "wrong_type"),
])
def test_keys_table(actual, want, want_key):
    result = keys(actual, TRACE_KEYS)
    assert verdict(result) == want
    assert key(result) == want_key


def test_keys_names_the_offending_key():
    result = keys({**{k: 1.0 for k in TRACE_KEYS}, "v3": NAN}, TRACE_KEYS)
    assert result.message.params["where"] == "v3: "
    result = keys({k: 1.0 for k in TRACE_KEYS[:-1]}, TRACE_KEYS)
    assert result.message.params["actual"] == sorted(TRACE_KEYS[:-1])
    assert result.message.params["expected"] == sorted(TRACE_KEYS)


def test_registry_names_every_comparator():
    assert compare.COMPARATORS == {"close": close, "integer": integer, "exact": exact,
                                   "eigenvalues": eigenvalues, "shape": shape, "keys": keys}


def test_earned_follows_the_verdict_unless_a_fraction_is_given():
    assert PASS.earned == 1.0
    assert compare.fail("not_close").earned == 0.0
    assert Comparison(False, Message("not_close"), fraction=0.25).earned == 0.25


# --------------------------------------------------------------------------- traps


@pytest.mark.parametrize("actual_shape, expected_shape", [
    ((3,), (3, 1)),
    ((3, 1), (3,)),
    ((1, 3), (3,)),
    ((3,), (1, 3)),
    ((), (1,)),
    ((1,), ()),
    ((3, 1), (1, 3)),
    ((3,), (3, 3)),
    ((1, 1), ()),
])
def test_broadcast_shapes_rejected(actual_shape, expected_shape):
    actual = np.ones(actual_shape) if actual_shape else 1.0
    expected = np.ones(expected_shape) if expected_shape else 1.0
    # the trap: numpy broadcasts these, so a naive allclose accepts them
    assert np.allclose(actual, expected)
    for comparator in (close, integer):
        result = comparator(actual, expected)
        assert key(result) == "wrong_shape", comparator.__name__
        assert result.message.params["actual"] == compare._fmt_shape(actual_shape)
        assert result.message.params["expected"] == compare._fmt_shape(expected_shape)


def test_shapes_are_written_like_python_tuples():
    assert close(np.ones(3), np.ones((3, 1))).message.params == {"actual": "(3,)", "expected": "(3, 1)"}
    assert close(1.0, [1.0]).message.params == {"actual": "()", "expected": "(1,)"}


def test_values_far_below_atol():
    assert DEFAULT_ATOL == 1e-9 and DEFAULT_RTOL == 1e-6
    # tiny answers against zero are absorbed by the default atol
    assert close(1e-12, 0.0).ok
    assert close([1e-12, -3e-10], [0.0, 0.0]).ok
    assert key(close(2e-9, 0.0)) == "not_close"
    # a 100% relative error on a tiny value is invisible under the default atol...
    assert close(1e-10, 2e-10).ok
    # ...and caught once the check sets atol far below the values
    result = close(1e-10, 2e-10, atol=1e-15)
    assert key(result) == "not_close"
    assert result.message.params["actual"] == 1e-10
    assert result.message.params["expected"] == 2e-10
    # rtol still does its job at that scale
    assert close(2e-10 * (1 + 5e-7), 2e-10, atol=0.0).ok
    assert not close(2e-10 * (1 + 5e-6), 2e-10, atol=0.0).ok
    # a relative error of 1e-3 on tiny values fails as soon as atol is below the error
    assert not close([1e-10 * (1 + 1e-3)], [1e-10], atol=1e-16).ok
    assert close([1e-10 * (1 + 1e-3)], [1e-10], atol=1e-9).ok


def test_tolerance_is_measured_against_the_reference():
    # with rtol = 1, a bound of rtol*|actual| (or max(|actual|, |expected|), as math.isclose
    # does) would accept any answer a million times too large; rtol*|expected| does not
    assert math.isclose(1e6, 1.0, rel_tol=1.0)
    assert abs(1e6 - 1.0) <= 1.0 * abs(1e6)
    result = close(1e6, 1.0, rtol=1.0)
    assert key(result) == "not_close"
    assert result.message.params["bound"] == f"{DEFAULT_ATOL + 1.0:.3g}"
    expected = np.array([1e-3, 2.0, -7.5])
    assert key(close(1e6 * expected, expected, rtol=1.0)) == "not_close"
    assert key(close(1e6 * expected, expected, rtol=0.5, atol=0.0)) == "not_close"
    # the other way round the reference's own magnitude sets the bound
    assert close(0.5, 1.0, rtol=0.5, atol=0.0).ok        # rtol*|actual| would be 0.25 < 0.5
    assert not close(0.4999, 1.0, rtol=0.5, atol=0.0).ok
    # the default bound scales with the reference only
    big = 1e6
    assert close(big + 0.9, big).ok
    assert not close(big + 1.1, big).ok


@pytest.mark.parametrize("actual, expected, want", [
    (NAN, NAN, "pass"),
    ([1.0, NAN], [1.0, NAN], "pass"),
    (np.array([NAN, 2.0, NAN]), [NAN, 2.0, NAN], "pass"),
    (complex(NAN, 0.0), complex(NAN, 0.0), "pass"),
    (INF, INF, "pass"),
    (-INF, -INF, "pass"),
    ([INF, -INF, NAN], [INF, -INF, NAN], "pass"),
    (NAN, 1.0, "fail"),
    ([1.0, NAN], [1.0, 2.0], "fail"),
    (1.0, NAN, "fail"),
    ([1.0, 2.0], [1.0, NAN], "fail"),
    (INF, -INF, "fail"),
    (-INF, INF, "fail"),
    (INF, 1e308, "fail"),
    (1e308, INF, "fail"),
    (NAN, INF, "fail"),
    (INF, NAN, "fail"),
    ([NAN, NAN], [NAN, 1.0], "fail"),
    ([NAN, INF], [INF, NAN], "fail"),
    (complex(1.0, INF), complex(1.0, 0.0), "fail"),
])
def test_nan_only_where_reference_has_nan(actual, expected, want):
    for rtol, atol in ((DEFAULT_RTOL, DEFAULT_ATOL), (1.0, 1e300)):  # no tolerance buys a NaN
        result = close(actual, expected, rtol=rtol, atol=atol)
        assert verdict(result) == want
        if want == "fail":
            assert key(result) == "nan_mismatch"


def test_nan_mismatch_names_the_element():
    result = close([[1.0, 2.0], [3.0, NAN]], [[1.0, 2.0], [3.0, 4.0]])
    assert result.message.params["where"] == "[1, 1]: "
    assert close(NAN, 1.0).message.params["where"] == ""


@pytest.mark.parametrize("actual, expected, want, want_key", [
    (12, 12, "pass", None),
    (12.0, 12, "pass", None),
    (np.float64(12.0), 12, "pass", None),
    (np.float32(12.0), 12, "pass", None),
    (np.int64(12), 12, "pass", None),
    (np.array(12, dtype=np.int16), 12, "pass", None),
    (np.uint8(12), 12, "pass", None),
    (12 + 0j, 12, "pass", None),
    (-3.0, -3, "pass", None),
    (12.5, 12, "fail", "not_integer"),
    (12.000001, 12, "fail", "not_integer"),
    (12 + 1j, 12, "fail", "not_integer"),
    (True, 1, "fail", "wrong_type"),
    (False, 0, "fail", "wrong_type"),
    (np.bool_(True), 1, "fail", "wrong_type"),
    (np.array([True, False]), [1, 0], "fail", "wrong_type"),
    (NAN, 12, "fail", "not_finite"),
    (INF, 12, "fail", "not_finite"),
    (13.0, 12, "fail", "not_equal"),
    (1e20, 12, "fail", "not_equal"),
    (-1e20, 12, "fail", "not_equal"),
    (2.0 ** 63, 2 ** 63 - 1, "fail", "not_equal"),
    ([64.0, 32.0, 32.0], [64, 32, 32], "pass", None),
    ([64.0, 32.5, 32.0], [64, 32, 32], "fail", "not_integer"),
])
# a float beyond int64 makes numpy warn when it is cast for the comparison; the verdict is right
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_integer_valued_counts(actual, expected, want, want_key):
    result = integer(actual, expected)
    assert verdict(result) == want
    assert key(result) == want_key


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_integer_failures_carry_the_offending_value():
    assert integer(12.5, 12).message.params == {"where": "", "actual": 12.5}
    result = integer(1e20, 12)
    assert result.message.params["actual"] == 10 ** 20   # not a wrapped-around int64
    assert result.message.params["expected"] == 12
    result = integer([64.0, 32.5, 32.0], [64, 32, 32])
    assert result.message.params == {"where": "[1]: ", "actual": 32.5}
    result = integer([64, 31, 32], [64, 32, 32])
    assert result.message.params == {"where": "[1]: ", "actual": 31, "expected": 32}
    assert integer(True, 1).message.params == {"wanted": Message("kind_whole_number"), "found": "bool"}


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_integer_beyond_int64_reference():
    assert float(10 ** 20) == 1e20
    assert integer(1e20, 10 ** 20).ok


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_integer_overflowing_answer_does_not_wrap():
    assert not integer(2.0 ** 63, -(2 ** 63)).ok
    assert not integer(1e20, -(2 ** 63)).ok


@pytest.mark.parametrize("permutation", list(itertools.permutations([1 + 2j, 1 - 2j, 3])))
def test_conjugate_eigenvalue_pairs(permutation):
    expected = [1 + 2j, 1 - 2j, 3]
    assert eigenvalues(list(permutation), expected).ok
    assert eigenvalues(np.array(permutation), np.array(expected)).ok
    assert eigenvalues(list(permutation), [3, 1 - 2j, 1 + 2j]).ok


def test_conjugate_eigenvalue_pair_missing_its_conjugate():
    expected = [1 + 2j, 1 - 2j, 3]
    result = eigenvalues([1 + 2j, 1 + 2j, 3], expected)
    assert key(result) == "eigen_mismatch"
    assert result.message.params["actual"] == 1 + 2j
    assert result.message.params["expected"] == [1 + 2j, 1 - 2j, 3]
    # real parts alone (a student who dropped the imaginary parts) do not pass either
    assert key(eigenvalues([1, 1, 3], expected)) == "eigen_mismatch"
    assert key(eigenvalues([1 + 2j, 1 - 2j, 3j], expected)) == "eigen_mismatch"


def test_eigenvalue_multiplicity_respected():
    result = eigenvalues([2, 2, 3], [2, 3, 3])
    assert key(result) == "eigen_mismatch"
    assert result.message.params["actual"] == 2
    assert key(eigenvalues([2, 3, 3], [2, 2, 3])) == "eigen_mismatch"
    assert key(eigenvalues([2, 2, 2], [2, 2, 3])) == "eigen_mismatch"
    assert eigenvalues([3, 2, 2], [2, 3, 2]).ok
    # the same set, different multiset sizes: counted before matched
    assert key(eigenvalues([2, 3], [2, 2, 3])) == "eigen_count"


def test_near_degenerate_eigenvalues_matched_by_assignment_not_sorting():
    eps = 1e-7
    expected = np.array([1.0 + 1j, 1.0 + eps - 1j])
    actual = np.array([1.0 + eps + 1j, 1.0 - 1j])     # each within 1e-7 of its partner
    bound = 1e-8 + 1e-6 * np.abs(expected)
    assert np.all(np.abs(actual - expected) <= bound)
    # the trap: sorting by (real, imag) pairs 1-1j with 1+1j
    sorted_a, sorted_e = np.sort_complex(actual), np.sort_complex(expected)
    assert not np.allclose(sorted_a, sorted_e, rtol=1e-6, atol=1e-8)
    assert eigenvalues(actual, expected).ok
    assert eigenvalues(actual[::-1], expected).ok
    # a real near-tie resolved the same way
    assert eigenvalues([2.0 - 3e-7, 2.0 + 3e-7 + 0.5j, 2.0 - 0.5j],
                       [2.0 + 0.5j, 2.0, 2.0 - 0.5j]).ok


def test_eigenvalue_assignment_finds_a_feasible_matching_at_any_scale():
    big, d = 1e13, 0.99e7                           # bounds are about 1e7 here
    expected = np.array([big, big + d])
    actual = np.array([big + d * np.exp(1j * np.deg2rad(70)), big])
    cost = np.abs(actual[:, None] - expected[None, :])
    bound = 1e-8 + 1e-6 * np.abs(expected)[None, :]
    assert np.all(np.diag(cost) <= bound[0])        # actual[i] <-> expected[i] is a valid matching
    assert eigenvalues(actual, expected).ok


def test_nested_dict_and_list_structures():
    expected = {"a": 1.0, "b": [1.0, 2.0], "c": {"d": [[1.0, 2.0], [3.0, 4.0]]}}
    assert close({"c": {"d": np.array([[1.0, 2.0], [3.0, 4.0]])}, "b": [1.0, 2.0], "a": 1.0}, expected).ok

    result = close({"a": 1.0, "b": [1.0, 2.0]}, expected)
    assert key(result) == "wrong_keys"
    assert result.message.params == {"actual": ["a", "b"], "expected": ["a", "b", "c"]}
    assert key(close({**expected, "e": 1.0}, expected)) == "wrong_keys"
    assert key(close({"a": 1.0, "b": [1.0, 2.0], "C": expected["c"]}, expected)) == "wrong_keys"

    result = close({"a": 1.0, "b": [1.0, 2.0], "c": {"d": [[1.0, 2.0], [3.0, 4.5]]}}, expected)
    assert key(result) == "not_close"
    assert result.message.params["where"] == "['c']['d'][1, 1]: "
    assert result.message.params["actual"] == 4.5
    assert render(result.message, "en").startswith("['c']['d'][1, 1]:")
    assert "4.5 is not close to 4" in render(result.message, "en")

    result = close({"a": 1.0, "b": [1.0, NAN], "c": expected["c"]}, expected)
    assert key(result) == "nan_mismatch"
    assert result.message.params["where"] == "['b'][1]: "

    result = close([{"x": 1.0}, {"x": 2.0}], [{"x": 1.0}, {"x": 2.5}])
    assert result.message.params["where"] == "[1]['x']: "
    assert key(close([{"x": 1.0}], [{"x": 1.0}, {"x": 2.5}])) == "wrong_length"
    assert close([{"x": 1.0}], [{"x": 1.0}, {"x": 2.5}]).message.params == {"actual": 1, "expected": 2}
    result = close([1.0, 2.0], {"x": 1.0})
    assert result.message.params == {"wanted": "dict", "found": "list"}
    result = close({"x": 1.0}, [{"x": 1.0}])
    assert result.message.params == {"wanted": "list", "found": "dict"}
    result = close([{"x": 1.0}, 2.0], [{"x": 1.0}, {"x": 2.0}])
    assert key(result) == "wrong_type" and result.message.params["found"] == "float"

    result = integer({"n": {"m": [3, 12.5]}}, {"n": {"m": [3, 12]}})
    assert key(result) == "not_integer"
    assert result.message.params["where"] == "['n']['m'][1]: "
    assert key(integer({"n": 3}, {"m": 3})) == "wrong_keys"


def test_bool_vs_number():
    result = close(True, 1.0)
    assert key(result) == "wrong_type" and result.message.params == {"wanted": Message("kind_number"), "found": "bool"}
    result = close(1.0, True)
    assert key(result) == "wrong_type" and result.message.params == {"wanted": "bool", "found": Message("kind_number")}
    assert render(result.message, "fr") == "attendu : bool, obtenu : un nombre"
    assert key(close(np.array([1.0, 0.0]), [True, False])) == "wrong_type"
    assert key(close(np.array([True, False]), [1.0, 0.0])) == "wrong_type"
    assert close([True, False], [True, False]).ok
    result = close([True, False], [True, True])
    assert key(result) == "not_equal"
    assert result.message.params == {"where": "[1]: ", "actual": False, "expected": True}
    assert key(close(True, True, rtol=1.0, atol=1.0)) is None
    assert key(close(False, True, rtol=1.0, atol=1.0)) == "not_equal"   # no tolerance on bools
    assert key(integer(True, 1)) == "wrong_type"
    assert key(integer(np.array([True]), [1])) == "wrong_type"
    assert key(exact(1, True)) == "wrong_type"
    assert key(exact(np.bool_(True), True)) == "wrong_type"   # from_plain never produces np.bool_
    assert key(eigenvalues("abc", [1.0])) == "wrong_type"


def test_exact_bool_against_a_number():
    assert not exact(True, 1).ok


def test_bool_inside_a_numeric_list():
    assert not integer([1, True], [1, 1]).ok
    assert not close([1.0, True], [1.0, 1.0]).ok


def test_exact_with_an_array_answer():
    assert key(exact(np.array([1, 2]), [1, 2])) in ("wrong_type", "not_equal", None)


@pytest.mark.parametrize("comparator, args", [
    (close, (1.0,)),
    (close, ([1.0, 2.0],)),
    (integer, (12,)),
    (eigenvalues, ([1.0, 2.0],)),
    (shape, ([3],)),
])
def test_unsupported_object(comparator, args):
    result = comparator(Unsupported("function"), *args)
    assert key(result) == "unsupported"
    assert result.message.params == {"found": "function"}
    for lang in LANGUAGES:
        assert "function" in render(result.message, lang)


def test_unsupported_object_inside_structures():
    result = close({"a": Unsupported("function")}, {"a": 1.0})
    assert key(result) == "unsupported"
    assert key(keys({"a": Unsupported("generator")}, ["a"])) == "unsupported"
    result = close(Unsupported("function"), {"a": 1.0})
    assert key(result) == "wrong_type" and result.message.params["found"] == "function"
    result = close(Unsupported("ndarray[<U1]"), [{"a": 1.0}])
    assert key(result) == "wrong_type" and result.message.params["found"] == "ndarray[<U1]"
    result = exact(Unsupported("function"), "valid")
    assert key(result) == "wrong_type" and result.message.params["found"] == "function"
    assert not exact(Unsupported("function"), 3).ok
    # inside a numeric list it cannot become a number
    assert not close([1.0, Unsupported("function")], [1.0, 2.0]).ok


def test_ragged_list():
    for comparator in (close, integer):
        result = comparator([[1, 2], [3]], [[1, 2], [3, 4]])
        assert key(result) == "wrong_type"
        assert result.message.params == {"wanted": Message("kind_number_or_array"), "found": Message("kind_ragged_list")}
        assert render(result.message, "en") == "expected a number or an array, got a ragged list"
    assert key(eigenvalues([[1, 2], [3]], [1, 2, 3])) == "wrong_type"
    assert key(shape([[1, 2], [3]], [2, 2])) == "wrong_type"
    # a ragged reference (a list of vectors of different lengths) is compared item by item
    ragged = [[1.0, 2.0], [3.0]]
    assert close([[1.0, 2.0], [3.0]], ragged).ok
    assert close([np.array([1.0, 2.0]), np.array([3.0])], ragged).ok
    result = close([[1.0, 2.0], [3.5]], ragged)
    assert key(result) == "not_close" and result.message.params["where"] == "[1][0]: "
    result = close([[1.0, 2.0], [3.0, 4.0]], ragged)
    assert key(result) == "wrong_shape" and result.message.params == {"actual": "(2,)", "expected": "(1,)"}
    assert key(close(np.array([[1.0, 2.0], [3.0, 4.0]]), ragged)) == "wrong_shape"
    assert key(close([[1.0, 2.0]], ragged)) == "wrong_length"
    assert key(close(3.0, ragged)) == "wrong_type"
    assert integer([[1, 2], [3.0]], [[1, 2], [3]]).ok


@pytest.mark.parametrize("result, params", [
    (close([1.0, 1.5], [1.0, 1.0]), {"where": "[1]: ", "actual": 1.5, "expected": 1}),
    (close(2.0, 1.0), {"where": "", "actual": 2, "expected": 1}),
    (close(1 + 2j, 1 - 2j), {"where": "", "actual": 1 + 2j, "expected": 1 - 2j}),
    (close([0.123456789], [0.2]), {"where": "[0]: ", "actual": 0.123457, "expected": 0.2}),
    (integer(12.5, 12), {"where": "", "actual": 12.5}),
    (integer(13, 12), {"where": "", "actual": 13, "expected": 12}),
    (eigenvalues([1.0, 7.5], [1.0, 2.0]), {"actual": 7.5, "expected": [1, 2]}),
    (eigenvalues([1.0], [1.0, 2.0]), {"actual": 1, "expected": 2}),
    (close("x", 1.0), {"wanted": Message("kind_number_or_array"), "found": "str"}),
    (exact("no", "yes"), {"where": "", "actual": "no", "expected": "yes"}),
])
def test_failure_params_name_the_offending_value(result, params):
    assert not result.ok
    for name, value in params.items():
        assert result.message.params[name] == value, name


def test_not_close_reports_difference_and_bound():
    result = close(1.5, 1.0)
    assert result.message.params["diff"] == "0.5"
    assert result.message.params["bound"] == f"{DEFAULT_ATOL + DEFAULT_RTOL:.3g}"
    text = render(result.message, "en")
    assert text == "1.5 is not close to 1 (|difference| 0.5 > 1e-06)"


SECRET = 987654.0

SECRET_FAILURES = [
    ("not_close", lambda: close(1.0, SECRET)),
    ("not_close", lambda: close([1.0, 2.0], [SECRET, 2.0])),
    ("not_close", lambda: close({"a": 1.0}, {"a": SECRET})),
    ("not_close", lambda: close(1.0 + 0j, complex(SECRET, 1.0))),
    ("not_equal", lambda: integer(3, int(SECRET))),
    ("not_equal", lambda: integer([3, 4], [int(SECRET), 4])),
    ("not_equal", lambda: exact(1.0, SECRET)),
    ("not_equal", lambda: exact("abc", "987654")),
    ("eigen_mismatch", lambda: eigenvalues([1.0, 2.0], [SECRET, 2.0])),
    ("eigen_count", lambda: eigenvalues([1.0], [SECRET, 2.0])),
    ("wrong_shape", lambda: close([1.0], [SECRET, 1.0])),
    ("wrong_length", lambda: close([[1.0]], [[SECRET], [1.0, 2.0]])),
    ("wrong_keys", lambda: close({"b": 1.0}, {"a": SECRET})),
    ("nan_mismatch", lambda: close(NAN, SECRET)),
    ("wrong_type", lambda: close(True, SECRET)),
    ("not_integer", lambda: integer(0.5, int(SECRET))),
    ("unsupported", lambda: close(Unsupported("function"), SECRET)),
]


@pytest.mark.parametrize("want_key, make", SECRET_FAILURES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(SECRET_FAILURES)])
def test_hidden_messages_never_show_the_expected_value(want_key, make):
    result = make()
    assert key(result) == want_key
    for lang in LANGUAGES:
        shown = render(result.message, lang)
        hidden = render(result.message, lang, hidden=True)
        assert shown and hidden
        assert "{" not in shown and "{" not in hidden, (shown, hidden)   # every placeholder filled
        assert "987654" not in hidden, hidden
        if want_key in ("not_close", "not_equal", "eigen_mismatch"):
            # the public text does show it: so the hidden check above can fail
            assert "987654" in shown, shown


def test_messages_render_in_every_language():
    result = close(2.0, 3.0)
    assert render(result.message, "en") == "2 is not close to 3 (|difference| 1 > 3e-06)"
    assert render(result.message, "fr") == "2 n'est pas proche de 3 (|écart| 1 > 3e-06)"
    assert render(result.message, "en", hidden=True) == "2 differs from the reference"
    assert render(result.message, "fr", hidden=True) == "2 diffère de la référence"
    located = close([1.0, 2.0], [1.0, 3.0])
    for lang in LANGUAGES:
        for hidden in (False, True):
            text = render(located.message, lang, hidden=hidden)
            assert text.startswith("[1]:") and "2" in text


def test_location_prefix_keeps_its_space():
    assert render(close([1.0, 2.0], [1.0, 3.0]).message, "en").startswith("[1]: 2 is not close to 3")
