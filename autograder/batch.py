"""Grade many submissions into a folder: ``DIR/results/<name>.json`` and ``DIR/grades.csv``."""

from __future__ import annotations

from pathlib import Path

from autograder.assignment import Assignment
from autograder.errors import UsageError
from autograder.grading import grade
from autograder.references import References
from autograder.report.gradebook import write_gradebook_csv
from autograder.report.gradescope import write_gradescope_json
from autograder.results import Results
from autograder.sandbox import Sandbox


def grade_batch(assignment: Assignment, inputs: list[Path], *, out: Path, sandbox: Sandbox) -> list[Results]:
    """Grade every input (file, zip or folder of one submission) and write the results."""
    missing = [str(p) for p in inputs if not Path(p).exists()]
    if missing:
        raise UsageError(f"submission not found: {missing[0]} (expected a .py, .ipynb, .zip or a folder)")
    references = References(assignment)
    all_results = []
    seen: dict[str, int] = {}
    for path in inputs:
        key = _unique(Path(path).stem, seen)
        results = grade(assignment, Path(path), sandbox=sandbox, references=references, key=key)
        write_gradescope_json(results, out / "results" / f"{key}.json")
        all_results.append(results)
    write_gradebook_csv(all_results, out / "grades.csv")
    return all_results


def _unique(name: str, seen: dict[str, int]) -> str:
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name}-{seen[name]}"
