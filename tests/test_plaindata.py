"""Plain data across the trust boundary (autograder/plaindata.py).

``to_plain`` runs in the student's process, ``dumps``/``loads`` carry the text, ``from_plain``
runs in the grader and must refuse anything a hostile worker could forge.
"""

from __future__ import annotations

import base64
import binascii
import json
import math

import numpy as np
import pytest
import torch

from autograder import compare
from autograder.plaindata import (MAX_ARRAY_BYTES, MAX_DEPTH, PlainDataError, Unsupported, convert, dumps,
                                  from_plain, loads, normalize, to_plain)

NAN = float("nan")
INF = float("inf")


def wire(value):
    """The whole trip: student side, JSON text, grader side."""
    text = dumps(to_plain(value))
    assert isinstance(text, str)
    return from_plain(loads(text))


def same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


# --------------------------------------------------------------------------- scalars and structures


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2 ** 62, 2 ** 80, -(2 ** 70),
    0.0, 1.5, -2.25, 1e-300, 5e-324, 1e300, 1.7976931348623157e308, 0.1 + 0.2,
    "", "text", "é ü 中文", "\x00\n\"",
])
def test_plain_scalars_round_trip(value):
    back = wire(value)
    assert type(back) is type(value)
    assert back == value
    if type(value) is float:
        assert back.hex() == value.hex()   # bit for bit


def test_negative_zero_round_trips():
    back = wire(-0.0)
    assert type(back) is float and math.copysign(1.0, back) == -1.0


@pytest.mark.parametrize("value", [NAN, INF, -INF])
def test_nonfinite_floats_round_trip(value):
    plain = to_plain(value)
    assert plain == {"__float__": repr(value)}
    text = dumps(plain)
    assert "NaN" not in text and "Infinity" not in text   # strict JSON on the wire
    back = from_plain(loads(text))
    assert type(back) is float and same_float(back, value)


@pytest.mark.parametrize("value", [
    1 + 2j, -0.5j, complex(0, 0), complex(1e300, -1e-300),
    complex(NAN, 1.0), complex(1.0, INF), complex(-INF, NAN),
])
def test_complex_round_trips(value):
    back = wire(value)
    assert type(back) is complex
    assert same_float(back.real, value.real) and same_float(back.imag, value.imag)


@pytest.mark.parametrize("value, want", [
    (np.float64(1.5), 1.5),
    (np.float32(0.25), 0.25),
    (np.float16(-2.0), -2.0),
    (np.int8(-3), -3),
    (np.int64(2 ** 40), 2 ** 40),
    (np.uint64(2 ** 64 - 1), 2 ** 64 - 1),
    (np.bool_(True), True),
    (np.bool_(False), False),
    (np.complex64(1 + 2j), 1 + 2j),
    (np.complex128(-1j), -1j),
])
def test_numpy_scalars_become_python_numbers(value, want):
    back = wire(value)
    assert type(back) is type(want)
    assert back == want


def test_numpy_nonfinite_scalars():
    assert math.isnan(wire(np.float64(NAN)))
    assert wire(np.float32(-INF)) == -INF
    back = wire(np.complex128(complex(NAN, INF)))
    assert math.isnan(back.real) and back.imag == INF


def test_nested_lists_dicts_and_tuples():
    value = {"a": [1, 2.5, {"b": (3, 4.0)}], "c": None, "d": (), "e": {"f": [[NAN, 1j], [True, "x"]]},
             "g": [np.arange(3), (np.float32(1.0),)]}
    back = wire(value)
    assert set(back) == {"a", "c", "d", "e", "g"}
    assert back["a"] == [1, 2.5, {"b": [3, 4.0]}]       # tuples arrive as lists
    assert back["c"] is None and back["d"] == []
    inner = back["e"]["f"]
    assert math.isnan(inner[0][0]) and inner[0][1] == 1j and inner[1] == [True, "x"]
    assert type(inner[1][0]) is bool
    assert isinstance(back["g"][0], np.ndarray) and back["g"][0].tolist() == [0, 1, 2]
    assert back["g"][1] == [1.0]


