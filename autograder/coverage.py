"""Which auto-graded questions have a public check that can fail on a wrong value.

A public check that only tests the form of an answer (a shape, keys, "a whole number", "a
formula in x and H") passes every wrong answer of the right form: a student who passes it learns
nothing. :func:`public_coverage` finds, per question, whether some public check rejects the
solution's own answer made wrong *without changing its form*: a number +1, doubled or negated, an
array shifted or with one entry changed, a formula doubled or shifted by 1, one value of a dict
changed, a word changed. The solution's answers are computed in the grader (as references are),
and the checks judged on plain data: milliseconds per assignment, so ``autograder validate``
always reports it.

This is a rule about checks, not about students: a check that rejects one such change can fail
on a wrong value. How many realistic mistakes the public checks catch is what ``validate
--strength`` measures (the share of the solution's wrong variants some public check rejects,
beside the share all checks reject).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterator

import numpy as np

from autograder.assignment import Assignment
from autograder.checks import Check, judge


@dataclass(frozen=True)
class QuestionCoverage:
    question: str
    #: the ids of the question's public checks
    public: tuple[str, ...]
    #: those that rejected a wrong value of the solution's form
    value_checks: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.value_checks)


def public_coverage(assignment: Assignment) -> list[QuestionCoverage]:
    """One row per auto-graded question: its public checks, and those able to fail on a wrong value.

    >>> [row.question for row in public_coverage(load_assignment("ift6135-h20-hw1")) if not row.covered]
    []
    """
    from autograder.references import References

    references = References(assignment)
    rows = []
    for question in assignment.questions:
        if question.graded != "auto":
            continue
        public = [c for c in assignment.public_checks if c.question == question.id]
        rows.append(QuestionCoverage(question.id, tuple(c.id for c in public),
                                     tuple(c.id for c in public if _fails_on_a_wrong_value(assignment, c, references))))
    return rows


def uncovered(rows: list[QuestionCoverage]) -> list[QuestionCoverage]:
    return [row for row in rows if not row.covered]


def _fails_on_a_wrong_value(assignment: Assignment, check: Check, references: Any) -> bool:
    expected = check.expected_value if check.expect == "value" else None
    for args in check.inputs(assignment.helpers, 0):
        right = references.answer(check, args)
        # the solution's other answers stay right: the check must catch this one being wrong
        also = {name: references.answer(replace(check, id=f"{check.id}@{name}", target=name), args)
                for name in check.also}
        if not _judge(assignment, check, right, expected, args, also).ok:
            continue  # the solution fails it here: validate says so; nothing to learn from this case
        if any(not _judge(assignment, check, wrong, expected, args, also).ok for wrong in wrong_values(right)):
            return True
    return False


def _judge(assignment: Assignment, check: Check, answer: Any, expected: Any, args: tuple, also: dict) -> Any:
    # a fixed generator: a property that draws numbers judges every answer on the same draws
    return judge(check, answer, expected, args=args, helpers=assignment.helpers, rng=np.random.default_rng(0),
                 also=also)


def wrong_values(value: Any) -> Iterator[Any]:
    """Wrong answers of the same form as ``value`` (plain data: numbers, arrays, lists, dicts,
    strings): each differs from it in value only.

    >>> list(wrong_values(3))
    [4, 6, -3]
    """
    if isinstance(value, (bool, np.bool_)):
        yield not value
    elif isinstance(value, (int, np.integer)):
        v = int(value)
        yield from dict.fromkeys(w for w in (v + 1, 2 * v, -v) if w != v)
    elif isinstance(value, (float, np.floating)):
        v = float(value)
        yield from dict.fromkeys(w for w in (v + 1.0, 2 * v, -v, 1.1 * v) if w != v)
    elif isinstance(value, str):
        if _formula_like(value):
            yield f"2*({value})"
            yield f"({value}) + 1"
        else:
            yield value + "_"
    elif isinstance(value, dict):
        for key in list(value)[:8]:
            for wrong in _first(wrong_values(value[key]), 2):
                yield {**value, key: wrong}
    elif isinstance(value, (list, tuple, np.ndarray)):
        array = _numeric(value)
        if array is not None and array.size:
            yield from (array + 1.0, 2 * array, _with_first_changed(array))
            if array.ndim == 2 and array.shape[0] == array.shape[1]:
                yield array.T.copy()
        elif len(value):
            items = list(value)
            for index in range(min(len(items), 4)):
                for wrong in _first(wrong_values(items[index]), 2):
                    yield type(value)(items[:index] + [wrong] + items[index + 1:]) if isinstance(value, (list, tuple)) \
                        else items[:index] + [wrong] + items[index + 1:]


def _first(values: Iterator[Any], n: int) -> list[Any]:
    found = []
    for value in values:
        found.append(value)
        if len(found) == n:
            break
    return found


def _numeric(value: Any) -> np.ndarray | None:
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind not in "iufc" or not np.all(np.isfinite(array)):
        return None
    return array.astype(complex if array.dtype.kind == "c" else float)


def _with_first_changed(array: np.ndarray) -> np.ndarray:
    changed = array.copy()
    flat = changed.reshape(-1)
    flat[0] = flat[0] + 1.0
    return changed


def _formula_like(text: str) -> bool:
    from autograder.strength import _is_formula

    return _is_formula(text)
