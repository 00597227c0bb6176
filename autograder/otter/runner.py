"""Run one otter test file's cases inside the sandbox child, beside the student's code.

Called by ``autograder._worker`` for requests of kind ``"otter"``; standard library and numpy
only. It decides nothing for doctest cases: it executes each example's source the way doctest
does (the value of an expression is shown by a display hook, prints are captured) and sends
back the text and any exception; the grader compares that text with the expected output,
which never enters this process. For exception-based cases the verdict (did the test function
raise?) can only be observed here, next to student code: it is sent back as passed/failed.

The request's ``"otter"`` payload::

    {"kind": "doctest" | "exception" | "noop",
     "scope": "q1",            # the test file: its cases share state, in order, as in otter
     "snapshot": "q1",         # the name grader.check() would be called with
     "cases": [...]}           # doctest: {"name": "q1 0", "examples": [{"source", "skip"}]}
                               # exception: {"name", "filename", "source": the test file with
                               #             every other case's function blanked out}

The reply: ``{"cases": [...]}``, one entry per case, each with ``"seconds"`` and either
``"timeout"`` (the case's own alarm went off) or, for doctest, ``"examples"`` (per example:
``"got"``, ``"exception"``, ``"refused"``, ``"tampered"``, ``"truncated"``, ``"skipped"``) or,
for exception-based cases, ``"passed"`` with ``"error"``/``"refused"``/``"setup_error"``.

State, as in otter: a file's cases run in the submission's globals (so an example that
assigns a name is seen by the next case and by the student's functions); when the notebook
called ``grader.check(q)``, the globals recorded then (:mod:`autograder.otter.stub`) are put in
place for that file's cases and the final state is put back before the next file.

"Always equal" objects: every single comparison in test code (``x == 42``, ``assert f(3) == 9``,
``a in b``) goes through :func:`guarded_compare`. When it yields a bool and an operand is (or
contains) an object of a type that is not a plain Python/numpy value, that object is asked
whether it equals fresh canaries (a private object, a random int, float and string); one that
claims to equal any of them is refused, and the case fails.
"""

from __future__ import annotations

import __future__
import ast
import builtins
import doctest
import inspect
import io
import operator
import os
import signal
import struct
import sys
import time
import traceback
import types
from itertools import islice
from typing import Any, Callable

import numpy as np

#: characters of output kept per example; longer output cannot match a doctest's expected text
MAX_GOT = 256 * 1024
MAX_MESSAGE = 2000
#: seconds a case may go on after its time-limit exception before the process is stopped
GRACE = 1.0

# taken when the fork server imports this module, before any student code can replace them
_repr = repr
_real_import = builtins.__import__
_BUILTINS = dict(builtins.__dict__)


class Refused(BaseException):
    """A comparison in test code involved an object that claims to equal anything.

    BaseException, so neither the student's ``except Exception`` nor a test's catches it.
    """


# --------------------------------------------------------------------------- entry point


def run(module: types.ModuleType, payload: dict, *, timeout: float, timeout_error: type[BaseException]) -> dict:
    """Run the cases of ``payload`` against ``module`` (the submission); plain data back.

    ``timeout_error`` is what the worker's per-call alarm raises (a BaseException): a case past
    its time limit gets it; one that swallows it and is still running ``GRACE`` seconds later
    has the process killed, and the engine asks the other requests again in a fresh process.
    """
    kind = payload.get("kind")
    _enter_scope(module, payload.get("scope"), payload.get("snapshot"))
    if kind == "noop":
        return {"noop": True}
    if kind not in ("doctest", "exception"):
        raise ValueError(f"unknown otter request kind {kind!r}")
    results = []
    for case in payload.get("cases", []):
        seconds = float(case.get("timeout", timeout))
        started = time.perf_counter()
        try:
            with _CaseAlarm(seconds, timeout_error):
                if kind == "doctest":
                    result = _doctest_case(module.__dict__, case, timeout_error)
                else:
                    result = _exception_case(module.__dict__, case, timeout_error)
        except timeout_error:
            result = {"timeout": seconds}
        result["seconds"] = round(time.perf_counter() - started, 6)
        results.append(result)
    return {"cases": results}


