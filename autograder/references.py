"""Reference answers, computed by running the solution in the grader (trusted code).

The solution is ``solutions/<id>/<starter>``: a complete submission that scores full marks.
Its answers go through the same plain-data conversion as a student's, so both sides of a
comparison have the same types. The answers to a check's fixed cases are kept, so they are
computed once per batch, and so are those to a shared set of generated inputs (see
:func:`autograder.checks.draw_key`); inputs drawn for one submission alone are not kept.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

from autograder.assignment import Assignment
from autograder.checks import Check, draws_kept
from autograder.errors import ConfigError
from autograder.plaindata import convert, normalize


class References:
    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        self._module: ModuleType | None = None
        self._memo: dict[tuple[str, str | None, int], Any] = {}

    def answer(self, check: Check, args: tuple, *, case: int | None = None, draw: str | None = None) -> Any:
        """The solution's answer to the request ``check`` makes with ``args``, its ``case``-th.

        The answers to fixed cases are the same for every submission, and those to a shared set
        of draws (``draw``, a :func:`~autograder.checks.draw_key`) for every submission that gets
        it: both are kept. Without ``case``, or for a generated case drawn for one submission
        alone (no ``draw``, or ``variants: 0``), the answer is computed each time: no other
        submission asks it.
        """
        fixed = len(check.cases) if check.call else 1
        if case is None or case >= fixed and (draw is None or not draws_kept(check, self.assignment.variants)):
            return self._compute(check, args)
        key = (check.id, draw if case >= fixed else None, case)
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
            path = self.assignment.require_solution()
            spec = importlib.util.spec_from_file_location(f"solution_{self.assignment.id.replace('-', '_')}", path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except Exception as e:
                raise ConfigError(f"the solution of {self.assignment.id} ({path.name}) raised "
                                  f"{type(e).__name__} when imported: {e}") from e
            self._module = module
        return self._module
