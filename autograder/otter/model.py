"""An otter source as an :class:`~autograder.assignment.Assignment` the engine grades as it is.

Mapping (otter -> ours):

- each test file is a question (its points are the file's resolved points) and, by default, one
  check — one Gradescope test per file, scored as otter scores it (partial credit per case, or
  all-or-nothing); with ``tests_per_case`` each case of a partial-credit file is its own check;
- one request per check runs the check's cases in the sandbox (:mod:`.runner`), each case under
  its own alarm; the check's judge (a property function of the assignment's helpers) turns what
  came back into otter's score and an otter-style report;
- a 0-point, visible "Public Tests" check summarises the public cases of every file, as otter's
  results do; per-file tests get otter's hidden-test visibility (``show_hidden``,
  ``show_all_public``);
- ``autograder check`` (public checks) runs the public cases only, one check per file.

The options of ours live in ``otter_config.json`` under ``"dl_autograder"`` (otter ignores
unknown keys)::

    "dl_autograder": {"title": "...", "starter": "hw01.ipynb", "tests_per_case": false,
                      "limits": {"wall": 300, "call": 10, "exec": 60, "memory_mb": 2048},
                      "timeouts": {"q5": 30}, "preload": ["pandas"]}

``limits.call`` is each case's time limit (``timeouts`` overrides it per test file), ``exec``
each notebook cell's, ``wall`` the whole submission's.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
import types
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from textwrap import indent
from typing import Any

from autograder.assignment_model import Assignment, Question
from autograder.checks import Check
from autograder.compare import Comparison
from autograder.errors import ConfigError
from autograder.messages import Message
from autograder.otter.doctests import judge_examples, skipped
from autograder.otter.environment import environment_python
from autograder.otter.loader import OtterSource, read_source
from autograder.otter.testfiles import Case, TestFileSpec, parse_test
from autograder.sandbox import Limits, Request

OUR_KEY = "dl_autograder"
DEFAULT_LIMITS = Limits(wall=300.0, call=10.0, exec=60.0, memory_mb=2048)
SANDBOX_MODULES = ("autograder.otter.stub", "autograder.otter.runner")
#: modules worth importing once in the fork server when the assignment mentions them
_PRELOADABLE = {"pandas": "pandas", "scipy": "scipy", "matplotlib": "matplotlib.pyplot", "sklearn": "sklearn",
                "scikit-learn": "sklearn", "datascience": "datascience", "sympy": "sympy", "seaborn": "seaborn",
                "statsmodels": "statsmodels.api", "torch": "torch"}
_OUR_OPTIONS = {"title", "starter", "tests_per_case", "limits", "timeouts", "preload"}
PUBLIC_TESTS = "Public Tests"
_warned: set[str] = set()


# --------------------------------------------------------------------------- engine types


@dataclass(frozen=True)
class OtterRequest(Request):
    """A request of kind "otter": the sandbox runs ``payload``'s test cases (see runner.py)."""

    payload: dict = field(default_factory=dict)

    def wire_header(self) -> dict:
        data = super().wire_header()
        data["kind"] = "otter"
        data["otter"] = self.payload
        return data


@dataclass(frozen=True)
class Plan:
    """What one check judges: some cases of one test file (or, for "summary", the public ones of all)."""

    mode: str  # "file", "public" or "summary"
    spec: TestFileSpec | None = None
    cases: tuple[int, ...] = ()
    specs: tuple[TestFileSpec, ...] = ()


@dataclass(frozen=True)
class OtterCheck(Check):
    """A check whose one request runs otter test cases; judged by :func:`judge_otter`."""

    payload: dict = field(default_factory=dict)
    #: the first check of a grading starts a fresh board (where the summary check reads results)
    opens_board: bool = False

    def inputs(self, helpers: Any, seed: int) -> list[tuple]:
        if self.opens_board or getattr(_BOARD, "current", None) is None:
            _BOARD.current = {}
        return [(_BOARD.current,)]

    def requests(self, inputs: list[tuple]) -> list[Request]:
        return [OtterRequest(id=f"{self.id}#0", name=self.target, timeout=self.timeout, payload=self.payload)]


@dataclass(frozen=True)
class OtterAssignment(Assignment):
    source: Path | None = None
    #: "zip", "folder", "notebook" or "master" (see :class:`~autograder.otter.loader.OtterSource`)
    source_kind: str = "zip"
    otter_public_checks: tuple = ()
    fingerprint_files: tuple = ()
    warnings: tuple[str, ...] = ()
    #: the pip requirements of the tests (requirements.txt, environment.yml's pip part)
    requirements: tuple[str, ...] = ()

    def sandbox_python(self) -> str | None:
        """The environment with the assignment's requirements (made the first time, in the
        grader, before any student code; see :mod:`.environment`), or None when ours has them."""
        return environment_python(self.requirements, where=str(self.source or self.id))

    @property
    def public_checks(self) -> tuple:
        return self.otter_public_checks

    @property
    def hidden_paths(self) -> list[Path]:
        """The otter source holds the hidden cases: the sandbox user must not read it."""
        return list(dict.fromkeys(p for p in (self.source, *self.fingerprint_files) if p is not None))

    @property
    def solution_file(self) -> Path | None:
        return None


