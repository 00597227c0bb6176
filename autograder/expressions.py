"""Formulas typed by students, read without ``eval`` and compared with a reference numerically.

A formula is Python-like math text: ``sigma(x)*(1 - sigma(x))``, ``A.T @ (A @ x - b)``, ``x^2``.
It is parsed with :func:`ast.parse` and only a whitelist of node types is accepted; this module
evaluates them itself with numpy in float64, so student text never reaches ``eval``/``exec``
and no attribute other than ``.T`` is ever looked up. ``^`` is rewritten to ``**`` before
parsing, so it has the precedence of a power (``x^2 + 1`` is ``x**2 + 1``), not of Python's xor.

Two formulas are equivalent when they agree at points drawn from the variables' domains
(:func:`equivalent`), within a tolerance made for exact algebra in float64. Both are evaluated
with a bound on their rounding: ``|computed - exact| <= U * err``, entry by entry, where
``U = 2**-53`` and ``err`` grows through each operation (its own rounding, plus its operands'
errors times its derivative: see "rounding bounds" below). The rule at one point, entry by
entry, for the reference's value ``r`` and the student's ``s``::

    tol = atol + rtol * |r| + 4U * err(r)          rtol = 1e-9 and atol = 0 unless the check says
    |s - r| <= tol + 4U * err(s)

A constant factor (1 + 1e-7) fails, while a rewriting that loses digits to cancellation passes
(``(x+1)**2 - x**2 - 2*x`` for ``1`` at x = 1e3: its bound says how many digits it lost). So that
an answer cannot widen its own tolerance at will, a point where the student's ``4U * err(s)``
exceeds ``tol + 4U * 1e6 * scale`` (scale: the largest magnitude among the point's values,
``r``, ``err(r)`` and 1) is not compared (``1e300*x - 1e300*x`` proves nothing), and an answer
left uncompared at more than a quarter of the points where the reference is defined fails
(``expr_undefined``). A difference larger than the widest tolerance always fails.

Where the reference is undefined (NaN or infinite: log of a negative number, exp(1000)) the
point is skipped. Where the reference is defined and the student's formula is not, the answer
fails, naming the point as any difference does (``exp(log(x))`` or ``x*sqrt(x)/sqrt(x)`` for a
real x); only a NaN or infinity that comes from an overflow (``log(exp(x))`` at x = 800) or from
rounding across a boundary (``sqrt`` of -1e-17) rather than from an operation outside its domain
leaves the point uncompared. A check that means a smaller domain declares it (``positive``...).
At least ``trials`` points are compared when possible, out of at most ``8 * trials`` drawn; a
reference defined at fewer than ``trials // 2`` of them is the check's mistake: a ConfigError
naming the domains (``autograder validate`` meets it when it grades the solution).

Variables are drawn from a domain, several kinds of values each, every kind once per round in a
random order. ``real`` and ``positive`` (``real`` with both signs) mix magnitudes: typical ones
(0.1 to 3), every decade from 1e-3 to 1e3 (half the points), exactly 1e-6, and 10 to 50, where
exp does not overflow yet; an array takes one magnitude and spreads its entries by 3 around it.
``probability`` (each entry in (0, 1)) has typical values and values within 1e-6..1e-2 of 0 and
of 1; ``simplex`` (positive entries summing to 1) typical ones or with entries near 0; ``binary``
(each entry 0 or 1, so ``y**2`` equals ``y``) and ``onehot`` (a vector or column with a single 1,
like a class label ``c``). The points come from a seed made of the question, so a verdict is
the same at every regrade. There is no symbolic step: it could only confirm a numeric verdict,
and ``sympy.simplify`` cannot be stopped within a budget.

Every evaluation runs under a wall-clock budget (:data:`TIMEOUT`): parsing and every point of
:func:`equivalent` share one (an answer that runs out of it fails, ``expr_timeout``), and
:func:`evaluate`, which checks' helpers call on students' formulas, raises ExpressionError
``expr_timeout``. The deadline is checked before each operation; one operation is bounded by
``MAX_ELEMENTS``.

A formula that cannot be accepted raises :class:`ExpressionError`, which carries a message key
of :mod:`autograder.messages` and its parameters: the student reads it in the assignment's
language, while ``str(error)`` is the English text (instructors see it in ConfigErrors).
"""

from __future__ import annotations

import ast
import bisect
import functools
import hashlib
import itertools
import keyword
import math
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterator, Literal

import numpy as np

from autograder.compare import PASS, Comparison, _fmt_shape, fail
from autograder.errors import ConfigError
from autograder.messages import Message, render

MAX_LENGTH = 2000
MAX_NODES = 400
MAX_DEPTH = 60
MAX_DIM = 1000                  # largest n in a variable's shape, eye(n) or ones(n)
MAX_ELEMENTS = 1_000_000        # largest array a formula may build (outer, @, broadcasting)
DOMAINS = ("real", "positive", "probability", "simplex", "binary", "onehot")


class ExpressionError(ValueError):
    """A formula that cannot be accepted, as a message ``key`` of :mod:`autograder.messages` and
    its ``params`` (``column`` is 1-based). ``offset`` is the 0-based column in the student's
    text; ``name`` is set when the problem is a name (variable, function, attribute).
    ``message`` and ``str()`` are the English text; :attr:`localized` is what a student reads.

    >>> str(ExpressionError("expr_unexpected", {"char": "*", "column": 5}, offset=4))
    "unexpected '*' at column 5"
    """

    def __init__(self, key: str, params: dict[str, Any] | None = None, offset: int | None = None,
                 name: str | None = None) -> None:
        self.key = key
        self.params = dict(params or {})
        self.message = render(self.localized, "en")
        super().__init__(self.message)
        self.offset = offset
        self.name = name

    @property
    def localized(self) -> Message:
        return Message(self.key, dict(self.params))


