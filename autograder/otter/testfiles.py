"""Parse otter test files into :class:`TestFileSpec` (grader side; test files are trusted code).

With otter-grader installed (the ``dev`` extra), otter's own classes parse them:
``OKTestFile.from_spec`` / ``ExceptionTestFile.from_string`` (and their ``from_metadata``), which
also resolve each case's points with ``TestFile.resolve_test_file_points``. Without it, the same
steps are done by :func:`_builtin_ok` / :func:`_builtin_exception` / :func:`resolve_points`,
line for line otter 7's; ``tests/test_otter.py`` checks that both parsers agree.

As in otter, parsing executes the test file (its ``test`` dict, or its ``@test_case``
definitions). Test files come from the instructor, like a native assignment's ``helpers.py``.

Points (otter's rules): a file's ``points`` (total, or a list, one per case) and each case's
``points``; cases without points share what the file's total leaves; with no points anywhere
the file is worth 1; partial credit per case unless ``all_or_nothing``.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import importlib
import importlib.util
import pathlib
import sys
import types
from dataclasses import dataclass, replace
from pathlib import Path
from textwrap import dedent
from typing import Any

from autograder.errors import ConfigError
from autograder.otter.loader import RawTest

PARSERS = ("auto", "otter", "builtin")


@dataclass(frozen=True)
class Case:
    index: int
    name: str
    hidden: bool
    points: float
    success_message: str | None = None
    failure_message: str | None = None
    #: OK format: the doctest text; exception-based: the test function's source
    body: str = ""
    #: OK format: the doctest examples, parsed as otter's runner parses them
    examples: tuple = ()
    #: exception-based: first and last line (1-based) of the function, decorators included
    lines: tuple[int, int] | None = None


@dataclass(frozen=True)
class TestFileSpec:
    name: str
    #: what ``grader.check()`` is called with
    key: str
    path: str
    kind: str  # "ok" or "exception"
    cases: tuple[Case, ...]
    all_or_nothing: bool = False
    #: exception-based: the whole file (stays in the grader; the sandbox gets one case at a time)
    source: str = ""

    @property
    def possible(self) -> float:
        return float(sum(c.points for c in self.cases))

    def doctest_name(self, case: Case) -> str:
        """The name otter's runner gives a case's DocTest (``"q1 0"``)."""
        return f"{self.name} {case.index}"

    def case_source(self, case: Case) -> str:
        """The test file with every other case's function blanked out (same line numbers)."""
        lines = self.source.split("\n")
        for other in self.cases:
            if other.index != case.index and other.lines is not None:
                first, last = other.lines
                for i in range(first - 1, min(last, len(lines))):
                    lines[i] = ""
        return "\n".join(lines)


def parse_test(raw: RawTest, *, parser: str = "auto", absent_ok: bool = False) -> TestFileSpec:
    """Parse one test file (or metadata test) the way ``otter run`` does.

    ``absent_ok``: the assignment lists requirements, which its environment has and the grader
    may lack; a module the file imports that the grader lacks is then a stand-in while it is
    parsed (see :class:`_StandIn`). Its cases import the real one, in the sandbox."""
    if parser not in PARSERS:
        raise ValueError(f"parser must be one of {PARSERS}")
    otter = _otter_classes() if parser in ("auto", "otter") else None
    if parser == "otter" and otter is None:
        raise ConfigError("otter-grader is not installed (pip install otter-grader)")
    absent: set[str] = set()
    with otter.importable() if otter else contextlib.nullcontext():
        while True:
            try:
                with _standing_in(absent):
                    return _parse(raw, otter)
            except ModuleNotFoundError as e:
                if not absent_ok or not e.name or e.name in absent or len(absent) >= _MAX_STAND_INS:
                    raise ConfigError(f"{raw.path} ({raw.key}): not a valid otter test file "
                                      f"(ModuleNotFoundError: {e})") from None
                absent.add(e.name)  # and parse again, with a stand-in for it


#: how many modules a test file may import that the grader lacks
_MAX_STAND_INS = 50


class _StandIn(types.ModuleType):
    """A module the grader lacks, while a test file is parsed: every name it is asked for is an
    object that accepts any use. Parsing needs the file's ``@test_case`` functions and points,
    which do not use the module; running them does, in the sandbox, on the real module."""

    def __init__(self, name: str) -> None:
        super().__init__(name, "stand-in for a module of the assignment's environment (autograder.otter.testfiles)")
        self.__path__: list[str] = []  # a package: `import name.sub` finds nothing, and is stood in too

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()


class _Anything:
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __getitem__(self, key: Any) -> Any:
        return self


@contextlib.contextmanager
def _standing_in(names: set[str]):
    saved = {name: sys.modules.get(name) for name in names}
    sys.modules.update({name: _StandIn(name) for name in names})
    try:
        yield
    finally:
        _restore_modules(saved)


def _restore_modules(saved: dict) -> None:
    """Put back ``sys.modules`` entries as they were (None: there was none)."""
    for name, module in saved.items():
        if module is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = module