class _CaseAlarm:
    """One case's time limit: raise ``timeout_error``; if that is swallowed, end the process."""

    def __init__(self, seconds: float, timeout_error: type[BaseException]) -> None:
        self.seconds = max(float(seconds), 0.001)
        self.timeout_error = timeout_error
        self.fired = 0

    def __enter__(self) -> None:
        self.saved = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds, GRACE)

    def __exit__(self, *exc: Any) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.saved)

    def _fire(self, signum: int, frame: Any) -> None:
        self.fired += 1
        if self.fired == 1:
            raise self.timeout_error()
        os.write(2, f"\n[autograder] a test case ignored its {self.seconds:g} s time limit: process stopped\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)


#: which file's cases are running; while a check()-time snapshot stands in, the final globals
#: and random generators' states to put back
_SCOPE: dict[str, Any] = {"scope": None, "final": None, "rng": None}


def _enter_scope(module: types.ModuleType, scope: Any, snapshot_key: Any) -> None:
    if scope is not None and scope == _SCOPE["scope"]:
        return  # the next case of the same file: it sees what the previous ones left
    globs = module.__dict__
    if _SCOPE["final"] is not None:
        globs.clear()
        globs.update(_SCOPE["final"])
        _SCOPE["final"] = None
        _set_rng_state(_SCOPE["rng"])
    _SCOPE["scope"] = scope
    snapshot = _snapshot(snapshot_key)
    if snapshot is not None:
        _SCOPE["final"] = dict(globs)
        _SCOPE["rng"] = _rng_state()
        globs.clear()
        globs.update(snapshot)
        # otter's seeding puts the seed at the top of the cell that calls grader.check()
        stub = sys.modules.get("autograder.otter.stub")
        if stub is not None:
            stub.seed_generators()


def _rng_state() -> tuple | None:
    import random

    try:
        return np.random.get_state(), random.getstate()
    except Exception:  # noqa: BLE001 - the submission broke numpy.random: nothing to put back
        return None


def _set_rng_state(state: Any) -> None:
    import random

    if state is not None:
        try:
            np.random.set_state(state[0])
            random.setstate(state[1])
        except Exception:  # noqa: BLE001 - as above
            pass


def _snapshot(key: Any) -> dict | None:
    stub = sys.modules.get("autograder.otter.stub")
    snapshots = getattr(stub, "SNAPSHOTS", None)
    if key is None or not isinstance(snapshots, dict):
        return None
    found = snapshots.get(str(key))
    return found if type(found) is dict else None


# --------------------------------------------------------------------------- doctest cases


def _doctest_case(globs: dict, case: dict, timeout_error: type[BaseException]) -> dict:
    name = str(case.get("name", "test"))
    flags = _future_flags(globs)
    examples = []
    globs["__agcmp__"] = guarded_compare
    try:
        for index, example in enumerate(case.get("examples", [])):
            if example.get("skip"):
                examples.append({"skipped": True})
                continue
            filename = f"<doctest {name}[{index}]>"
            examples.append(_run_example(globs, str(example.get("source", "")), filename, flags, timeout_error))
    finally:
        if globs.get("__agcmp__") is guarded_compare:
            del globs["__agcmp__"]
    return {"examples": examples}


def _run_example(globs: dict, source: str, filename: str, flags: int, timeout_error: type[BaseException]) -> dict:
    """One example, as ``doctest.DocTestRunner`` runs it: compiled "single", displayed, printed."""
    capture = _Capture(MAX_GOT)
    saved = sys.stdout, sys.displayhook
    error: BaseException | None = None
    refused = None
    sys.stdout, sys.displayhook = capture, _display
    try:
        exec(_compile_example(source, filename, flags), globs)
    except timeout_error:
        raise
    except Refused as e:
        refused = str(e)
    except BaseException as e:  # noqa: BLE001 - doctest records whatever the example raises
        error = e
    finally:
        tampered = sys.stdout is not capture or sys.displayhook is not _display
        sys.stdout, sys.displayhook = saved
    result: dict[str, Any] = {"got": capture.getvalue()}
    if capture.overflow:
        result["truncated"] = True
    if tampered:
        result["tampered"] = True
    if refused is not None:
        result["refused"] = refused
    if error is not None:
        result["exception"] = {"type": type(error).__name__, "msg": _exception_message(error, timeout_error)}
    return result


def _compile_example(source: str, filename: str, flags: int):
    tree = compile(source, filename, "single", flags | ast.PyCF_ONLY_AST, True)
    tree = ast.fix_missing_locations(_GuardComparisons().visit(tree))
    return compile(tree, filename, "single", flags, True)


def _display(value: Any) -> None:
    """``sys.__displayhook__``, from references taken before student code ran."""
    if value is None:
        return
    builtins._ = None
    text = _repr(value)
    sys.stdout.write(text)
    sys.stdout.write("\n")
    builtins._ = value


class _Capture(io.StringIO):
    """doctest's ``_SpoofOut``, capped (the grader adds the trailing newline doctest adds)."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.size = 0
        self.overflow = False

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        n = len(s)
        if self.size + n > self.cap:
            s = s[: max(0, self.cap - self.size)]
            self.overflow = True
        self.size += len(s)
        super().write(s)
        return n


def _future_flags(globs: dict) -> int:
    """``doctest._extract_future_flags``: the ``__future__`` features the namespace imported."""
    flags = 0
    for name in __future__.all_feature_names:
        feature = globs.get(name)
        if feature is getattr(__future__, name):
            flags |= feature.compiler_flag
    return flags


def _exception_message(error: BaseException, timeout_error: type[BaseException]) -> str:
    """The ``exc_msg`` this Python's doctest compares with an example's expected exception.

    Its rules changed across versions (notes, SyntaxError carets), so doctest itself computes
    it: the exception is raised again inside a one-example DocTest whose checker only records.
    """
    seen: list[str] = []

    class Record(doctest.OutputChecker):
        def check_output(self, want: str, got: str, optionflags: int) -> bool:
            seen.append(got)
            return True

    saved_tb, saved_context = error.__traceback__, error.__context__
    example = doctest.Example("raise __agexc__\n", "", exc_msg="x\n")
    test = doctest.DocTest([example], {"__agexc__": error}, "exc", None, 0, None)
    try:
        doctest.DocTestRunner(checker=Record(), verbose=False).run(test, out=lambda s: None, clear_globs=False)
    except timeout_error:
        raise
    except BaseException:  # noqa: BLE001 - KeyboardInterrupt escapes doctest; fall back below
        pass
    finally:
        error.__traceback__, error.__context__ = saved_tb, saved_context
    if seen:
        return seen[0][:MAX_MESSAGE]
    try:
        return "".join(traceback.format_exception_only(type(error), error))[:MAX_MESSAGE]
    except BaseException:  # noqa: BLE001 - an exception whose str() raises
        return f"{type(error).__name__}\n"


# --------------------------------------------------------------------------- exception-based cases


class test_case:
    """``otter.test_files.test_case``, for the test file text this process is handed."""

    def __init__(self, name: Any = None, points: Any = None, hidden: bool = False, success_message: Any = None,
                 failure_message: Any = None) -> None:
        self.name = name
        self.points = points
        self.hidden = hidden
        self.success_message = success_message
        self.failure_message = failure_message
        self.test_func: Callable[..., Any] = lambda: None

    def __call__(self, test_func: Callable[..., Any]) -> "test_case":
        self.test_func = test_func
        return self


_OTTER_TEST_FILES = types.ModuleType("otter.test_files")
_OTTER_TEST_FILES.test_case = test_case
_OTTER = types.ModuleType("otter")
_OTTER.test_files = _OTTER_TEST_FILES


def _test_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    """A test file's ``from otter.test_files import test_case`` gets this module's decorator."""
    if level == 0 and name in ("otter", "otter.test_files"):
        return _OTTER_TEST_FILES if name == "otter.test_files" and fromlist else _OTTER
    return _real_import(name, globals, locals, fromlist, level)


def test_file_builtins() -> dict:
    return {**_BUILTINS, "__import__": _test_import}


def _exception_case(globs: dict, case: dict, timeout_error: type[BaseException]) -> dict:
    filename = str(case.get("filename", "<test>"))
    namespace: dict[str, Any] = {"__name__": "otter_test_file", "__builtins__": test_file_builtins(),
                                 "__agcmp__": guarded_compare}
    try:
        tree = ast.parse(str(case.get("source", "")), filename)
        code = compile(ast.fix_missing_locations(_GuardComparisons().visit(tree)), filename, "exec")
        exec(code, namespace)
        found = [v for v in namespace.values() if isinstance(v, test_case)]
        if len(found) != 1:
            raise LookupError(f"expected one test case, found {len(found)}")
        func = found[0].test_func
        params = list(inspect.signature(func).parameters)
    except timeout_error:
        raise
    except BaseException as e:  # noqa: BLE001 - a broken test file is reported, not fatal
        return {"passed": False, "setup_error": {"type": type(e).__name__, "message": _text(e)}}
    kwargs = {p: (globs if p == "env" else globs.get(p, None)) for p in params}
    try:
        func(**kwargs)
    except timeout_error:
        raise
    except Refused as e:
        return {"passed": False, "refused": str(e)}
    except BaseException as e:  # noqa: BLE001 - what the test raised is its verdict
        tb = e.__traceback__
        line = tb.tb_next.tb_lineno if tb is not None and tb.tb_next is not None else None
        return {"passed": False, "error": {"type": type(e).__name__, "message": _text(e), "line": line}}
    return {"passed": True}


def _text(e: BaseException) -> str:
    try:
        text = str(e)
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ raises
        text = f"<unprintable {type(e).__name__}>"
    return text[:MAX_MESSAGE]


# --------------------------------------------------------------------------- comparison guard


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}
_AST_OPERATORS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
                  ast.In: "in", ast.NotIn: "not in"}
_PLAIN = frozenset({bool, int, float, complex, str, bytes, bytearray, type(None), type, range, slice,
                    type(Ellipsis), type(NotImplemented)})
_NUMPY_SCALARS = frozenset(t for t in set(np.sctypeDict.values()) if isinstance(t, type))
_SCAN_ITEMS = 64
_SCAN_DEPTH = 4


class _GuardComparisons(ast.NodeTransformer):
    """``a OP b`` (one operator, not ``is``) -> ``__agcmp__(a, "OP", b)``: same order, same value."""

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) != 1 or type(node.ops[0]) not in _AST_OPERATORS:
            return node
        call = ast.Call(func=ast.Name(id="__agcmp__", ctx=ast.Load()),
                        args=[node.left, ast.Constant(_AST_OPERATORS[type(node.ops[0])]), node.comparators[0]],
                        keywords=[])
        return ast.copy_location(call, node)


class _Canary:
    """Equal to nothing but itself."""

    __slots__ = ()


def guarded_compare(left: Any, op: str, right: Any) -> Any:
    result = _OPERATORS[op](left, right)
    if type(result) is bool or type(result) is np.bool_:
        for suspect in [*_suspects(left), *_suspects(right)]:
            _probe(suspect)
    return result


def _suspects(value: Any, depth: int = 0) -> list:
    """Objects in ``value`` whose comparisons are the submission's code, not Python's or numpy's."""
    kind = type(value)
    if kind in _PLAIN or kind in _NUMPY_SCALARS or depth > _SCAN_DEPTH:
        return []
    if kind in (list, tuple, set, frozenset):
        return [s for item in islice(value, _SCAN_ITEMS) for s in _suspects(item, depth + 1)]
    if kind is dict:
        return [s for pair in islice(value.items(), _SCAN_ITEMS) for item in pair for s in _suspects(item, depth + 1)]
    if kind is np.ndarray:
        if value.dtype.kind != "O":
            return []
        return [s for item in value.flat[:_SCAN_ITEMS] for s in _suspects(item, depth + 1)]
    return [value]


def _canaries() -> tuple:
    raw = os.urandom(16)
    number = int.from_bytes(raw[:6], "little") + 7_919_003
    real = struct.unpack("<d", raw[6:14])[0]
    real = real if real == real and abs(real) < 1e300 else -7.123e-301
    return (_Canary(), number, -number, real, raw.hex())


def _probe(obj: Any) -> None:
    """Refuse ``obj`` if it says it equals (``==`` True, or ``!=`` False) a value it cannot equal."""
    for canary in _canaries():
        for compare, lie in ((operator.eq, True), (operator.ne, False)):
            try:
                verdict = compare(obj, canary)
            except Exception:  # noqa: BLE001 - a comparison that rejects a canary is honest
                continue
            if (type(verdict) is bool or type(verdict) is np.bool_) and bool(verdict) is lie:
                raise Refused(f"an object of type {type(obj).__name__} claims to equal any value "
                              "(its comparison methods were written to pass tests)")