class _ShapeError(ExpressionError):
    """Operands whose shapes do not fit, e.g. ``(3, 5) @ (3, 1)``: the same at every point."""

    def __init__(self, shapes: str | Message) -> None:
        super().__init__("expr_shapes", {"shapes": shapes})
        self.shapes = shapes


class _Problem(Exception):
    """Raised by a function or operator; the evaluator turns it into an ExpressionError with a column."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class _Timeout(Exception):
    pass


@dataclass(frozen=True)
class Variable:
    name: str
    shape: tuple[int, ...] = ()
    domain: str = "real"

    def __post_init__(self) -> None:
        if self.domain not in DOMAINS:
            raise ValueError(f"domain must be one of {', '.join(DOMAINS)}, not {self.domain!r}")
        if len(self.shape) > 2 or not all(type(n) is int and 1 <= n <= MAX_DIM for n in self.shape):
            raise ValueError(f"shape must be at most 2 sizes from 1 to {MAX_DIM}, not {self.shape!r}")
        if self.domain == "onehot" and not (len(self.shape) == 1 or (len(self.shape) == 2 and self.shape[1] == 1)):
            raise ValueError(f"a onehot variable must be a vector [n] or a column [n, 1], not {list(self.shape)}")


def variables_from_config(spec: dict) -> dict[str, Variable]:
    """Variables declared by a check.

    >>> variables_from_config({"x": "scalar", "A": [3, 4], "p": {"shape": [3], "domain": "simplex"}})["A"].shape
    (3, 4)
    >>> variables_from_config({"y": {"domain": "binary"}, "c": {"shape": [4, 1], "domain": "onehot"}})["c"].domain
    'onehot'
    """
    if not isinstance(spec, dict):
        raise ConfigError(f"variables must map names to shapes, not {type(spec).__name__}")
    out: dict[str, Variable] = {}
    for name, entry in spec.items():
        if (not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
                or name.startswith("_")):
            raise ConfigError(f"{name!r} cannot be a variable name in a formula")  # a function name is fine: H(x) calls, H reads
        shape, domain = entry, "real"
        if isinstance(entry, dict):
            if not set(entry) <= {"shape", "domain"}:
                raise ConfigError(f"variable {name!r}: unknown keys {sorted(set(entry) - {'shape', 'domain'})}")
            shape, domain = entry.get("shape", "scalar"), entry.get("domain", "real")
        if shape == "scalar":
            shape = []
        if not isinstance(shape, (list, tuple)):
            raise ConfigError(f"variable {name!r}: shape must be 'scalar' or a list of sizes, not {shape!r}")
        try:
            out[name] = Variable(name, tuple(shape), domain)
        except ValueError as err:
            raise ConfigError(f"variable {name!r}: {err}") from None
    return out


# --------------------------------------------------------------------------- functions


def _logistic(x: np.ndarray) -> np.ndarray:
    z = np.exp(-np.abs(x))  # never overflows, unlike 1/(1+exp(-x)) for x << 0
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - np.max(x)
    return z - np.log(np.sum(np.exp(z)))


def _square(x: np.ndarray, fname: str) -> None:
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        raise _ShapeError(Message("expr_square_of", {"function": fname, "shape": _fmt_shape(x.shape)}))


def _size(shape: tuple[int, ...]) -> tuple[int, ...]:
    if math.prod(shape) > MAX_ELEMENTS:
        raise _Problem("expr_too_large", shape=_fmt_shape(shape))
    return shape


def _count(n: np.ndarray, fname: str) -> int:
    if n.ndim != 0 or not np.isfinite(n) or n != round(float(n)) or not 1 <= n <= MAX_DIM:
        raise _Problem("expr_count", function=fname, limit=MAX_DIM)
    return int(n)


def _diag(x: np.ndarray) -> np.ndarray:
    # np.diag of an (n, 1) column would return its first entry, not an n×n matrix.
    if x.ndim == 1 or (x.ndim == 2 and 1 in x.shape):
        _size((x.size, x.size))
        return np.diag(x.ravel())
    _square(x, "diag")
    return np.diag(x).copy()


def _inv(x: np.ndarray) -> np.ndarray:
    if x.ndim == 0:
        return 1 / x
    _square(x, "inv")
    try:
        return np.linalg.inv(x)
    except np.linalg.LinAlgError:  # singular: undefined at this point, skipped like log(-1)
        return np.full(x.shape, np.nan)


def _det(x: np.ndarray) -> np.ndarray:
    if x.ndim == 0:
        return x
    _square(x, "det")
    return np.linalg.det(x)


def _trace(x: np.ndarray) -> np.ndarray:
    _square(x, "trace")
    return np.trace(x)


def _outer(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    _size((u.size, v.size))
    return np.outer(u.ravel(), v.ravel())


def _broadcast(a: np.ndarray, b: np.ndarray, symbol: str) -> None:
    try:
        _size(np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise _ShapeError(f"{_fmt_shape(a.shape)} {symbol} {_fmt_shape(b.shape)}") from None


def _elementwise(f: Callable[[Any, Any], Any], fname: str) -> Callable[[np.ndarray, np.ndarray], Any]:
    def apply(a: np.ndarray, b: np.ndarray) -> Any:
        _broadcast(a, b, fname)
        return f(a, b)
    return apply


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim == 0 or b.ndim == 0 or a.shape[-1] != b.shape[0]:
        raise _ShapeError(f"{_fmt_shape(a.shape)} @ {_fmt_shape(b.shape)}")
    _size(a.shape[:-1] + b.shape[1:])
    return a @ b


def _ones(m: np.ndarray, n: np.ndarray | None = None) -> np.ndarray:
    shape = (_count(m, "ones"),) if n is None else (_count(m, "ones"), _count(n, "ones"))
    return np.ones(_size(shape))


_ONE_ARG: dict[str, Callable[[np.ndarray], Any]] = {
    "sigma": _logistic, "sigmoid": _logistic, "exp": np.exp, "log": np.log, "ln": np.log,
    "sqrt": np.sqrt, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "abs": np.abs, "sign": np.sign,
    "relu": lambda x: np.maximum(x, 0.0), "softplus": lambda x: np.logaddexp(0.0, x),
    "H": lambda x: np.heaviside(x, 0.5), "heaviside": lambda x: np.heaviside(x, 0.5),
    "sum": np.sum, "mean": np.mean, "softmax": lambda x: np.exp(_log_softmax(x)),
    "log_softmax": _log_softmax, "transpose": np.transpose, "norm": lambda x: np.linalg.norm(x.ravel()),
    "diag": _diag, "trace": _trace, "inv": _inv, "det": _det,
    "eye": lambda n: np.eye(_count(n, "eye")), "I": lambda n: np.eye(_count(n, "I")),
}
#: name -> (function, fewest arguments, most arguments)
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    **{name: (f, 1, 1) for name, f in _ONE_ARG.items()},
    "max": (_elementwise(np.maximum, "max"), 2, 2), "min": (_elementwise(np.minimum, "min"), 2, 2),
    "outer": (_outer, 2, 2), "ones": (_ones, 1, 2),
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_BINARY: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", np.add), ast.Sub: ("-", np.subtract), ast.Mult: ("*", np.multiply),
    ast.Div: ("/", np.divide), ast.Pow: ("**", np.power), ast.MatMult: ("@", _matmul),
}
_OTHER_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>",
                    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}
#: what a refused construct is called, for ``expr_construct``: a catalogue key, or code shown as is
_REFUSED: dict[type, Message | str] = {
    ast.Compare: Message("expr_what_comparison"), ast.BoolOp: "'and'/'or'", ast.Lambda: "'lambda'",
    ast.IfExp: "'if ... else'", ast.Subscript: Message("expr_what_indexing"),
    ast.Starred: Message("expr_what_unpacking"), ast.ListComp: Message("expr_what_comprehension"),
    ast.SetComp: Message("expr_what_comprehension"), ast.DictComp: Message("expr_what_comprehension"),
    ast.GeneratorExp: Message("expr_what_comprehension"), ast.List: Message("expr_what_list"),
    ast.Tuple: Message("expr_what_tuple"), ast.Set: Message("expr_what_set"), ast.Dict: Message("expr_what_dict"),
    ast.NamedExpr: "':='", ast.JoinedStr: Message("expr_what_text"),
}


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Source:
    """The student's text and the code actually parsed, to map columns back. The code is stripped,
    on one line (line breaks become spaces: every column stays on line 1) and has ``**`` for ``^``."""

    text: str
    code: str
    lead: int                  # characters stripped at the start
    carets: tuple[int, ...]    # positions in ``code`` of each ``**`` that was a ``^``

    @classmethod
    def of(cls, text: str) -> _Source:
        parts = text.strip().split("^")
        carets, pos = [], 0
        for part in parts[:-1]:
            pos += len(part)
            carets.append(pos)
            pos += 2
        code = "**".join(parts).translate(str.maketrans("\t\n\r\f\v", "     "))
        return cls(text, code, len(text) - len(text.lstrip()), tuple(carets))

    def original(self, index: int) -> int:
        """Column in the student's text of character ``index`` of the code."""
        return self.lead + index - bisect.bisect_left(self.carets, index)

    def error(self, node: ast.AST, key: str, params: dict[str, Any] | None = None, *, name: str | None = None,
              at: int | None = None) -> ExpressionError:
        """An error pointing at ``node``, or at byte ``at`` of the code (ast counts UTF-8 bytes)."""
        col = node.col_offset if at is None else at  # type: ignore[attr-defined]
        return _at(self.original(len(self.code.encode()[:col].decode("utf-8", "ignore"))), key, params, name)