def _parse(raw: RawTest, otter: _Otter | None) -> TestFileSpec:
    try:
        if raw.from_metadata:
            ok = bool(raw.ok_format)
            source = "" if ok else str(raw.spec)
            if otter:
                parsed = otter.OKTestFile.from_metadata(raw.spec, raw.path) if ok else \
                    otter.ExceptionTestFile.from_metadata(source, raw.path)
            else:
                parsed = _builtin_ok(raw.spec, raw.path) if ok else _builtin_exception(source, raw.path)
        else:
            source = raw.text or ""
            ok = _ok_format(source, raw.path, real_otter=otter is not None)
            if ok:
                spec = _exec_test_file(source, raw.path, real_otter=otter is not None).get("test")
                parsed = otter.OKTestFile.from_spec(spec, path=raw.path) if otter else _builtin_ok(spec, raw.path)
            else:
                parsed = otter.ExceptionTestFile.from_string(source, path=raw.path) if otter else \
                    _builtin_exception(source, raw.path)
    except (ConfigError, ModuleNotFoundError):
        raise  # a missing module: parse_test decides
    except Exception as e:  # noqa: BLE001 - whatever otter's parser raises is a broken test file
        raise ConfigError(f"{raw.path} ({raw.key}): not a valid otter test file ({type(e).__name__}: {e})") from None
    return _spec(parsed, raw, kind="ok" if ok else "exception", source=source)


class _Otter:
    """otter's test-file classes (``OKTestFile``, ``ExceptionTestFile``, ``test_case``)."""

    def __init__(self, test_files: types.ModuleType, *, real: bool) -> None:
        self.OKTestFile = test_files.OKTestFile
        self.ExceptionTestFile = test_files.ExceptionTestFile
        self.test_case = test_files.test_case
        self.module = test_files
        self.real = real

    @contextlib.contextmanager
    def importable(self):
        """While a test file runs: ``from otter.test_files import test_case`` gets these classes."""
        if self.real:
            yield
            return
        saved = {name: sys.modules.get(name) for name in ("otter", "otter.test_files")}
        sys.modules["otter"] = sys.modules[_PRIVATE]
        sys.modules["otter.test_files"] = self.module
        try:
            yield
        finally:
            _restore_modules(saved)


_PRIVATE = "_autograder_otter"
_LIGHT: list = []


def _otter_classes(*, light: bool | None = None) -> _Otter | None:
    """otter's own classes; without importing ``otter`` itself when it is not imported yet.

    ``import otter`` imports pandas, nbconvert and IPython (seconds). The three modules that
    parse test files (``otter/test_files/{abstract,exception,ok}_test.py``) need only the
    standard library and ``otter.utils.hide_outputs`` (used when running, not parsing): they
    are loaded from otter's installation under a private package name.
    """
    if light is not True and "otter.test_files" in sys.modules:
        return _Otter(sys.modules["otter.test_files"], real=True)
    if _LIGHT:
        return _LIGHT[0]
    try:
        spec = importlib.util.find_spec("otter")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = types.ModuleType(_PRIVATE)
    root.__path__ = list(spec.submodule_search_locations)
    utils = types.ModuleType(f"{_PRIVATE}.utils")
    utils.hide_outputs = contextlib.nullcontext
    package = types.ModuleType(f"{_PRIVATE}.test_files")
    package.__path__ = [str(Path(p) / "test_files") for p in spec.submodule_search_locations]
    root.utils, root.test_files = utils, package
    sys.modules.update({_PRIVATE: root, utils.__name__: utils, package.__name__: package})
    try:
        exception_test = importlib.import_module(f"{_PRIVATE}.test_files.exception_test")
        ok_test = importlib.import_module(f"{_PRIVATE}.test_files.ok_test")
    except ImportError:
        return None
    package.test_case = exception_test.test_case
    package.ExceptionTestFile = exception_test.ExceptionTestFile
    package.OKTestFile = ok_test.OKTestFile
    _LIGHT.append(_Otter(package, real=False))
    return _LIGHT[0]


def _ok_format(source: str, path: str, *, real_otter: bool) -> bool:
    """otter's ``create_test_file``: run the file, and ``OK_FORMAT`` says which format it is."""
    env = _exec_test_file(source, path, real_otter=real_otter)
    if "OK_FORMAT" not in env:
        raise ConfigError(f"{path}: malformed test file: does not define the global variable 'OK_FORMAT'")
    return bool(env["OK_FORMAT"])


def _exec_test_file(source: str, path: str, *, real_otter: bool) -> dict:
    from autograder.otter.runner import test_file_builtins

    env: dict[str, Any] = {}
    if not real_otter:
        # `from otter.test_files import test_case` gets the runner's decorator
        env["__builtins__"] = test_file_builtins()
    exec(compile(source, path, "exec"), env)
    return env


