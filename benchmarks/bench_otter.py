"""Benchmark: otter notebooks graded by us and by `otter run`, same submissions, one run.

    .venv/bin/python benchmarks/bench_otter.py -n 24 --jobs 2

The class is made of the otter fixture notebooks (tests/fixtures/otter/demo/submissions):
mostly complete or partly wrong, a few broken, one slow (4 s on a hidden input), two hostile.
The autograder zip is built by the real `otter generate`. Ours: the batch command's code path
(`grade_batch`, `jobs` processes, isolation on, worker start-up included). otter: `otter run`'s
Python API (`otter.run.main`: a fresh grading folder and Jupyter kernel per submission), in
`jobs` processes at once, each importing otter once (the `otter run` command pays that import,
~2.5 s, for every submission: not counted here). Both walls include everything else.

Also printed: per-question agreement between the two (otter with numpy-1 scalar reprs, as the
test files were written; differences are expected on the hostile submissions only).
Not a test: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignment import load_assignment  # noqa: E402
from autograder.batch import default_jobs, grade_batch  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "otter"
WEIGHTS = {"perfect": 8, "partial": 8, "broken": 2, "slow": 1, "hostile_patch": 1, "hostile_tricks": 1}  # 21


def _harness():
    spec = importlib.util.spec_from_file_location("otter_harness", FIX / "otter_harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_class(n: int, folder: Path) -> list[Path]:
    pool = [name for name, weight in WEIGHTS.items() for _ in range(weight)]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        name = pool[(i * 5) % len(pool)]  # 5 is prime to len(pool): every kind, spread through the class
        dest = folder / f"student{i:03d}_{name}.ipynb"
        shutil.copy(FIX / "demo" / "submissions" / f"{name}.ipynb", dest)
        paths.append(dest)
    return paths


def bench_ours(autograder_zip: Path, folder: Path, out: Path, jobs: int) -> tuple[float, dict]:
    assignment = load_assignment(autograder_zip)
    started = time.perf_counter()
    outcome = grade_batch(assignment, [folder], out=out, jobs=jobs, force=True)
    wall = time.perf_counter() - started
    scores = {r.submission: {q.id: q.score for q in r.questions} for r in outcome.results}
    latencies = sorted(r.execution_time for r in outcome.results)
    return wall, {"scores": scores, "p50": statistics.median(latencies), "max": latencies[-1]}


def bench_otter(autograder_zip: Path, subs: list[Path], jobs: int) -> tuple[float, dict]:
    harness = _harness()
    chunks = [subs[i::jobs] for i in range(jobs) if subs[i::jobs]]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        parts = list(pool.map(lambda chunk: harness.run_scores(
            [{"key": p.stem, "autograder": autograder_zip, "submission": p, "numpy1": True} for p in chunk]), chunks))
    wall = time.perf_counter() - started
    merged = {k: v for part in parts for k, v in part.items()}
    latencies = sorted(v["seconds"] for v in merged.values())
    return wall, {"scores": {k: v["scores"] for k, v in merged.items()}, "p50": statistics.median(latencies),
                  "max": latencies[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=24, help="submissions (default 24)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="parallel graders, for both (default: cores)")
    args = parser.parse_args()
    harness = _harness()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        autograder_zip = harness.generate(FIX / "demo" / "tests", FIX / "demo" / "otter_config.json",
                                          tmp / "demo-autograder.zip")
        subs = make_class(args.n, tmp / "class")
        ours_wall, ours = bench_ours(autograder_zip, tmp / "class", tmp / "out", args.jobs)
        otter_wall, otter = bench_otter(autograder_zip, subs, args.jobs)
    n = len(subs)
    agree = [s for s in ours["scores"] if all(abs(ours["scores"][s][q] - otter["scores"][s][q]) < 1e-5
                                             for q in otter["scores"][s])]
    differ = sorted({s.split("_", 1)[1] for s in ours["scores"] if s not in agree})
    print(f"otter notebooks: {n} submissions, {args.jobs} jobs, cpu {os.cpu_count()}")
    print(f"{'grader':12s} {'wall s':>7s} {'subs/s':>7s} {'p50 s':>6s} {'max s':>6s}")
    print(f"{'ours':12s} {ours_wall:7.1f} {n / ours_wall:7.2f} {ours['p50']:6.2f} {ours['max']:6.2f}")
    print(f"{'otter run':12s} {otter_wall:7.1f} {n / otter_wall:7.2f} {otter['p50']:6.2f} {otter['max']:6.2f}")
    print(f"ratio        ours is {otter_wall / ours_wall:.1f}x faster (throughput)")
    print(f"scores       identical per question on {len(agree)}/{n} submissions; "
          f"different on: {', '.join(differ) or 'none'} (hostile tricks ours refuses)")


if __name__ == "__main__":
    main()