def _at(offset: int, key: str, params: dict[str, Any] | None = None, name: str | None = None) -> ExpressionError:
    """An error at 0-based column ``offset`` of the student's text; every such key has ``{column}``."""
    return ExpressionError(key, {**(params or {}), "column": offset + 1}, offset, name)


@dataclass(frozen=True)
class ParsedExpression:
    text: str
    tree: ast.expr = field(repr=False)
    variables: frozenset[str]      # names read as values (constants such as pi excluded)
    functions: frozenset[str]
    source: _Source = field(repr=False, compare=False)


def parse_expression(text: object, *, allowed: Collection[str] | None = None,
                     variables: Collection[str] = ()) -> ParsedExpression:
    """Parse a formula without running anything; any name not a function is taken as a variable.

    >>> sorted(parse_expression("A.T @ (A @ x - b)").variables)
    ['A', 'b', 'x']
    """
    if not isinstance(text, str):
        raise ExpressionError("expr_not_text", {"type": type(text).__name__})
    # a class writes the same formulas again and again; a parse is immutable and only read
    return _parse(text, None if allowed is None else frozenset(allowed), frozenset(variables))


@functools.lru_cache(maxsize=4096)
def _parse(text: str, allowed: frozenset[str] | None, variables: frozenset[str]) -> ParsedExpression:
    if len(text) > MAX_LENGTH:
        raise ExpressionError("expr_too_long", {"length": len(text), "limit": MAX_LENGTH})
    if not text.strip():
        raise ExpressionError("expr_empty", offset=0)
    if "\0" in text:  # Python reports null bytes without a position, and differently by version
        raise _at(text.index("\0"), "expr_invalid_char", {"char": "\\0"})
    src = _Source.of(text)
    depth = 0
    for i, ch in enumerate(src.code):  # before ast.parse: deep nesting can exhaust the C parser
        depth += (ch in "([{") - (ch in ")]}")
        if depth > MAX_DEPTH:
            raise _at(src.original(i), "expr_too_deep")
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning for "2(x)"; we report it ourselves
            warnings.simplefilter("ignore")
            tree = ast.parse(src.code, mode="eval").body
    except SyntaxError as err:
        raise _syntax_error(src, err) from None
    except (ValueError, RecursionError, MemoryError) as err:  # pathological input
        raise ExpressionError("expr_unreadable", {"error": type(err).__name__}) from None
    found, functions = _check(tree, src, allowed, frozenset(variables))
    return ParsedExpression(text, tree, frozenset(found), frozenset(functions), src)


