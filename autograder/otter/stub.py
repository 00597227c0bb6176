"""What ``import otter`` gives a student's notebook inside the sandbox.

Preloaded by the fork server of otter assignments (``Assignment.preload``), so it is in place
before any student code runs; imported anywhere else it changes nothing. The real otter-grader
is never importable by the submission there: ``import otter.test_files`` fails, so a notebook
cannot patch otter's test runner (the grader does not use it anyway).

``otter.Notebook(...)`` and its methods are harmless: ``check_all``, ``export``, ``to_pdf`` do
nothing (as in otter's grading mode). ``check("q1")`` records a shallow copy of the caller's
globals: otter runs a question's tests when the notebook calls ``check``, so the grader runs
that question's cases against the globals as they were at that moment (see
:mod:`autograder.otter.runner`), and against the final state for questions never checked.

IPython puts ``display`` and ``get_ipython`` in the builtins of a notebook kernel; a notebook
that calls them without importing them would fail here, so harmless stand-ins are added when
absent.

otter's intercell seeding (``seed`` in otter_config.json) puts ``np.random.seed(N)`` and
``random.seed(N)`` (or ``VARIABLE = N`` with ``seed_variable``) before every cell. Here the
assignment preloads ``autograder.otter.seed_N`` (``seed_N__VARIABLE``), a name a finder of this
module answers: an audit hook then does the same just before each cell of the submission runs.

Standard library only (numpy and random are seeded through ``sys.modules``).
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import re
import sys
import types
from typing import Any

#: question name -> the notebook's globals when it called ``grader.check(question)`` (last call wins)
SNAPSHOTS: dict[str, dict] = {}


class _CheckResult:
    """Stands for otter's ``TestFile``: the real verdict is the grader's, after submission."""

    def __init__(self, question: str) -> None:
        self.name = question
        self.question = question

    def __repr__(self) -> str:
        return f"{self.name}: checked by the autograder"

    def __bool__(self) -> bool:
        return True


class Notebook:
    """``otter.Notebook`` for a notebook being graded: records checks, does nothing else."""

    _grading_mode = True

    def __init__(self, nb_path: Any = None, tests_dir: str = "./tests", tests_url_prefix: Any = None,
                 **kwargs: Any) -> None:
        self._notebook = nb_path
        self._tests_dir = tests_dir

    @classmethod
    def init_grading_mode(cls, tests_dir: str = "./tests") -> None:
        return None

    def check(self, question: Any, global_env: Any = None) -> _CheckResult:
        env = global_env if isinstance(global_env, dict) else sys._getframe(1).f_globals
        SNAPSHOTS[str(question)] = dict(env)
        return _CheckResult(str(question))

    def check_all(self, *args: Any, **kwargs: Any) -> None:
        return None

    def export(self, *args: Any, **kwargs: Any) -> None:
        return None

    def to_pdf(self, *args: Any, **kwargs: Any) -> None:
        return None

    def run_plugin(self, *args: Any, **kwargs: Any) -> None:
        return None

    def add_plugin_files(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Shell:
    """``get_ipython()`` of the stand-in kernel: every method exists and does nothing."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


def _display(*objs: Any, **kwargs: Any) -> None:
    return None


def _get_ipython() -> _Shell:
    return _Shell()


#: otter_config's seed: {"seed": N, "variable": name or None}; empty when not seeding
SEED: dict[str, Any] = {}
_SEED_MODULE = re.compile(r"autograder\.otter\.seed_(\d+)(?:__([A-Za-z_][A-Za-z0-9_]*))?")


class _SeedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import autograder.otter.seed_N[__VARIABLE]`` (how the preload list carries the seed)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if _SEED_MODULE.fullmatch(fullname):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        m = _SEED_MODULE.fullmatch(module.__name__)
        first = not SEED
        SEED.update(seed=int(m.group(1)), variable=m.group(2))
        if first:
            sys.addaudithook(_before_cell)


def _before_cell(event: str, args: tuple) -> None:
    """Audit hook: seed as otter does just before each of the submission's cells is executed."""
    if event != "exec" or not SEED:
        return
    try:
        code = args[0]
        if not isinstance(code, types.CodeType) or code.co_name != "<module>":
            return
        main = getattr(sys.modules.get("submission"), "__file__", None)
        if not main or not (code.co_filename == main or code.co_filename.startswith(main + ":")):
            return
        if SEED.get("variable"):
            sys.modules["submission"].__dict__[SEED["variable"]] = SEED["seed"]
        else:
            seed_generators()
    except Exception:  # noqa: BLE001 - an audit hook must never break the code it watches
        pass


def seed_generators() -> None:
    """``np.random.seed(N)`` and ``random.seed(N)``, as otter's seeding cell prefix does."""
    if not SEED or SEED.get("variable"):
        return
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(SEED["seed"])
    import random

    random.seed(SEED["seed"])


def install() -> None:
    """Make ``import otter`` (and ``from otter import Notebook``) give this stand-in."""
    module = types.ModuleType("otter", "otter-grader stand-in inside the autograder's sandbox")
    module.Notebook = Notebook
    module.__version__ = "0+autograder"
    module.__autograder_stub__ = True
    sys.modules["otter"] = module
    if not any(isinstance(f, _SeedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SeedFinder())
    for name, value in (("display", _display), ("get_ipython", _get_ipython)):
        if not hasattr(builtins, name):
            setattr(builtins, name, value)


def _in_sandbox_worker() -> bool:
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return getattr(spec, "name", None) == "autograder._worker"


if _in_sandbox_worker():
    install()
