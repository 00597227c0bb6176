"""Reference answers, computed by running the solution in the grader (trusted code).

The solution is ``solutions/<id>/<starter>``: a complete submission that scores full marks.
Its answers go through the same plain-data conversion as a student's, so both sides of a
comparison have the same types. Answers are memoised per request, so fixed cases are
computed once per batch and generated cases once per submission.
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType
from typing import Any

from autograder.assignment import Assignment
from autograder.checks import Check
from autograder.errors import ConfigError
from autograder.plaindata import convert, dumps, normalize, to_plain


class References:
    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        self._module: ModuleType | None = None
        self._memo: dict[str, Any] = {}

    def answer(self, check: Check, args: tuple, *, memo: bool = True) -> Any:
        """The solution's answer to the request ``check`` makes with ``args``.

        ``memo=False`` for inputs drawn for one submission: no other submission asks them,
        and building the memo key costs more than the solution's call.
        """
        if not memo:
            return self._compute(check, args)
        key = json.dumps([check.target, check.call, check.convert, dumps(to_plain(list(args)))])
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