#: Python's SyntaxError messages (English, worded differently across versions) -> key and params
_SYNTAX: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), key) for pattern, key in [
    (r"^invalid syntax", "expr_unexpected"),
    (r"^invalid decimal literal", "expr_number_then_name"),
    (r"^'(?P<char>.)' was never closed", "expr_never_closed"),
    (r"^unmatched '(?P<char>.)'", "expr_unmatched"),
    (r"^closing parenthesis '(?P<char>.)' does not match opening parenthesis '(?P<opening>.)'", "expr_mismatched"),
    (r"^invalid (non-printable )?character", "expr_invalid_char"),
    (r"^(unterminated|EOL while scanning|EOF while scanning) .*string", "expr_construct"),
    (r"^leading zeros", "expr_leading_zero"),
    (r"^invalid .*(literal|digit)", "expr_bad_number"),
    (r"line continuation character", "backslash"),
]]


def _syntax_error(src: _Source, err: SyntaxError) -> ExpressionError:
    chars = (err.offset or 0) - 1  # SyntaxError counts characters from 1
    if err.lineno != 1 or not 0 <= chars < len(src.code):  # Python points past the end, or nowhere
        return _at(len(src.text.rstrip()), "expr_unexpected_end")
    offset = src.original(chars)
    for pattern, key in _SYNTAX:
        found = pattern.search(err.msg or "")
        if found:
            params = {k: v for k, v in found.groupdict().items() if v is not None}
            if key in ("expr_unexpected", "expr_invalid_char"):
                params["char"] = src.text[offset]
            elif key == "backslash":  # Python points after the backslash
                key, params["char"] = "expr_unexpected", "\\"
                offset = max(src.text.rfind("\\", 0, offset + 1), 0)
            elif key == "expr_construct":
                params["what"] = Message("expr_what_text")
            return _at(offset, key, params)
    return _at(offset, "expr_syntax")


def _check(tree: ast.expr, src: _Source, allowed: Collection[str] | None,
           declared: frozenset[str] = frozenset()) -> tuple[set[str], set[str]]:
    """Walk the tree with an explicit stack (a 2000-deep formula must not hit Python's recursion limit)."""
    variables: set[str] = set()
    functions: set[str] = set()

    def refused(name: str) -> bool:
        return name.startswith("_") or (allowed is not None and name not in allowed)

    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError("expr_too_many_parts", {"limit": MAX_NODES}, 0)
        if depth > MAX_DEPTH:
            raise src.error(node, "expr_too_deep")
        children: list[ast.AST] = []
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                what = Message("expr_what_text") if isinstance(node.value, (str, bytes)) else repr(node.value)
                raise src.error(node, "expr_construct", {"what": what})
        elif isinstance(node, ast.Name):
            if refused(node.id):
                raise src.error(node, "expr_not_allowed", {"name": node.id}, name=node.id)
            if node.id in declared:  # a declared variable may share a function's name (H, I, e)
                variables.add(node.id)
            elif node.id in FUNCTIONS:
                raise src.error(node, "expr_is_function", {"name": node.id})
            if node.id not in CONSTANTS:
                variables.add(node.id)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise src.error(node, "expr_not_allowed", {"name": "not" if isinstance(node.op, ast.Not) else "~"})
            children = [node.operand]
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                symbol = _OTHER_OPERATORS.get(type(node.op), type(node.op).__name__)
                raise src.error(node, "expr_operator", {"operator": symbol})
            children = [node.left, node.right]
        elif isinstance(node, ast.Attribute):
            if node.attr != "T":
                if isinstance(node.value, ast.Name) and refused(node.value.id):  # np.exp: 'np' is the problem
                    raise src.error(node.value, "expr_not_allowed", {"name": node.value.id}, name=node.value.id)
                at = node.end_col_offset - len(node.attr.encode())  # type: ignore[operator]
                raise src.error(node, "expr_attribute", {"name": f".{node.attr}"}, name=f".{node.attr}", at=at)
            children = [node.value]
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                if isinstance(node.func, ast.Lambda) or (isinstance(node.func, ast.Attribute) and node.func.attr != "T"):
                    stack.append((node.func, depth + 1))  # refused there, with a more precise message
                    continue
                raise src.error(node, "expr_call")
            name = node.func.id
            if name not in FUNCTIONS and allowed is not None and name in allowed:
                raise src.error(node, "expr_not_function", {"name": name})
            if name not in FUNCTIONS or refused(name):
                raise src.error(node, "expr_not_allowed", {"name": name}, name=name)
            if node.keywords:
                raise src.error(node, "expr_keywords", {"function": name})
            _, low, high = FUNCTIONS[name]
            if not low <= len(node.args) <= high:
                key = "expr_args_range" if low < high else "expr_args_one" if low == 1 else "expr_args"
                raise src.error(node, key, {"function": name, "low": low, "high": high, "count": len(node.args)})
            functions.add(name)
            children = list(node.args)
        else:
            what = _REFUSED.get(type(node), repr(type(node).__name__.lower()))
            raise src.error(node, "expr_construct", {"what": what})
        stack.extend((child, depth + 1) for child in reversed(children))  # leftmost problem first
    return variables, functions


# --------------------------------------------------------------------------- rounding bounds
#
# The evaluator can carry, for each entry of each intermediate value v, a bound err(v) such that
# |computed v - exact v| <= U * err(v), where U is float64's unit roundoff and the exact v is the
# formula's value at the (exactly representable) point. Each operation adds its own rounding,
# |result| (floored at the smallest normal number, below which float64 rounds absolutely), and
# carries its operands' errors through its derivative; library functions (exp, log...) count as
# 4 roundings, linear algebra gets the textbook backward-error bounds. A bound is first order,
# so it is trusted up to a factor _SLACK. An entry that is not finite, or whose bound is not,
# has an infinite bound: nothing is known about its exact value (an overflow).