def test_nesting_depth_is_limited():
    deep: list = []
    node = deep
    for _ in range(MAX_DEPTH + 5):
        node.append([])
        node = node[0]
    with pytest.raises(PlainDataError):
        to_plain(deep)
    loop: list = []
    loop.append(loop)                 # a cycle must not become a RecursionError
    with pytest.raises(PlainDataError):
        to_plain(loop)
    forged = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(PlainDataError):
        from_plain(loads(forged))
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert from_plain(loads(ok)) is not None


# --------------------------------------------------------------------------- arrays

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
          np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128]
SHAPES = [(0,), (1,), (5,), (2, 3), (0, 4), (3, 0, 2), (2, 1, 3)]   # 0-d: see below


def _sample(dtype, shape, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        values = rng.integers(0, 2, size=shape)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    elif dtype.kind == "f":
        values = rng.normal(size=shape) * 1e3
    else:
        values = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    a = np.asarray(values, dtype=dtype)   # an array even for shape ()
    assert type(a) is np.ndarray and a.shape == shape
    return a


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_arrays_of_every_allowed_dtype_round_trip(dtype):
    rng = np.random.default_rng(7)
    for shape in SHAPES:
        a = _sample(dtype, shape, rng)
        back = wire(a)
        assert type(back) is np.ndarray
        assert back.dtype == a.dtype, shape
        assert back.shape == a.shape
        assert back.tobytes() == a.tobytes()                  # bit for bit
        assert back.flags.writeable and back.flags.c_contiguous
        if a.size:
            back.flat[0] = back.flat[-1]                        # the grader may write into it


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.complex128])
def test_nonfinite_array_entries_round_trip(dtype):
    a = np.array([NAN, INF, -INF, -0.0, 1.0, 5e-324 if np.dtype(dtype).itemsize >= 8 else 1e-7], dtype=dtype)
    back = wire(a)
    assert back.dtype == a.dtype and back.tobytes() == a.tobytes()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_zero_dimensional_arrays_keep_their_shape(dtype):
    a = _sample(dtype, (), np.random.default_rng(3))
    back = wire(a)
    assert back.dtype == a.dtype and back.tobytes() == a.tobytes()
    assert back.shape == ()


def test_zero_dimensional_tensor_answer_passes_a_scalar_check():
    assert compare.close(wire(torch.tensor([1.0, 2.0]).sum()), 3.0).ok


def test_zero_dimensional_arrays_keep_their_value():
    back = wire(np.array(3.5))
    assert type(back) is np.ndarray and back.size == 1 and back.item() == 3.5
    back = wire(np.array(True))
    assert back.dtype == np.bool_ and back.item() is True
    back = wire(torch.tensor(2.5))
    assert back.size == 1 and back.item() == 2.5


def test_empty_arrays():
    back = wire(np.zeros((0,), dtype=np.complex128))
    assert back.shape == (0,) and back.dtype == np.complex128
    back = wire(np.empty((4, 0, 2), dtype=np.int32))
    assert back.shape == (4, 0, 2) and back.dtype == np.int32


def test_non_contiguous_and_foreign_byte_order_arrays():
    a = np.arange(24, dtype=np.float64).reshape(4, 6)
    for view in (a.T, a[:, ::2], a[::-1], np.asfortranarray(a), a[1:3, 2:5]):
        back = wire(view)
        assert back.shape == view.shape and np.array_equal(back, view)
    big_endian = np.arange(5, dtype=">i4") * 1000
    back = wire(big_endian)
    assert back.dtype == np.dtype("=i4") and back.tolist() == [0, 1000, 2000, 3000, 4000]
    back = wire(np.array([1.5, -2.0], dtype=">f8"))
    assert back.dtype == np.float64 and back.tolist() == [1.5, -2.0]
    back = wire(np.array([1 + 2j], dtype=">c16"))
    assert back.dtype == np.complex128 and back.tolist() == [1 + 2j]