def _spec(parsed: Any, raw: RawTest, *, kind: str, source: str) -> TestFileSpec:
    spans = _function_spans(source, raw.path) if kind == "exception" else {}
    cases = []
    for index, tc in enumerate(parsed.test_cases):
        points = tc.points
        if type(points) not in (int, float):
            raise ConfigError(f"{raw.path}: case {tc.name!r} has points {points!r}")
        if kind == "ok":
            body = str(tc.body)
            try:
                examples = tuple(e for e in doctest.DocTestParser().parse(body, f"{parsed.name} {index}")
                                 if isinstance(e, doctest.Example))
            except ValueError as e:
                raise ConfigError(f"{raw.path}: case {tc.name!r} is not a valid doctest ({e})") from None
            cases.append(Case(index=index, name=str(tc.name), hidden=bool(tc.hidden), points=float(points),
                              success_message=tc.success_message, failure_message=tc.failure_message,
                              body=body, examples=examples))
        else:
            func = tc.body.test_func
            first = getattr(getattr(func, "__code__", None), "co_firstlineno", None)
            if first not in spans:
                raise ConfigError(f"{raw.path}: test case {tc.name!r} is not a top-level function of the file")
            lines = spans[first]
            body = "\n".join(source.split("\n")[lines[0] - 1: lines[1]])
            cases.append(Case(index=index, name=str(tc.name), hidden=bool(tc.hidden), points=float(points),
                              success_message=tc.success_message, failure_message=tc.failure_message,
                              body=body, lines=lines))
    if not cases:
        raise ConfigError(f"{raw.path}: no test cases")
    return TestFileSpec(name=str(parsed.name), key=raw.key, path=str(parsed.path), kind=kind, cases=tuple(cases),
                        all_or_nothing=bool(parsed.all_or_nothing), source=source)


def _function_spans(source: str, path: str) -> dict[int, tuple[int, int]]:
    """Top-level functions by their code's ``co_firstlineno`` (the first decorator's line)."""
    spans = {}
    for node in ast.parse(source, path).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            spans[first] = (first, node.end_lineno)
    return spans


# --------------------------------------------------------------------------- without otter-grader


@dataclass
class _ParsedCase:
    name: str
    body: Any
    hidden: bool
    points: Any
    success_message: str | None
    failure_message: str | None


@dataclass
class _Parsed:
    name: str
    path: str
    test_cases: list
    all_or_nothing: bool


def resolve_points(total: Any, cases: list) -> list:
    """otter's ``TestFile.resolve_test_file_points``."""
    if isinstance(total, list):
        if len(total) != len(cases):
            raise ValueError("Points specified in test has different length than number of test cases")
        cases = [replace(tc, points=pt) for tc, pt in zip(cases, total)]
        total = None
    elif total is not None and not isinstance(total, (int, float)):
        raise TypeError(f"Test spec points has invalid type: {type(total)}")
    values = []
    for tc in cases:
        if tc.points is not None:
            if type(tc.points) not in (int, float):
                raise AssertionError(f"Invalid point type: {type(tc.points)}")
            values.append(tc.points)
        else:
            values.append(None)
    pre_specified = sum(p for p in values if p is not None)
    if total is not None:
        if pre_specified > total:
            raise ValueError("More points specified in test cases than allowed for test")
        unspecified = sum(1 for p in values if p is None)
        per_remaining = (total - pre_specified) / unspecified if unspecified else 0.0
    elif pre_specified == 0 and all(p in (0, None) for p in values):
        # only zeros specified: the file is worth 1 point, shared by the cases without points
        unspecified = sum(p is None for p in values)
        per_remaining = 1 / unspecified if unspecified else 0.0
    else:
        per_remaining = 0.0
    return [replace(tc, points=p if p is not None else per_remaining) for tc, p in zip(cases, values)]


def _builtin_ok(spec: Any, path: str) -> _Parsed:
    """otter's ``OKTestFile.from_spec``."""
    assert isinstance(spec, dict) and "name" in spec
    assert len(spec["suites"]) == 1
    suite = spec["suites"][0]
    assert suite.get("type", "doctest") == "doctest"
    assert not bool(suite.get("setup"))
    assert not bool(suite.get("teardown"))
    cases = [_ParsedCase(name=case.get("name", f"{spec['name']} - {i + 1}"), body=dedent(case["code"]),
                         hidden=case.get("hidden", True), points=case.get("points", None),
                         success_message=case.get("success_message", None),
                         failure_message=case.get("failure_message", None))
             for i, case in enumerate(suite["cases"])]
    cases = resolve_points(spec.get("points", None), cases)
    return _Parsed(spec["name"], str(pathlib.Path(path).as_posix()), cases, spec.get("all_or_nothing", False))


def _builtin_exception(source: str, path: str) -> _Parsed:
    """otter's ``ExceptionTestFile.from_string`` (``_from_compiled_code``)."""
    from autograder.otter.runner import test_case

    env = _exec_test_file(source, path, real_otter=False)
    if "name" not in env:
        raise ValueError(f"Test file {path} does not define 'name'")
    name = env["name"]
    cases = []
    for value in env.values():
        if isinstance(value, test_case):
            if value.name is None:
                value.name = f"{name} - {len(cases) + 1}"
            cases.append(_ParsedCase(name=value.name, body=value, hidden=value.hidden, points=value.points,
                                     success_message=value.success_message, failure_message=value.failure_message))
    cases = resolve_points(env.get("points", None), cases)
    return _Parsed(name, str(pathlib.Path(path).as_posix()), cases, env.get("all_or_nothing", False))