_U = 2.0 ** -53
_TINY = float(np.finfo(np.float64).tiny)
_SLACK = 4.0
_GAMMA = _SLACK * _U
_Bound = Callable[[list[np.ndarray], list[np.ndarray], np.ndarray], Any]


def _rounded(v: np.ndarray) -> np.ndarray:
    return np.maximum(np.abs(v), _TINY)


def _shaped(err: Any, shape: tuple[int, ...]) -> np.ndarray:
    err = np.asarray(err, dtype=np.float64)
    return err if err.shape == shape else np.broadcast_to(err, shape)


def _carry(slope: Any, err: np.ndarray) -> np.ndarray:
    """|slope| * err; an exact operand stays exact even at a pole of the slope (x**0.5 at 0)."""
    if not err.any():  # the usual case, a variable: skip the slope (most of an evaluation's cost)
        return np.zeros(err.shape)
    return np.where(err == 0, 0.0, np.abs(slope) * err)


def _unary(slope: Callable[[np.ndarray, np.ndarray], Any], roundings: float = 4.0) -> _Bound:
    """The bound of an elementwise function f, from ``slope(a, f(a))`` = f'(a)."""
    def bound(args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray) -> np.ndarray:
        own = roundings * _rounded(v)
        return _carry(slope(args[0], v), errs[0]) + own if errs[0].any() else own
    return bound


def _jump(args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray) -> np.ndarray:
    """H and sign jump at 0: where rounding may have moved the argument across 0, the result is unknown."""
    return np.where((errs[0] > 0) & (np.abs(args[0]) <= _GAMMA * errs[0]), np.inf, 0.0)


def _inv_bound(args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray) -> np.ndarray:
    (a,), (e,) = args, errs
    if a.ndim == 0:
        return _carry(v * v, e) + _rounded(v)
    if not np.isfinite(v).all():
        return np.full(v.shape, np.inf)
    x = np.abs(v)  # d(A^-1) = -A^-1 dA A^-1, and LU solves are exact for A + dA, |dA| <~ n u |A|
    return x @ (e + 4 * a.shape[0] * np.abs(a)) @ x + _TINY


def _det_bound(args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray) -> Any:
    (a,), (e,) = args, errs
    if a.ndim == 0:
        return e
    if not np.isfinite(a).all():
        return np.inf
    try:
        x = np.linalg.inv(a)  # d det(A) = det(A) tr(A^-1 dA)
    except np.linalg.LinAlgError:  # exactly singular: no first-order bound
        return np.inf
    return np.abs(v) * np.sum(np.abs(x.T) * (e + 4 * a.shape[0] * np.abs(a))) + 4 * _rounded(v)


def _softmax_bound(args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray) -> np.ndarray:
    (a,), (e,) = args, errs
    z = np.abs(a - np.max(a))  # exp(z) turns an error of z into a relative error
    return v * (e + 2 * np.max(e) + z + np.max(z) + a.size + 4) + _TINY


def _log_softmax_bound(args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray) -> np.ndarray:
    (a,), (e,) = args, errs
    z = np.abs(a - np.max(a))
    return e + 2 * np.max(e) + z + np.max(z) + a.size + 4 + _rounded(v)


def _sum_bound(args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray) -> Any:
    (a,), (e,) = args, errs
    return np.sum(e) + a.size * np.sum(np.abs(a)) + _TINY


_BOUNDS: dict[str, _Bound] = {
    "sigma": _unary(lambda a, v: v * (1 - v)), "sigmoid": _unary(lambda a, v: v * (1 - v)),
    "exp": _unary(lambda a, v: v), "log": _unary(lambda a, v: 1 / a), "ln": _unary(lambda a, v: 1 / a),
    "sqrt": _unary(lambda a, v: 0.5 / v), "tanh": _unary(lambda a, v: 1 - v * v),
    "sinh": _unary(lambda a, v: np.cosh(a)), "cosh": _unary(lambda a, v: np.sinh(a)),
    "sin": _unary(lambda a, v: np.cos(a)), "cos": _unary(lambda a, v: np.sin(a)),
    "tan": _unary(lambda a, v: 1 + v * v), "abs": _unary(lambda a, v: 1.0, 0), "relu": _unary(lambda a, v: 1.0, 0),
    "softplus": _unary(lambda a, v: _logistic(a)), "sign": _jump, "H": _jump, "heaviside": _jump,
    "sum": _sum_bound, "mean": lambda args, errs, v: _sum_bound(args, errs, v) / args[0].size + _rounded(v),
    "norm": lambda args, errs, v: np.sum(errs[0]) + (args[0].size + 2) * _rounded(v),
    "transpose": lambda args, errs, v: np.transpose(errs[0]), "diag": lambda args, errs, v: _diag(errs[0]),
    "trace": lambda args, errs, v: _trace(errs[0]) + args[0].shape[0] * _trace(np.abs(args[0])) + _TINY,
    "inv": _inv_bound, "det": _det_bound, "softmax": _softmax_bound, "log_softmax": _log_softmax_bound,
    "max": lambda args, errs, v: np.maximum(errs[0], errs[1]),
    "min": lambda args, errs, v: np.maximum(errs[0], errs[1]),
    "outer": lambda args, errs, v: (_outer(np.abs(args[0]), errs[1]) + _outer(errs[0], np.abs(args[1]))
                                    + _rounded(v)),
    "eye": lambda args, errs, v: np.zeros(v.shape), "I": lambda args, errs, v: np.zeros(v.shape),
    "ones": lambda args, errs, v: np.zeros(v.shape),
}
_BINARY_BOUNDS: dict[type, _Bound] = {
    ast.Add: lambda ab, e, v: e[0] + e[1] + _rounded(v),
    ast.Sub: lambda ab, e, v: e[0] + e[1] + _rounded(v),
    ast.Mult: lambda ab, e, v: _carry(ab[1], e[0]) + _carry(ab[0], e[1]) + _rounded(v),
    ast.Div: lambda ab, e, v: _carry(1 / ab[1], e[0]) + _carry(v / ab[1], e[1]) + _rounded(v),
    ast.Pow: lambda ab, e, v: ((_carry(ab[1] * ab[0] ** (ab[1] - 1), e[0]) if e[0].any() else 0.0)
                               + (_carry(v * np.log(np.abs(ab[0])), e[1]) if e[1].any() else 0.0) + 4 * _rounded(v)),
    ast.MatMult: lambda ab, e, v: (np.abs(ab[0]) @ e[1] + e[0] @ np.abs(ab[1])
                                  + ab[0].shape[-1] * (np.abs(ab[0]) @ np.abs(ab[1])) + _TINY),
}


