"""Reference answers, computed by running the solution in the grader (trusted code).

The solution is ``solutions/<id>/<starter>``: a complete submission that scores full marks.
Its answers go through the same plain-data conversion as a student's, so both sides of a
comparison have the same types. The answers to a check's fixed cases are kept, so they are
computed once per batch; generated cases once per submission.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

from autograder.assignment import Assignment
from autograder.checks import Check
from autograder.errors import ConfigError
from autograder.plaindata import convert, normalize


class References:
    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        self._module: ModuleType | None = None
        self._memo: dict[tuple[str, int], Any] = {}

    def answer(self, check: Check, args: tuple, *, case: int | None = None) -> Any:
        """The solution's answer to the request ``check`` makes with ``args``.

        ``case`` is the index of one of the check's fixed cases: those answers are the same for
        every submission and are kept. Inputs drawn for one submission (``case=None``) are
        computed each time: no other submission asks them.
        """
        if case is None:
            return self._compute(check, args)
        key = (check.id, case)
        if key not in self._memo:
            self._memo[key] = self._compute(check, args)
        return self._memo[key]

    def _compute(self, check: Check, args: tuple) -> Any:
        module = self.load()
        if not hasattr(module, check.target):
            raise ConfigError(f"the solution of {self.assignment.id} does not define {check.target!r} (check {check.id})")
        obj = getattr(module, check.target)
        try:
            value = obj(*[convert(normalize(a), check.convert) for a in args]) if check.call else obj
        except Exception as e:
            raise ConfigError(f"the solution's {check.target} failed on check {check.id} "
                              f"with {type(e).__name__}: {e}") from e
        return normalize(value)

    def load(self) -> ModuleType:
        """The solution module, imported on first use."""
        if self._module is None:
            path = self.assignment.solution_file
            if path is None:
                raise ConfigError(f"no solution for {self.assignment.id}: expected "
                                  f"solutions/{self.assignment.id}/{self.assignment.starter}")
            spec = importlib.util.spec_from_file_location(f"solution_{self.assignment.id.replace('-', '_')}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._module = module
        return self._module
