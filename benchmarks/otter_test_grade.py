"""otter's own grading fixtures, graded by `otter run` and by us, scores side by side.

    .venv/bin/python benchmarks/otter_test_grade.py PATH/TO/otter-grader/test/test_grade/files

The folder is otter-grader's ``test/test_grade/files`` (a snapshot of its public repository:
nothing of it is copied here). Its ``tests/`` and ``requirements.txt`` (tqdm, matplotlib, numpy)
become an autograder zip made by the real ``otter generate``; every notebook of ``notebooks/``
is then graded:

- by us: the batch command's code path, which installs the zip's requirements into the
  assignment's environment (once, cached; see ``autograder/otter/environment.py``);
- by ``otter run`` (its Python API, a fresh kernel per notebook), run with that same
  environment's interpreter, so that otter has the requirements as its own image would.

Prints one line per notebook (each test file's score, ours then otter's) and whether every
score is equal. Exit code 1 when one differs.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignment import load_assignment  # noqa: E402
from autograder.batch import default_jobs, grade_batch  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "otter"


def _harness():
    spec = importlib.util.spec_from_file_location("otter_harness", FIX / "otter_harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare(files: Path, *, jobs: int, work: Path) -> tuple[list[str], dict, dict, float, float]:
    """Both graders on every notebook: (test names, ours, otter's, our wall, otter's wall)."""
    harness = _harness()
    autograder_zip = harness.generate(files / "tests", files / "otter_config.json", work / "autograder.zip",
                                      files / "requirements.txt")
    assignment = load_assignment(autograder_zip)
    notebooks = sorted((files / "notebooks").glob("*.ipynb"))
    started = time.perf_counter()
    python = assignment.sandbox_python()  # the environment, made here when not cached yet
    outcome = grade_batch(assignment, [files / "notebooks"], out=work / "out", jobs=jobs, force=True)
    ours_wall = time.perf_counter() - started
    ours = {r.submission: {q.id: q.score for q in r.questions} for r in outcome.results}
    started = time.perf_counter()
    # otter's tests were written for numpy 2 reprs here (q4 expects np.True_): no numpy-1 startup
    theirs = {key: value["scores"] for key, value in harness.run_scores(
        [{"key": nb.stem, "autograder": autograder_zip, "submission": nb, "numpy1": False} for nb in notebooks],
        python=python).items()}
    otter_wall = time.perf_counter() - started
    names = [q.id for q in assignment.questions]
    return names, ours, theirs, ours_wall, otter_wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, help="otter-grader's test/test_grade/files folder")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="our parallel graders (default: cores)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        names, ours, theirs, ours_wall, otter_wall = compare(args.files.resolve(), jobs=args.jobs, work=Path(tmp))
    width = max(len(n) for n in ours) + 2
    print(f"{'notebook':{width}s} " + " ".join(f"{n:>9s}" for n in names) + f" {'total':>11s}  same")
    differ = []
    for notebook in sorted(ours):
        mine, other = ours[notebook], theirs.get(notebook, {})
        same = set(mine) == set(other) and all(abs(mine[n] - other[n]) < 1e-6 for n in mine)
        if not same:
            differ.append(notebook)
        cells = " ".join(f"{mine.get(n, float('nan')):>4g}/{other.get(n, float('nan')):<4g}" for n in names)
        total = f"{sum(mine.values()):g}/{sum(other.values()):g}"
        print(f"{notebook:{width}s} {cells} {total:>11s}  {'yes' if same else 'NO'}")
    print(f"(each cell: ours/otter run)  {len(ours) - len(differ)}/{len(ours)} notebooks score the same; "
          f"ours {ours_wall:.1f} s, otter run {otter_wall:.1f} s")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