def _certainly_negative(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Entries below 0 by more than their rounding: sqrt(-1) is undefined, sqrt(-1e-17) is noise."""
    return (a < 0) & (np.abs(a) > _GAMMA * e)


def _exact_zero(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    return (a == 0) & (e == 0)


#: where an operation on finite operands is undefined (a domain error, as opposed to an overflow
#: or to rounding that crossed a boundary): NaN or infinite entries are only tested against these
_UNDEFINED: dict[Any, _Bound] = {
    "log": lambda args, errs, v: _certainly_negative(args[0], errs[0]) | _exact_zero(args[0], errs[0]),
    "sqrt": lambda args, errs, v: _certainly_negative(args[0], errs[0]),
    "inv": lambda args, errs, v: (_exact_zero(args[0], errs[0]) if args[0].ndim == 0
                                  else np.isnan(v).all() and (errs[0] == 0).all() and np.isfinite(args[0]).all()),
    ast.Div: lambda ab, e, v: _exact_zero(ab[1], e[1]) & np.isfinite(ab[0]),
    ast.Pow: lambda ab, e, v: ((_certainly_negative(ab[0], e[0]) & np.isnan(v) & np.isfinite(ab[1]))
                               | (_exact_zero(ab[0], e[0]) & (ab[1] < 0))),
}
_UNDEFINED["ln"] = _UNDEFINED["log"]


# --------------------------------------------------------------------------- evaluation

#: seconds an evaluation may take, by default: :func:`evaluate` and each :func:`equivalent`
TIMEOUT = 2.0


def evaluate(expr: ParsedExpression, values: dict[str, np.ndarray | float], *,
             timeout: float | None = TIMEOUT) -> np.ndarray:
    """Value of a parsed formula, in float64; undefined entries (log(-1), a singular inv) are NaN.
    A formula that takes more than ``timeout`` seconds raises ExpressionError ``expr_timeout``
    (checks' helpers call this on students' formulas: none may hang a grading).

    >>> evaluate(parse_expression("x^2 + 1"), {"x": 3})
    array(10.)
    """
    try:
        return _run(expr, values, None if timeout is None else time.monotonic() + timeout).value
    except _Timeout:
        raise ExpressionError("expr_timeout") from None


@dataclass(frozen=True)
class _Evaluation:
    value: np.ndarray
    error: np.ndarray | None = None  # rounding bound of each entry, in units of _U (None: not asked)
    undefined: bool = False          # an operation was applied outside its domain: log(-1), 1/0...


def _run(expr: ParsedExpression, values: dict[str, Any], deadline: float | None, *,
         bounds: bool = False) -> _Evaluation:
    env = {name: np.asarray(v, dtype=np.float64) for name, v in values.items()}
    undefined = False

    def settled(key: Any, args: list[np.ndarray], errs: list[np.ndarray], v: np.ndarray, err: Any) -> np.ndarray:
        nonlocal undefined
        finite = np.isfinite(v)
        if not finite.all() and key in _UNDEFINED and np.any(_UNDEFINED[key](args, errs, v)):
            undefined = True
        err = _shaped(err, v.shape)
        return err if finite.all() and not np.isnan(err).any() else np.where(finite & ~np.isnan(err), err, np.inf)

    def tick() -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise _Timeout

    def ev(node: ast.AST) -> tuple[np.ndarray, Any]:
        """(value, rounding bound or None). The deadline is checked before each operation and each
        bound, once its operands are known: checked on the way down only, a nested chain of
        slow operations (inv(inv(inv(...)))) would run to its end."""
        tick()
        try:
            if isinstance(node, ast.Constant):
                try:
                    value = np.asarray(np.float64(node.value))
                except OverflowError:  # an integer literal beyond float64: harmless as inf
                    value = np.asarray(np.inf)
                exact = type(node.value) is int and abs(node.value) <= 2 ** 53
                return value, (0.0 if exact else _rounded(value))
            if isinstance(node, ast.Name):
                if node.id in env:
                    return env[node.id], 0.0
                if node.id in CONSTANTS:
                    value = np.asarray(CONSTANTS[node.id])
                    return value, _rounded(value)
                raise expr.source.error(node, "expr_no_value", {"name": node.id}, name=node.id)
            if isinstance(node, ast.UnaryOp):
                value, err = ev(node.operand)
                return (-value if isinstance(node.op, ast.USub) else value), err
            if isinstance(node, ast.BinOp):
                symbol, op = _BINARY[type(node.op)]
                (a, ea), (b, eb) = ev(node.left), ev(node.right)
                if op is not _matmul:
                    _broadcast(a, b, symbol)
                tick()
                value = np.asarray(op(a, b))
                if not bounds:
                    return value, None
                tick()
                args = [a, b]
                errs = [_shaped(ea, a.shape), _shaped(eb, b.shape)]
                bound = _BINARY_BOUNDS[type(node.op)](args, errs, value)
                return value, settled(type(node.op), args, errs, value, bound)
            if isinstance(node, ast.Attribute):
                value, err = ev(node.value)
                return value.T, (None if err is None else np.asarray(err).T)
            if isinstance(node, ast.Call):
                name = node.func.id  # type: ignore[attr-defined]
                evaluated = [ev(arg) for arg in node.args]
                args = [a for a, _ in evaluated]
                tick()
                value = np.asarray(FUNCTIONS[name][0](*args))
                if not bounds:
                    return value, None
                tick()
                errs = [_shaped(e, a.shape) for a, e in evaluated]
                return value, settled(name, args, errs, value, _BOUNDS[name](args, errs, value))
        except _Problem as problem:
            raise expr.source.error(node, problem.key, problem.params) from None
        raise TypeError(f"not a checked formula node: {type(node).__name__}")

    with np.errstate(all="ignore"):  # overflow and log(-1) become inf/NaN, never exceptions
        value, err = ev(expr.tree)
        value = np.asarray(value, dtype=np.float64)
        if bounds:
            err = np.where(np.isfinite(value), _shaped(err, value.shape), np.inf)
    return _Evaluation(value, err if bounds else None, undefined)


# --------------------------------------------------------------------------- equivalence

DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 0.0
TRIALS = 24
_DRAWS_PER_TRIAL = 8      # points drawn at most, per point to compare
_NOISE_LIMIT = 1e6        # the most a student's rounding may widen the tolerance, in roundings of the scale
_MOST_IMPRECISE = 0.25    # share of the points where the reference is defined that may go uncompared


def equivalent(student: object, reference: str, *, variables: dict[str, Variable],
               allowed: Collection[str] | None = None, rng: np.random.Generator | None = None,
               trials: int = TRIALS, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
               timeout: float = TIMEOUT) -> Comparison:
    """Whether the student's formula equals the reference at random points of the variables' domains.

    Without ``rng``, the points are drawn from a seed made of the question itself (formulas,
    variables, options), so the verdict depends only on what was written: it is the same for
    every submission and every regrade, and it is computed once per process. A reference that
    leaves too few points to compare raises ConfigError (see the module's docstring).

    >>> equivalent("x^2", "x*x", variables={"x": Variable("x")}).ok
    True
    """
    if rng is None:
        if not isinstance(student, str):
            return _equivalent(student, reference, variables=variables, allowed=allowed,
                               rng=np.random.default_rng(0), trials=trials, rtol=rtol, atol=atol, timeout=timeout)
        key = (student, reference, tuple(sorted((n, v.shape, v.domain) for n, v in variables.items())),
               None if allowed is None else tuple(sorted(allowed)), trials, rtol, atol)
        return _equivalent_cached(key, timeout)
    return _equivalent(student, reference, variables=variables, allowed=allowed, rng=rng, trials=trials,
                       rtol=rtol, atol=atol, timeout=timeout)


@functools.lru_cache(maxsize=4096)
def _equivalent_cached(key: tuple, timeout: float) -> Comparison:
    student, reference, variables, allowed, trials, rtol, atol = key
    seed = int.from_bytes(hashlib.sha256(repr(key).encode()).digest()[:8], "little")
    return _equivalent(student, reference, variables={n: Variable(n, shape, domain) for n, shape, domain in variables},
                       allowed=allowed, rng=np.random.default_rng(seed), trials=trials, rtol=rtol, atol=atol,
                       timeout=timeout)


def _equivalent(student: object, reference: str, *, variables: dict[str, Variable],
                allowed: Collection[str] | None, rng: np.random.Generator,
                trials: int, rtol: float, atol: float, timeout: float) -> Comparison:
    deadline = time.monotonic() + timeout
    try:
        ref = parse_expression(reference, variables=variables)
    except ExpressionError as err:
        raise ConfigError(f"reference formula {reference!r}: {err}") from None
    if not ref.variables <= set(variables):
        raise ConfigError(f"reference formula {reference!r} uses undeclared {sorted(ref.variables - set(variables))}")
    names = set(allowed) if allowed is not None else {*FUNCTIONS, *CONSTANTS, *variables}
    try:
        expr = parse_expression(student, allowed=names, variables=variables)
    except ExpressionError as err:
        return _failure(err, names)

    least = max(1, trials // 2)
    compared = imprecise = defined = drawn = 0
    for point in itertools.islice(_points(variables, rng), _DRAWS_PER_TRIAL * trials):
        if compared >= trials:
            break
        drawn += 1
        try:
            r = _run(ref, point, deadline, bounds=True)
        except ExpressionError as err:
            raise ConfigError(f"reference formula {reference!r}: {err}") from None
        except _Timeout:
            return fail("expr_timeout")
        try:
            s = _run(expr, point, deadline, bounds=True)
        except ExpressionError as err:
            return _failure(err, names, r.value.shape)
        except _Timeout:
            return fail("expr_timeout")
        if s.value.shape != r.value.shape:
            return fail("expr_shape", actual=_fmt_shape(s.value.shape), expected=_fmt_shape(r.value.shape))
        verdict = _compare_at(point, r, s, rtol=rtol, atol=atol)
        if verdict == "differs":
            return fail("expr_not_equivalent", point=_describe_point(point))
        defined += verdict != "undefined"
        imprecise += verdict == "imprecise"
        compared += verdict == "agrees"
        if defined >= least and imprecise * (1 - _MOST_IMPRECISE) > _MOST_IMPRECISE * trials:
            return fail("expr_undefined")  # more than the share allowed of any count this loop can end with
    if defined < least:
        domains = ", ".join(f"{n}: {v.domain}" for n, v in sorted(variables.items())) or "no variables"
        raise ConfigError(
            f"formula check: the reference formula {reference!r} is defined at only {defined} of the {drawn} "
            f"points drawn from its variables' domains ({domains}), and at least {least} are needed; declare "
            "domains where it is defined (domain: positive, probability...)")
    if compared < least or imprecise > _MOST_IMPRECISE * defined:
        return fail("expr_undefined")
    return PASS


def _compare_at(point: dict[str, np.ndarray], r: _Evaluation, s: _Evaluation, *,
                rtol: float, atol: float) -> Literal["undefined", "differs", "imprecise", "agrees"]:
    """The verdict at one point (the module's docstring explains the rule)."""
    assert r.error is not None and s.error is not None
    known = np.isfinite(r.value) & np.isfinite(r.error)
    if not known.any():
        return "undefined"
    with np.errstate(all="ignore"):
        tol = atol + rtol * np.abs(r.value) + _GAMMA * r.error
        noise = _GAMMA * s.error
        scale = max(1.0, *(float(np.max(np.abs(v), initial=0.0)) for v in point.values()),
                    float(np.max(np.abs(r.value[known]))), float(np.max(r.error[known])))
        finite = known & np.isfinite(s.value)
        if (finite & ~(np.abs(s.value - r.value) <= tol + noise)).any():
            return "differs"  # by more than even the student's own rounding can explain
    if s.undefined and (known & ~np.isfinite(s.value)).any():
        return "differs"  # undefined (log(-1), 0/0...) where the reference is defined
    judged = finite & (noise <= tol + _GAMMA * _NOISE_LIMIT * scale)
    return "imprecise" if (known & ~judged).any() else "agrees"


def _failure(err: ExpressionError, names: set[str], expected: tuple[int, ...] = ()) -> Comparison:
    if isinstance(err, _ShapeError):
        return fail("expr_shape", actual=err.shapes, expected=_fmt_shape(expected))
    if err.name is not None:
        return fail("expr_name", name=err.name, allowed=", ".join(sorted(names)))
    return fail("expr_parse", message=err.localized)


# --------------------------------------------------------------------------- sampling

#: the magnitudes of ``real`` and ``positive`` values, (low, high) drawn log-uniformly
_MAGNITUDES = (
    (0.1, 3.0),      # those of a handout's examples
    (1e-3, 1e3),     # every decade between: large and small
    (1e-6, 1e-6),    # exactly ±1e-6, next to 0 (where H, abs, sign kink)
    (1e-3, 1e3),
    (10.0, 50.0),    # large, where exp does not overflow yet
    (1e-3, 1e3),
)
#: how many kinds of values (bands) each domain has, see _sample
_BANDS = {"real": len(_MAGNITUDES), "positive": len(_MAGNITUDES), "probability": 4, "simplex": 2,
          "binary": 1, "onehot": 1}


def _points(variables: dict[str, Variable], rng: np.random.Generator) -> Iterator[dict[str, np.ndarray]]:
    """Points drawn from the variables' domains, without end. Each variable goes through its
    domain's bands in random order, every band once per round, independently of the others, so
    that a few points already mix large, small and typical values of every variable."""
    names = sorted(variables)
    rounds: dict[str, list[int]] = {name: [] for name in names}
    while True:
        point = {}
        for name in names:
            if not rounds[name]:
                rounds[name] = [int(b) for b in rng.permutation(_BANDS[variables[name].domain])]
            point[name] = _sample(variables[name], rng, rounds[name].pop())
        yield point


def _log_uniform(rng: np.random.Generator, low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
    if low == high:  # exactly that value: exp(log(1e-6)) is not 1e-6
        return np.full(shape, low)
    return np.exp(rng.uniform(math.log(low), math.log(high), size=shape))


def _sample(var: Variable, rng: np.random.Generator, band: int = 0) -> np.ndarray:
    """A random value of ``var``, of one of its domain's bands (``band`` modulo their number).
    Binary and onehot variables take few values, so several points may be the same: harmless,
    the other variables still differ or the verdict is the same."""
    band %= _BANDS[var.domain]
    if var.domain == "probability":
        if band == 1:       # next to 0
            return _log_uniform(rng, 1e-6, 1e-2, var.shape)
        if band == 2:       # next to 1
            return 1 - _log_uniform(rng, 1e-6, 1e-2, var.shape)
        low, high = (0.02, 0.98) if band == 0 else (1e-3, 1 - 1e-3)
        return np.asarray(rng.uniform(low, high, size=var.shape))
    if var.domain == "binary":
        return np.asarray(rng.integers(0, 2, size=var.shape), dtype=np.float64)
    if var.domain == "onehot":
        hot = np.zeros(var.shape[0])
        hot[rng.integers(var.shape[0])] = 1.0
        return hot.reshape(var.shape)
    if var.domain == "simplex":  # the second band has probabilities next to 0
        weights = _log_uniform(rng, *((0.1, 3.0) if band == 0 else (1e-4, 1.0)), var.shape)
        return np.asarray(weights / weights.sum())
    # one magnitude for the whole variable; the entries of an array spread around it by a factor
    # of 3 each way, as typical matrices do (entries spread over decades would make every
    # matrix ill-conditioned, and every identity through inv() imprecise)
    low, high = _MAGNITUDES[band]
    value = _log_uniform(rng, low, high, ()) * (_log_uniform(rng, 1 / 3, 3.0, var.shape) if var.shape else 1.0)
    if var.domain == "real":
        value = value * rng.choice((-1.0, 1.0), size=var.shape)
    return np.asarray(value, dtype=np.float64)


def _describe_point(point: dict[str, np.ndarray]) -> str:
    parts = []
    for name, value in point.items():
        if value.ndim == 0:
            parts.append(f"{name}={float(value):.3g}")
        elif value.size <= 4:
            parts.append(f"{name}=[{', '.join(f'{v:.3g}' for v in value.ravel())}]")
        else:  # numbers and a shape, no words: the point is shown in the assignment's language
            parts.append(f"{name}=[{', '.join(f'{v:.3g}' for v in value.ravel()[:3])}, ...] {_fmt_shape(value.shape)}")
    return ", ".join(parts)