#: per grading thread: the public cases' verdicts, for the "Public Tests" summary check
_BOARD = threading.local()


# --------------------------------------------------------------------------- loading


def load_otter_assignment(path: Path, *, parser: str = "auto") -> OtterAssignment:
    source = read_source(Path(path))
    config = source.config
    ours = _our_options(config, source)
    _refuse_unsupported(config, source)
    specs = [parse_test(raw, parser=parser, absent_ok=bool(source.pip_requirements)) for raw in source.tests]
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{source.path}: several test files are named {', '.join(dupes)}")
    total = sum(s.possible for s in specs)
    scale = 1.0
    if config.get("points_possible") is not None:
        if not isinstance(config["points_possible"], (int, float)) or total <= 0:
            raise ConfigError(f"{source.path}: points_possible must be a number and the tests worth points")
        scale = float(config["points_possible"]) / total
    hidden_visibility = "after_published" if config.get("show_hidden") else "hidden"
    if config.get("show_all_public") and all(not c.hidden for s in specs for c in s.cases):
        hidden_visibility = "visible"
    limits = _limits(ours, source)
    timeouts = ours.get("timeouts") or {}
    per_case = bool(ours.get("tests_per_case", False))

    checks: list[OtterCheck] = []
    public: list[OtterCheck] = []
    for spec in specs:
        try:
            timeout = float(timeouts.get(spec.name, timeouts.get(spec.key, limits.call)))
        except (TypeError, ValueError):
            raise ConfigError(f"{source.path}: {OUR_KEY}.timeouts.{spec.name} must be a number of seconds") from None
        all_cases = tuple(c.index for c in spec.cases)
        if per_case and not spec.all_or_nothing:
            for case in spec.cases:
                checks.append(_check(spec, (case.index,), mode="file", scale=scale, timeout=timeout,
                                     check_id=f"{spec.name}/{case.index + 1}",
                                     name=case.name + (" (hidden)" if case.hidden else ""),
                                     visibility=hidden_visibility if case.hidden else "visible"))
        else:
            checks.append(_check(spec, all_cases, mode="file", scale=scale, timeout=timeout, check_id=spec.name,
                                 name=spec.name, visibility=hidden_visibility))
        public_cases = tuple(c.index for c in spec.cases if not c.hidden)
        if public_cases:
            public.append(_check(spec, public_cases, mode="public", scale=1.0, timeout=timeout,
                                 check_id=f"{spec.name}/public", name=f"{spec.name} (public tests)",
                                 visibility="visible"))
    if not per_case and (not config.get("show_hidden") or config.get("force_public_test_summary", True)):
        checks.append(OtterCheck(
            id="public-tests", question="public", points=0.0, name=PUBLIC_TESTS, target="the public tests",
            call=False, hidden=False, kind="property", expect="none", visibility="visible",
            options={"using": "judge_otter", "given": {"plan": Plan(mode="summary", specs=tuple(specs))}},
            payload={"kind": "noop", "scope": None}))
    checks = _first_opens_board(checks)
    public = _first_opens_board(public)

    questions = tuple(Question(id=s.name, title=s.name, points=round(s.possible * scale, 6), graded="auto")
                      for s in specs)
    helpers = types.ModuleType("autograder_otter_helpers", "judges of otter test files (autograder.otter.model)")
    helpers.judge_otter = judge_otter
    warnings = _warnings(source)
    return OtterAssignment(
        id=source.name, title=str(ours.get("title") or source.name), language="en", root=source.path,
        starter=str(ours.get("starter") or f"{source.name}.ipynb"), questions=questions, checks=tuple(checks),
        helpers=helpers, solution_dir=None, limits=limits, preload=_preload(ours, source, specs, config),
        hidden_visibility="hidden", settings={"otter_config": dict(config), OUR_KEY: ours, "otter_source": source.kind},
        source=source.path, source_kind=source.kind, otter_public_checks=tuple(public),
        fingerprint_files=source.fingerprint_files, warnings=warnings, requirements=source.pip_requirements,
    )