def test_array_on_the_wire_is_little_endian_base64():
    plain = to_plain(np.array([1, 256], dtype=">u2"))
    spec = plain["__ndarray__"]
    assert spec["dtype"] == "<u2" and spec["shape"] == [2]
    assert base64.b64decode(spec["data"]) == b"\x01\x00\x00\x01"


def test_array_subclasses_arrive_as_plain_arrays():
    class Sneaky(np.ndarray):
        def __eq__(self, other):  # noqa: D105 - hostile
            return True

    s = np.arange(3.0).view(Sneaky)
    back = wire(s)
    assert type(back) is np.ndarray and back.tolist() == [0.0, 1.0, 2.0]
    assert not compare.close(back, [0.0, 1.0, 5.0]).ok
    masked = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    assert type(wire(masked)) is np.ndarray


def test_oversized_arrays_are_refused_before_copying():
    huge = np.broadcast_to(np.zeros(1), (MAX_ARRAY_BYTES // 8 + 1,))   # no memory behind it
    assert huge.nbytes > MAX_ARRAY_BYTES
    with pytest.raises(PlainDataError):
        to_plain(huge)
    with pytest.raises(PlainDataError):
        to_plain({"a": [huge]})


# --------------------------------------------------------------------------- torch


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64, torch.int8, torch.int16,
                                   torch.int32, torch.int64, torch.uint8, torch.bool,
                                   torch.complex64, torch.complex128], ids=str)
def test_torch_tensors_become_arrays(dtype):
    values = [[1, 0, 3], [0, 5, 1]]
    t = torch.tensor(values, dtype=dtype)
    back = wire(t)
    assert type(back) is np.ndarray
    assert back.shape == (2, 3)
    want = np.array(values, dtype=torch.empty(0, dtype=dtype).numpy().dtype)
    assert back.dtype == want.dtype and np.array_equal(back, want)


def test_torch_tensors_with_grad_views_and_odd_layouts():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    assert y.requires_grad and y.grad_fn is not None
    assert wire(y).tolist() == [2.0, 4.0, 6.0]
    assert wire(x).tolist() == [1.0, 2.0, 3.0]
    assert wire(torch.nn.Parameter(torch.ones(2))).tolist() == [1.0, 1.0]

    z = torch.tensor([1 + 2j, 3 - 4j])
    conj = z.conj()
    assert conj.is_conj()                       # a lazy view: .numpy() on it would raise
    with pytest.raises(RuntimeError):
        conj.numpy()
    assert wire(conj).tolist() == [1 - 2j, 3 + 4j]
    assert wire(torch.tensor([[1 + 2j, 3 - 4j]]).conj().T).tolist() == [[1 - 2j], [3 + 4j]]
    neg = torch.tensor([1.0, -2.0])._neg_view()
    assert neg.is_neg()
    assert wire(neg).tolist() == [-1.0, 2.0]

    m = torch.arange(6.0).reshape(2, 3)
    assert wire(m.T).tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert wire(m[:, ::2]).tolist() == [[0.0, 2.0], [3.0, 5.0]]
    assert wire(torch.empty(0, 3)).shape == (0, 3)
    assert wire([torch.tensor(1), {"t": torch.tensor([True])}]) [1]["t"].dtype == np.bool_
    assert np.isnan(wire(torch.tensor([float("nan")]))).all()


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("value, type_name", [
    (np.array(["a", "bc"]), "ndarray[<U2]"),
    (np.array([b"a"]), "ndarray[|S1]"),
    (np.array([1, "a"], dtype=object), "ndarray[object]"),
    (np.array([[1], [2]], dtype=object), "ndarray[object]"),
    (np.zeros(2, dtype=[("x", "f8"), ("y", "i4")]), None),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "ndarray[datetime64[D]]"),
    (np.array([1], dtype="timedelta64[s]"), "ndarray[timedelta64[s]]"),
])
def test_object_and_string_arrays_become_unsupported(value, type_name):
    back = wire(value)
    assert isinstance(back, Unsupported)
    assert back.type_name.startswith("ndarray[")
    if type_name is not None:
        assert back.type_name == type_name
    assert compare.close(back, [1.0, 2.0]).message.key == "unsupported"


