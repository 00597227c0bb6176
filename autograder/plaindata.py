"""Plain data across the trust boundary: JSON with numpy arrays, never pickle.

What the student's process sends back is decoded here, in the grader, and re-validated:
only ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, lists, string-keyed dicts
and numeric/bool arrays survive. Anything else was refused on the student's side already
and arrives as an ``{"__unsupported__": "<type name>"}`` marker that no comparator accepts.

This module is imported by the sandbox worker too, so it depends on the standard library
and numpy only.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import sys
from typing import Any

import numpy as np

#: dtypes an array may have on the wire; object, string and void arrays are refused
ALLOWED_KINDS = frozenset("biufc")
MAX_DEPTH = 32
#: a single answer larger than this is refused rather than carried across
MAX_ARRAY_BYTES = 64 * 1024 * 1024


class PlainDataError(ValueError):
    """The data is not plain data (raised on either side of the boundary)."""


def to_plain(value: Any, *, _depth: int = 0) -> Any:
    """Convert an answer to JSON-ready plain data (runs in the student's process).

    Tensors become arrays (detached, on the CPU); tuples become lists; numpy scalars become
    Python numbers. Exact types only: a ``float`` subclass is converted with ``float()``.
    """
    return _plain(value, True, _depth)


def normalize(value: Any) -> Any:
    """``from_plain(to_plain(value))`` without the encoding: what ``value`` would be after a trip
    across the boundary. The grader gives its own values (inputs, the solution's answers) the
    same types as a student's, at a fraction of the cost of encoding them."""
    return _plain(value, False, 0)


def _plain(value: Any, wire: bool, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise PlainDataError("answer is nested too deeply")
    # the common types first, by exact type: this runs for every argument and every answer
    kind = type(value)
    if kind is np.ndarray:
        return _array_to_json(value) if wire else _array_copy(value)
    if value is None or kind is bool or kind is str or kind is int:
        return value
    if kind is float:
        return _float_to_json(value) if wire else value
    if kind is list or kind is tuple:
        return [_plain(v, wire, depth + 1) for v in value]
    if kind is complex:
        return _complex(value, wire)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _float_to_json(float(value)) if wire else float(value)
    if isinstance(value, (complex, np.complexfloating)):
        return _complex(complex(value), wire)
    if _is_tensor(value):
        value = value.detach().cpu().resolve_conj().resolve_neg()
        if str(value.dtype) in ("torch.bfloat16", "torch.float8_e4m3fn", "torch.float8_e5m2"):
            value = value.float()  # no numpy counterpart
        value = value.numpy()
    if isinstance(value, str):
        return str(value)
    if isinstance(value, np.ndarray):
        value = np.asarray(value)
        return _array_to_json(value) if wire else _array_copy(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v, wire, depth + 1) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise PlainDataError(f"dict keys must be strings, got {type(k).__name__}")
            out[k] = _plain(v, wire, depth + 1)
        return out
    name = type(value).__name__
    return {"__unsupported__": name} if wire else Unsupported(name)


def _complex(c: complex, wire: bool) -> Any:
    real, imag = float(c.real), float(c.imag)
    return {"__complex__": [_float_to_json(real), _float_to_json(imag)]} if wire else complex(real, imag)


def from_plain(data: Any, *, _depth: int = 0) -> Any:
    """Decode wire data into Python/numpy values, validating every node (runs in the grader)."""
    if _depth > MAX_DEPTH:
        raise PlainDataError("data nested too deeply")
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is float:
        return data
    if type(data) is list:
        return [from_plain(v, _depth=_depth + 1) for v in data]
    if type(data) is dict:
        if "__ndarray__" in data:
            return _array_from_json(data["__ndarray__"])
        if "__complex__" in data:
            parts = data["__complex__"]
            if type(parts) is not list or len(parts) != 2:
                raise PlainDataError("bad complex number on the wire")
            return complex(_float_from_json(parts[0]), _float_from_json(parts[1]))
        if "__float__" in data:
            return _float_from_json(data)
        if "__unsupported__" in data:
            return Unsupported(str(data["__unsupported__"]))
        return {str(k): from_plain(v, _depth=_depth + 1) for k, v in data.items()}
    raise PlainDataError(f"unexpected wire value of type {type(data).__name__}")


class Unsupported:
    """Stands for an answer of a type that cannot cross the boundary (a function, a class...)."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unsupported) and other.type_name == self.type_name

    def __hash__(self) -> int:
        return hash(self.type_name)


def convert(value: Any, how: str) -> Any:
    """Hand a decoded argument to a function as "numpy" (default), "torch" tensors or "list"s.

    The value becomes the function's: callers pass what :func:`from_plain` or :func:`normalize`
    just made, a fresh copy, so a function that edits its argument changes nothing of ours.
    """
    if how == "torch":
        import torch

        if isinstance(value, np.ndarray):
            return torch.from_numpy(value)
        if isinstance(value, list):
            return [convert(v, how) for v in value]
        return value
    if how == "list":
        return value.tolist() if isinstance(value, np.ndarray) else value
    if isinstance(value, np.ndarray):
        # already the function's own: from_plain and normalize make a fresh copy of every array
        return value
    if isinstance(value, list) and value and _numeric_nest(value):
        # a check's fixed cases are YAML lists: under "numpy" they reach the student as arrays,
        # exactly as generated inputs do
        return np.asarray(value, dtype=float)
    return value


def read_only(value: Any) -> None:
    """Make every array in ``value`` (nested in lists, tuples and dicts) read-only: values
    shared by many gradings, so that code that edits one in place fails loudly instead of
    changing the others' inputs."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (list, tuple)):
        for v in value:
            read_only(v)
    elif isinstance(value, dict):
        for v in value.values():
            read_only(v)


def _numeric_nest(value: list) -> bool:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "iuf" and arr.ndim >= 1


def dumps(value: Any) -> str:
    """Serialise plain data (already converted by :func:`to_plain`) strictly as JSON."""
    return _ENCODER.encode(value)


#: made once: ``json.dumps`` with options builds an encoder per call, a third of the cost of
#: encoding one of a submission's hundreds of small answers
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    return json.loads(text)


def _is_tensor(value: Any) -> bool:
    cls = type(value)
    return any(c.__module__ == "torch" and c.__name__ == "Tensor" for c in cls.__mro__)


def _float_to_json(x: float) -> Any:
    # JSON has no NaN/inf; they are answers in their own right, so they get a marker
    if math.isfinite(x):
        return x
    return {"__float__": repr(x)}


def _float_from_json(x: Any) -> float:
    if type(x) in (int, float):
        return float(x)
    if type(x) is dict and x.get("__float__") in ("nan", "inf", "-inf"):
        return float(x["__float__"])
    raise PlainDataError(f"bad float on the wire: {x!r}")


def _array_to_json(a: np.ndarray) -> dict:
    if a.dtype.kind not in ALLOWED_KINDS:
        return {"__unsupported__": f"ndarray[{a.dtype}]"}
    if a.nbytes > MAX_ARRAY_BYTES:
        raise PlainDataError(f"array of {a.nbytes} bytes is larger than the limit")
    a = np.asarray(a, order="C")  # not ascontiguousarray: it turns 0-d arrays into shape (1,)
    little = _LITTLE.get(a.dtype) or a.dtype.newbyteorder("<")
    return {
        "__ndarray__": {
            "dtype": little.str,
            "shape": list(a.shape),
            "data": base64.b64encode((a if a.dtype is little else a.astype(little)).tobytes()).decode(),
        }
    }


#: the common dtypes, already little-endian on the wire (saves two dtype constructions per array)
_LITTLE = {np.dtype(c): np.dtype(c).newbyteorder("<") for c in "?bBhHiIlLqQefdgFDG"}
#: the same, by the name they travel under (parsing a dtype name costs more than the rest of a small array)
_WIRE_DTYPES = {d.str: d for d in _LITTLE.values()}


def _array_copy(a: np.ndarray) -> Any:
    """What :func:`_array_to_json` then :func:`_array_from_json` make of ``a``, without the trip."""
    if a.dtype.kind not in ALLOWED_KINDS:
        return Unsupported(f"ndarray[{a.dtype}]")
    if a.nbytes > MAX_ARRAY_BYTES:
        raise PlainDataError(f"array of {a.nbytes} bytes is larger than the limit")
    if a.dtype.isnative:
        return a.copy()  # C order, writable, its own data: the same as below, three times faster
    return np.array(a, dtype=a.dtype.newbyteorder("="), order="C", copy=True)


if sys.version_info >= (3, 11):
    def _strict_b64decode(text: str) -> bytes:
        # what b64decode(validate=True) checks, and more (nothing after the padding), without its wrapper
        return binascii.a2b_base64(text, strict_mode=True)
else:  # strict_mode is new in 3.11
    def _strict_b64decode(text: str) -> bytes:
        return base64.b64decode(text, validate=True)


def _array_from_json(spec: Any) -> np.ndarray:
    if type(spec) is not dict:
        raise PlainDataError("bad array header")
    name = spec.get("dtype")
    dtype = _WIRE_DTYPES.get(name) if type(name) is str else None
    if dtype is None:
        try:
            dtype = np.dtype(str(name))
        except TypeError:
            raise PlainDataError(f"unknown array dtype {name!r}") from None
    if dtype.kind not in ALLOWED_KINDS:
        raise PlainDataError(f"array dtype {dtype} is not allowed")
    shape = spec.get("shape")
    if type(shape) is not list:
        raise PlainDataError("bad array shape")
    for n in shape:
        if type(n) is not int or n < 0:
            raise PlainDataError("bad array shape")
    try:
        raw = _strict_b64decode(str(spec.get("data", "")))
    except ValueError:  # binascii.Error
        raise PlainDataError("array data is not base64") from None
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise PlainDataError("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape)
    # a copy in native byte order: writable, and the receiver's own
    return array.copy() if dtype.isnative else array.astype(dtype.newbyteorder("="))
