"""Self-checks of an assignment: the solution scores full marks, the examples score as documented."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.assignment import Assignment
from autograder.grading import grade
from autograder.references import References
from autograder.results import Results
from autograder.sandbox import Sandbox


@dataclass(frozen=True)
class ExampleOutcome:
    name: str
    results: Results
    expected: float | None

    @property
    def ok(self) -> bool:
        return self.expected is None or abs(self.results.score - self.expected) < 1e-6


def validate(assignment: Assignment, *, sandbox: Sandbox) -> list[ExampleOutcome]:
    """Grade the solution (it must get full marks) and every example (each must get its documented score)."""
    solution = assignment.require_solution()
    references = References(assignment)
    outcomes = [ExampleOutcome("solution", grade(assignment, solution, sandbox=sandbox,
                                                 references=references, key="solution"), assignment.auto_points)]
    for path, expected in example_files(assignment):
        results = grade(assignment, path, sandbox=sandbox, references=references, key=path.stem)
        outcomes.append(ExampleOutcome(path.stem, results, expected))
    return outcomes


def uncovered_questions(assignment: Assignment) -> list:
    """The auto-graded questions none of whose public checks can fail on a wrong value (see
    :mod:`autograder.coverage`); none for an assignment without a solution to make wrong values of."""
    from autograder.coverage import public_coverage, uncovered

    if assignment.solution_file is None:
        return []
    return uncovered(public_coverage(assignment))


def example_files(assignment: Assignment) -> list[tuple[Path, float | None]]:
    """The examples and their documented scores (``examples/expected.yaml``: name -> score)."""
    from autograder import yamldata

    folder = assignment.root / "examples"
    if not folder.is_dir():
        return []
    expected_path = folder / "expected.yaml"
    expected = yamldata.safe_load(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else {}
    found = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix not in (".py", ".ipynb", ".zip") or path.name.startswith("."):
            continue
        entry = (expected or {}).get(path.name)
        score = entry.get("score") if isinstance(entry, dict) else entry
        found.append((path, None if score is None else float(score)))
    return found