@pytest.mark.parametrize("value, type_name", [
    (lambda x: x, "function"),
    (len, "builtin_function_or_method"),
    (int, "type"),
    ({1, 2}, "set"),
    (frozenset(), "frozenset"),
    (b"bytes", "bytes"),
    (bytearray(b"x"), "bytearray"),
    (object(), "object"),
    ((i for i in range(3)), "generator"),
    (range(3), "range"),
    (Ellipsis, "ellipsis"),
    (math, "module"),
])
def test_other_objects_become_unsupported(value, type_name):
    plain = to_plain(value)
    assert plain == {"__unsupported__": type_name}
    back = from_plain(loads(dumps(plain)))
    assert back == Unsupported(type_name) and back.type_name == type_name
    assert wire([1, value]) == [1, Unsupported(type_name)]


def test_unsupported_marker_behaves():
    u = Unsupported("function")
    assert u == Unsupported("function") and u != Unsupported("set") and u != "function"
    assert hash(u) == hash(Unsupported("function"))
    assert repr(u) == "<function object>"
    assert not hasattr(u, "__dict__")


@pytest.mark.parametrize("value", [
    {1: "a"},
    {1.5: 2},
    {None: 1},
    {(1, 2): 3},
    {True: 1},
    {"a": {2: 3}},
    [{"ok": 1}, {b"k": 2}],
    {np.str_("k"): 1},
])
def test_non_string_dict_keys_raise(value):
    with pytest.raises(PlainDataError, match="dict keys must be strings"):
        to_plain(value)


def test_hostile_float_subclass_arrives_as_a_plain_float():
    class Evil(float):
        def __eq__(self, other):  # noqa: D105 - hostile
            return True

        def __ne__(self, other):  # noqa: D105
            return False

        __hash__ = float.__hash__

        def __repr__(self):  # noqa: D105
            return "987654.0"

    evil = Evil(2.5)
    assert evil == 3.0                                  # what it would do in the grader
    plain = to_plain(evil)
    assert type(plain) is float and plain == 2.5
    back = wire(evil)
    assert type(back) is float and back == 2.5
    assert not compare.close(back, 3.0).ok
    assert not compare.close(wire([evil, evil]), [3.0, 3.0]).ok
    nested = wire({"v": (evil,)})
    assert type(nested["v"][0]) is float
    assert type(wire(Evil(NAN))) is float and math.isnan(wire(Evil(NAN)))


def test_hostile_int_and_complex_subclasses_arrive_as_plain_numbers():
    class EvilInt(int):
        def __eq__(self, other):  # noqa: D105
            return True

        __hash__ = int.__hash__

    class EvilComplex(complex):
        def __eq__(self, other):  # noqa: D105
            return True

        __hash__ = complex.__hash__

    back = wire(EvilInt(12))
    assert type(back) is int and back == 12
    assert not compare.integer(back, 13).ok
    back = wire(EvilComplex(1 + 2j))
    assert type(back) is complex and back == 1 + 2j


# --------------------------------------------------------------------------- forged wire data


def _header(dtype="<f8", shape=(2,), data=b"\x00" * 16, **extra):
    spec = {"dtype": dtype, "shape": list(shape), "data": base64.b64encode(data).decode(), **extra}
    return {"__ndarray__": spec}