def _check(spec: TestFileSpec, cases: tuple[int, ...], *, mode: str, scale: float, timeout: float, check_id: str,
           name: str, visibility: str) -> OtterCheck:
    chosen = [spec.cases[i] for i in cases]
    points = sum(c.points for c in chosen) * scale
    return OtterCheck(
        id=check_id, question=spec.name, points=round(points, 6), name=name, target=f"test {spec.name}", call=False,
        hidden=any(c.hidden for c in chosen), kind="property", expect="none", timeout=timeout,
        visibility=visibility, options={"using": "judge_otter", "given": {"plan": Plan(mode, spec, cases)}},
        payload=_payload(spec, chosen))


def _first_opens_board(checks: list[OtterCheck]) -> list[OtterCheck]:
    return [replace(c, opens_board=True) if i == 0 else c for i, c in enumerate(checks)]


def _payload(spec: TestFileSpec, cases: list[Case]) -> dict:
    """What the sandbox gets: these cases' code, nothing else of the file (no expected output)."""
    if spec.kind == "ok":
        wire = [{"name": spec.doctest_name(c),
                 "examples": [{"source": e.source, "skip": skipped(e)} for e in c.examples]} for c in cases]
        kind = "doctest"
    else:
        wire = [{"name": c.name, "filename": spec.path, "source": spec.case_source(c)} for c in cases]
        kind = "exception"
    return {"kind": kind, "scope": spec.key, "snapshot": spec.key, "cases": wire}


def _our_options(config: dict, source: OtterSource) -> dict:
    ours = config.get(OUR_KEY) or {}
    if not isinstance(ours, dict):
        raise ConfigError(f"{source.path}: otter_config.json's {OUR_KEY!r} must be an object")
    unknown = set(ours) - _OUR_OPTIONS
    if unknown:
        raise ConfigError(f"{source.path}: unknown {OUR_KEY} option(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_OUR_OPTIONS))})")
    if not isinstance(ours.get("timeouts", {}), dict):
        raise ConfigError(f"{source.path}: {OUR_KEY}.timeouts must map test names to seconds")
    return dict(ours)


def _refuse_unsupported(config: dict, source: OtterSource) -> None:
    """Settings whose scores we cannot reproduce: refused loudly rather than graded differently."""
    problems = []
    if config.get("lang", "python") != "python":
        problems.append(f"lang {config.get('lang')!r} (only Python assignments are supported)")
    if config.get("score_threshold") is not None:
        problems.append("score_threshold (pass/fail grading)")
    if config.get("grade_from_log"):
        problems.append("grade_from_log (it grades an environment the student's notebook pickled)")
    if config.get("plugins"):
        problems.append("plugins")
    if problems:
        raise ConfigError(f"{source.path}: otter_config.json uses what this grader does not support: "
                          + "; ".join(problems))


def _limits(ours: dict, source: OtterSource) -> Limits:
    raw = ours.get("limits") or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source.path}: {OUR_KEY}.limits must be an object")
    known = {f.name for f in fields(Limits)}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"{source.path}: unknown limit(s) {', '.join(sorted(unknown))}")
    try:
        return replace(DEFAULT_LIMITS, **{k: type(getattr(DEFAULT_LIMITS, k))(v) for k, v in raw.items()})
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{source.path}: bad limits ({e})") from None


def _preload(ours: dict, source: OtterSource, specs: list[TestFileSpec], config: dict) -> tuple[str, ...]:
    """numpy, the libraries the assignment mentions (imported once per fork server), the sandbox side."""
    wanted = ["numpy", *[str(m) for m in ours.get("preload") or []]]
    text = source.requirements + "\n" + "\n".join(s.source or "\n".join(c.body for c in s.cases) for s in specs)
    # a listed package is preloaded too: the servers run the environment it is installed in
    listed = {re.split(r"[^A-Za-z0-9._-]", line, maxsplit=1)[0].lower() for line in source.pip_requirements}
    for mention, module in _PRELOADABLE.items():
        if re.search(rf"(?<![\w.-]){re.escape(mention)}(?![\w-])", text) and module not in wanted \
                and (mention in listed or importlib.util.find_spec(module.split(".")[0]) is not None):
            wanted.append(module)
    wanted += SANDBOX_MODULES
    seed = config.get("seed")
    if seed is not None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ConfigError(f"{source.path}: seed must be a non-negative integer")
        variable = config.get("seed_variable")
        if variable is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(variable)):
            raise ConfigError(f"{source.path}: seed_variable must be a Python name")
        wanted.append(f"autograder.otter.seed_{seed}" + (f"__{variable}" if variable else ""))
    return tuple(dict.fromkeys(wanted))


def _warnings(source: OtterSource) -> tuple[str, ...]:
    found = []
    if source.support_files:
        found.append(f"{source.path}: support files ({', '.join(source.support_files[:5])}"
                     f"{'...' if len(source.support_files) > 5 else ''}) are not copied beside submissions "
                     "by this grader; code that reads them will fail")
    for text in found:
        if text not in _warned:
            _warned.add(text)
            print(f"warning: {text}", file=sys.stderr)
    return tuple(found)


