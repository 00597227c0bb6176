"""Formulas typed by students, read without ``eval`` and compared with a reference numerically.

A formula is Python-like math text: ``sigma(x)*(1 - sigma(x))``, ``A.T @ (A @ x - b)``, ``x^2``.
It is parsed with :func:`ast.parse` and only a whitelist of node types is accepted; this module
evaluates them itself with numpy in float64, so student text never reaches ``eval``/``exec``
and no attribute other than ``.T`` is ever looked up. ``^`` is rewritten to ``**`` before
parsing, so it has the precedence of a power (``x^2 + 1`` is ``x**2 + 1``), not of Python's xor.

Two formulas are equivalent when they agree, ``|s - r| <= atol + rtol * |r|`` elementwise, at
random points drawn from each variable's domain. Points where either side is undefined (log of
a negative number, a singular matrix, an overflow) are skipped. There is no symbolic step: it
could only confirm a numeric verdict, and ``sympy.simplify`` cannot be stopped within a budget.

Variables are drawn from a domain: ``real``, ``positive``, ``probability`` (each entry in (0, 1)),
``simplex`` (positive entries summing to 1), ``binary`` (each entry 0 or 1, so ``y**2`` equals
``y``) and ``onehot`` (a vector or column with a single 1, like a class label ``c``).

A formula that cannot be accepted raises :class:`ExpressionError`, which carries a message key
of :mod:`autograder.messages` and its parameters: the student reads it in the assignment's
language, while ``str(error)`` is the English text (instructors see it in ConfigErrors).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import bisect
import keyword
import math
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Collection

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


# --------------------------------------------------------------------------- evaluation


def evaluate(expr: ParsedExpression, values: dict[str, np.ndarray | float]) -> np.ndarray:
    """Value of a parsed formula, in float64; undefined entries (log(-1), a singular inv) are NaN.

    >>> evaluate(parse_expression("x^2 + 1"), {"x": 3})
    array(10.)
    """
    return _run(expr, values, None)


def _run(expr: ParsedExpression, values: dict[str, Any], deadline: float | None) -> np.ndarray:
    env = {name: np.asarray(v, dtype=np.float64) for name, v in values.items()}

    def ev(node: ast.AST) -> Any:
        if deadline is not None and time.monotonic() > deadline:
            raise _Timeout
        try:
            if isinstance(node, ast.Constant):
                try:
                    return np.float64(node.value)
                except OverflowError:  # an integer literal beyond float64: harmless as inf
                    return np.float64(np.inf)
            if isinstance(node, ast.Name):
                if node.id in env:
                    return env[node.id]
                if node.id in CONSTANTS:
                    return np.float64(CONSTANTS[node.id])
                raise expr.source.error(node, "expr_no_value", {"name": node.id}, name=node.id)
            if isinstance(node, ast.UnaryOp):
                value = ev(node.operand)
                return -value if isinstance(node.op, ast.USub) else value
            if isinstance(node, ast.BinOp):
                symbol, op = _BINARY[type(node.op)]
                a, b = np.asarray(ev(node.left)), np.asarray(ev(node.right))
                if op is not _matmul:
                    _broadcast(a, b, symbol)
                return op(a, b)
            if isinstance(node, ast.Attribute):
                return np.asarray(ev(node.value)).T
            if isinstance(node, ast.Call):
                f = FUNCTIONS[node.func.id][0]  # type: ignore[attr-defined]
                return f(*(np.asarray(ev(arg)) for arg in node.args))
        except _Problem as problem:
            raise expr.source.error(node, problem.key, problem.params) from None
        raise TypeError(f"not a checked formula node: {type(node).__name__}")

    with np.errstate(all="ignore"):  # overflow and log(-1) become inf/NaN, never exceptions
        return np.asarray(ev(expr.tree), dtype=np.float64)


# --------------------------------------------------------------------------- equivalence


def equivalent(student: object, reference: str, *, variables: dict[str, Variable],
               allowed: Collection[str] | None = None, rng: np.random.Generator | None = None,
               trials: int = 24, rtol: float = 1e-6, atol: float = 1e-8, timeout: float = 2.0) -> Comparison:
    """Whether the student's formula equals the reference at random points of the variables' domains.

    Without ``rng``, the points are drawn from a seed made of the question itself (formulas,
    variables, options), so the verdict depends only on what was written: it is the same for
    every submission and every regrade, and it is computed once per process.

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

    usable = 0
    # Up to 3x the trials are drawn so that a formula defined on half the domain, like
    # sqrt(x)**2 for real x, reliably gets enough usable points.
    for _ in range(3 * trials):
        if usable >= trials:
            break
        point = {name: _sample(variables[name], rng) for name in sorted(variables)}
        try:
            r = _run(ref, point, deadline)
        except ExpressionError as err:
            raise ConfigError(f"reference formula {reference!r}: {err}") from None
        except _Timeout:
            return fail("expr_timeout")
        try:
            s = _run(expr, point, deadline)
        except ExpressionError as err:
            return _failure(err, names, r.shape)
        except _Timeout:
            return fail("expr_timeout")
        if s.shape != r.shape:
            return fail("expr_shape", actual=_fmt_shape(s.shape), expected=_fmt_shape(r.shape))
        if not (np.isfinite(r).all() and np.isfinite(s).all()):
            continue
        usable += 1
        if not (np.abs(s - r) <= atol + rtol * np.abs(r)).all():
            return fail("expr_not_equivalent", point=_describe_point(point))
    if 3 * usable < trials:
        return fail("expr_undefined")
    return PASS


def _failure(err: ExpressionError, names: set[str], expected: tuple[int, ...] = ()) -> Comparison:
    if isinstance(err, _ShapeError):
        return fail("expr_shape", actual=err.shapes, expected=_fmt_shape(expected))
    if err.name is not None:
        return fail("expr_name", name=err.name, allowed=", ".join(sorted(names)))
    return fail("expr_parse", message=err.localized)


def _sample(var: Variable, rng: np.random.Generator) -> np.ndarray:
    """A random value of ``var``. Binary and onehot variables take few values, so several trials
    may draw the same point: harmless, the other variables still differ or the verdict is the same."""
    if var.domain == "probability":
        return np.asarray(rng.uniform(0.02, 0.98, size=var.shape))
    if var.domain == "binary":
        return np.asarray(rng.integers(0, 2, size=var.shape), dtype=np.float64)
    if var.domain == "onehot":
        hot = np.zeros(var.shape[0])
        hot[rng.integers(var.shape[0])] = 1.0
        return hot.reshape(var.shape)
    # log-uniform magnitudes in [0.1, 3]: away from 0 (where H, abs, sign kink) and from overflow
    magnitude = np.exp(rng.uniform(math.log(0.1), math.log(3.0), size=var.shape))
    if var.domain == "real":
        return np.asarray(magnitude * rng.choice((-1.0, 1.0), size=var.shape))
    if var.domain == "simplex":
        return np.asarray(magnitude / magnitude.sum())
    return np.asarray(magnitude)


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