FORGED = {
    "data shorter than shape": _header(shape=[3]),
    "data longer than shape": _header(shape=[1]),
    "empty shape, two items": _header(shape=[]),
    "zero-size shape, data": _header(shape=[0]),
    "int data for a complex header": _header(dtype="<c16", shape=[2]),
    "huge shape, small data": _header(shape=[2 ** 31, 2 ** 31]),
    "overflowing shape product": _header(shape=[2 ** 62, 2 ** 62, 4], data=b""),
    "dtype O": _header(dtype="O", data=b"\x00" * 16),
    "dtype |O": _header(dtype="|O", data=b"\x00" * 16),
    "dtype object": _header(dtype="object", data=b"\x00" * 16),
    "dtype unicode": _header(dtype="<U2", shape=[2], data=b"\x00" * 16),
    "dtype bytes": _header(dtype="|S8", data=b"\x00" * 16),
    "dtype void": _header(dtype="|V8", data=b"\x00" * 16),
    "dtype datetime": _header(dtype="<M8[s]", data=b"\x00" * 16),
    "negative shape": _header(shape=[-1], data=b""),
    "negative shape with data": _header(shape=[-2, -1]),
    "float in shape": _header(shape=[2.0]),
    "bool in shape": _header(shape=[True, True]),
    "string shape": {"__ndarray__": {"dtype": "<f8", "shape": "2", "data": ""}},
    "int shape": {"__ndarray__": {"dtype": "<f8", "shape": 2, "data": ""}},
    "missing shape": {"__ndarray__": {"dtype": "<f8", "data": ""}},
    "header is a list": {"__ndarray__": ["<f8", [2], ""]},
    "header is a string": {"__ndarray__": "AAAA"},
    "bad float marker": {"__float__": "1e308"},
    "float marker with spaces": {"__float__": " nan"},
    "float marker not a string": {"__float__": 1.0},
    "complex part not a number": {"__complex__": ["1", 0]},
    "complex part bad marker": {"__complex__": [{"__float__": "x"}, 0]},
    "complex part bool": {"__complex__": [True, 0]},
    "too deep": json.loads("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)),
    "array inside a deep dict": {"a": {"b": [_header(shape=[-1], data=b"")]}},
}


@pytest.mark.parametrize("payload", list(FORGED.values()), ids=list(FORGED))
def test_forged_wire_payload_raises(payload):
    with pytest.raises(PlainDataError):
        from_plain(payload)
    # it went through JSON to get here: the same after a text round trip
    with pytest.raises(PlainDataError):
        from_plain(loads(json.dumps(payload)))


@pytest.mark.parametrize("payload", [(1, 2), {1, 2}, b"x", 1 + 2j, np.float64(1.0), np.array([1.0]),
                                     Unsupported("x")], ids=repr)
def test_non_json_values_are_refused_by_from_plain(payload):
    with pytest.raises(PlainDataError):
        from_plain(payload)


FORGED_UNCAUGHT = {
    "unknown dtype": (_header(dtype="nonsense"), TypeError),
    "missing dtype": ({"__ndarray__": {"shape": [0], "data": ""}}, TypeError),
    "data not base64": ({"__ndarray__": {"dtype": "<f8", "shape": [1], "data": "!!!!"}}, binascii.Error),
    "complex marker not a list": ({"__complex__": 5}, TypeError),
    "complex marker of one part": ({"__complex__": [1.0]}, ValueError),
}


@pytest.mark.parametrize("payload, raised", list(FORGED_UNCAUGHT.values()), ids=list(FORGED_UNCAUGHT))
def test_forged_wire_payload_never_escapes_the_sandbox_handler(payload, raised):
    # sandbox._answer catches (PlainDataError, ValueError, TypeError): whatever from_plain raises
    # on forged data has to be one of them
    with pytest.raises((PlainDataError, ValueError, TypeError)):
        from_plain(payload)


@pytest.mark.parametrize("payload, raised", list(FORGED_UNCAUGHT.values()), ids=list(FORGED_UNCAUGHT))
def test_forged_wire_payload_raises_plaindataerror(payload, raised):
    with pytest.raises(PlainDataError):
        from_plain(payload)


def test_forged_payload_with_a_valid_header_decodes():
    # the positive control for the table above: the same construction, consistent
    a = from_plain(_header(shape=[2], data=np.array([1.5, -2.0]).tobytes()))
    assert a.dtype == np.float64 and a.tolist() == [1.5, -2.0]
    assert from_plain(_header(dtype=">i2", shape=[1], data=b"\x01\x00")).tolist() == [256]
    assert from_plain(_header(shape=[0, 5], data=b"")).shape == (0, 5)
    assert from_plain({"__complex__": [1, {"__float__": "-inf"}]}) == complex(1, -INF)
    assert from_plain({"__unsupported__": 3}) == Unsupported("3")


# --------------------------------------------------------------------------- dumps / loads / convert


@pytest.mark.parametrize("raw", [NAN, INF, -INF, [1.0, NAN], {"a": -INF}, {"a": [[INF]]}])
def test_dumps_refuses_nan_in_raw_floats(raw):
    with pytest.raises(ValueError):
        dumps(raw)
    assert "__float__" in dumps(to_plain(raw))


@pytest.mark.parametrize("raw", [np.array([1.0]), 1 + 2j, np.float32(1.0), (1, {2}), Unsupported("x")],
                         ids=repr)
def test_dumps_refuses_values_that_skipped_to_plain(raw):
    with pytest.raises((TypeError, ValueError)):
        dumps(raw)
    dumps(to_plain(raw))


def test_dumps_is_compact_and_loads_reads_bytes():
    assert dumps({"a": [1, 2.5]}) == '{"a":[1,2.5]}'
    assert loads(b'{"a":[1,2.5]}') == {"a": [1, 2.5]}


@pytest.mark.parametrize("trip", [normalize, lambda v: from_plain(to_plain(v))], ids=["normalize", "wire"])
def test_arguments_reach_functions_as_fresh_copies(trip):
    # convert hands over what it is given; both roads to it make a new array every time
    a = np.arange(3.0)
    c = convert(trip(a), "numpy")
    c[0] = 99.0
    assert a[0] == 0.0 and convert(trip(a), "numpy")[0] == 0.0
    t = convert(trip(a), "torch")
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float64
    t[1] = 99.0
    assert a[1] == 1.0 and convert(trip(a), "torch")[1] == 1.0
    nested = convert(trip([a, 2.0]), "torch")
    assert isinstance(nested[0], torch.Tensor) and nested[1] == 2.0
    assert convert(a, "list") == [0.0, 1.0, 2.0]
    assert convert(5, "torch") == 5 and convert("s", "numpy") == "s"


class _Half(float):
    pass


_NORMALIZE_CASES = [
    None, True, 0, -5, 2**70, 1.5, float("nan"), float("inf"), -0.0, 1 + 2j, complex(float("nan"), 1),
    np.float32(1.25), np.int8(-3), np.bool_(True), np.complex64(1 - 1j), _Half(2.5), "s", np.str_("x"),
    [1, (2, 3)], (1.0,), {"a": np.arange(3), "b": [torch.ones(2)]}, np.zeros((0, 3)), np.array(3.0),
    np.arange(6, dtype=">i4").reshape(2, 3), np.ones((2, 2), dtype=bool), np.array(["a"]),
    np.array([object()], dtype=object), torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor(2 + 3j),
    torch.ones(2, dtype=torch.bfloat16), torch.arange(4).reshape(2, 2).t(), object(), len, np.arange(10)[::2],
    np.asfortranarray(np.ones((2, 3))), np.ma.masked_array([1, 2]), [[[[1]]]],
]


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return (a.dtype == b.dtype and a.shape == b.shape and a.flags.c_contiguous == b.flags.c_contiguous
                and a.flags.writeable == b.flags.writeable and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, complex):
        return _same(a.real, b.real) and _same(a.imag, b.imag)
    return a == b


@pytest.mark.parametrize("value", _NORMALIZE_CASES, ids=lambda v: type(v).__name__)
def test_normalize_is_exactly_a_trip_across_the_boundary(value):
    # the references take this shortcut: their answers must have the very types a student's get
    assert _same(normalize(value), from_plain(to_plain(value)))


def test_normalize_refuses_what_the_wire_refuses():
    deep: list = []
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    for bad in (deep, {1: 2}, np.zeros(MAX_ARRAY_BYTES // 8 + 1)):
        with pytest.raises(PlainDataError):
            to_plain(bad)
        with pytest.raises(PlainDataError):
            normalize(bad)