# --------------------------------------------------------------------------- judging


def judge_otter(answer: Any, *, args: tuple, given: dict) -> Comparison:
    """The check's verdict and otter's score, from the plain data the sandbox sent back."""
    plan: Plan = given["plan"]
    board = args[0] if args and isinstance(args[0], dict) else {}
    if plan.mode == "summary":
        return _judge_summary(plan, board)
    spec = plan.spec
    reported = answer.get("cases") if isinstance(answer, dict) else None
    if not isinstance(reported, list) or len(reported) != len(plan.cases):
        return Comparison(False, _verbatim("the sandbox did not report this test's cases"), 0.0)
    outcomes = [(spec.cases[i], *_judge_case(spec, spec.cases[i], r)) for i, r in zip(plan.cases, reported)]
    board.setdefault(spec.name, {}).update({case.index: (ok, detail) for case, ok, detail in outcomes
                                            if not case.hidden})
    passed_all = all(ok for _, ok, _ in outcomes)
    possible = sum(case.points for case, _, _ in outcomes)
    if spec.all_or_nothing:
        earned = possible if passed_all else 0.0
    else:
        earned = sum(case.points for case, ok, _ in outcomes if ok)
    fraction = earned / possible if possible > 0 else (1.0 if passed_all else 0.0)
    return Comparison(passed_all, _verbatim(_report(spec, outcomes)), fraction)


def _judge_case(spec: TestFileSpec, case: Case, result: Any) -> tuple[bool, str]:
    if not isinstance(result, dict):
        return False, "no result was reported for this case"
    if "timeout" in result:
        return False, f"the case did not finish within its time limit ({_seconds(result['timeout'])} s)"
    if spec.kind == "ok":
        return judge_examples(case.examples, result.get("examples"))
    if result.get("passed") is True:
        return True, ""
    if result.get("refused"):
        return False, f"Refused: {str(result['refused'])[:500]}"
    setup = result.get("setup_error")
    if isinstance(setup, dict):
        return False, f"The test file could not run: {setup.get('type')}: {setup.get('message')}"
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    return False, _exception_message(spec, error)


def _exception_message(spec: TestFileSpec, error: dict) -> str:
    """otter's ``ExceptionTestFile._generate_error_message`` (no context lines)."""
    kind = str(error.get("type", "Exception"))
    message = str(error.get("message", "")).strip("'")
    line = error.get("line")
    lines = spec.source.split("\n")
    if isinstance(line, int) and 1 <= line <= len(lines):
        return f"Error at line {line} in test {spec.name}:\n{indent(lines[line - 1], '  ')}\n{kind}: {message}"
    return f"Error in test {spec.name}:\n{kind}: {message}"


def _report(spec: TestFileSpec, outcomes: list) -> str:
    """otter's ``TestFile.summary``; hidden cases say that they failed, not how."""
    if all(ok for _, ok, _ in outcomes):
        lines = [f"{spec.name} results: All test cases passed!"]
        lines += [f"{c.name} message: {c.success_message}" for c, _, _ in outcomes if c.success_message is not None]
        return "\n".join(lines)
    parts = []
    for case, ok, detail in outcomes:
        text = ""
        if ok and case.success_message is not None:
            text += f"{case.name} message: {case.success_message}\n\n"
        if not ok and case.failure_message is not None:
            text += f"{case.name} message: {case.failure_message}\n\n"
        text += f"{case.name} result:\n"
        if ok:
            body = "✅ Test case passed"
        elif case.hidden:
            body = "❌ Test case failed (a hidden test: its details are not shown)"
        else:
            body = "❌ Test case failed\n" + detail.strip()
        parts.append(text + indent(body, "    "))
    return f"{spec.name} results:\n" + indent("\n\n".join(parts), "    ")


def _judge_summary(plan: Plan, board: dict) -> Comparison:
    """otter's "Public Tests" entry: ``GradingResults.summary(public_only=True)``."""
    passed = True
    parts = []
    for spec in plan.specs:
        cases = [c for c in spec.cases if not c.hidden]
        seen = board.get(spec.name, {})
        outcomes = []
        for case in cases:
            if case.index in seen:
                ok, detail = seen[case.index]
            else:
                ok, detail = False, "not run: the test's request did not complete"
            outcomes.append((case, ok, detail))
        passed = passed and all(ok for _, ok, _ in outcomes)
        parts.append(_report(spec, outcomes))
    return Comparison(passed, _verbatim("\n\n".join(parts)), 1.0 if passed else 0.0)


def _verbatim(text: str) -> Message:
    """A message shown as it is: an unknown key renders as itself (see messages.render)."""
    return Message(text.replace("{", "{{").replace("}", "}}") or " ")


def _seconds(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "?"
