"""Grade many submissions into a folder: ``DIR/results/<name>.json`` and ``DIR/grades.csv``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder.assignment import Assignment
from autograder.errors import UsageError
from autograder.grading import grade
from autograder.references import References
from autograder.report.gradebook import write_gradebook_csv
from autograder.report.gradescope import write_gradescope_json
from autograder.results import Results
from autograder.sandbox import Sandbox


def grade_batch(assignment: Assignment, inputs: list[Path], *, out: Path, sandbox: Sandbox,
                jobs: int = 1) -> list[Results]:
    """Grade every input (file, zip or folder of one submission) and write the results.

    ``jobs`` submissions are in flight at once (the sandbox should have as many workers);
    each result file is written as soon as its submission is graded.
    """
    missing = [str(p) for p in inputs if not Path(p).exists()]
    if missing:
        raise UsageError(f"submission not found: {missing[0]} (expected a .py, .ipynb, .zip or a folder)")
    references = References(assignment)
    seen: dict[str, int] = {}
    keyed = [(_unique(Path(path).stem, seen), Path(path)) for path in inputs]

    def one(item: tuple[str, Path]) -> Results:
        key, path = item
        results = grade(assignment, path, sandbox=sandbox, references=references, key=key)
        write_gradescope_json(results, out / "results" / f"{key}.json")
        return results

    if jobs <= 1:
        all_results = [one(item) for item in keyed]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            all_results = list(pool.map(one, keyed))
    write_gradebook_csv(all_results, out / "grades.csv")
    return all_results


def _unique(name: str, seen: dict[str, int]) -> str:
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name}-{seen[name]}"
