"""Benchmark: grade N generated submissions through the CLI's code path, isolation on.

    .venv/bin/python benchmarks/bench_grade.py --assignment ift6135-h20-hw1 -n 200

Prints submissions per second, latency percentiles and the peak memory of the whole process
tree (grader + sandbox workers + student processes, proportional set size so pages shared
after fork are counted once). Not a test: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignment import load_assignment  # noqa: E402
from autograder.batch import grade_batch  # noqa: E402
from autograder.sandbox import Sandbox  # noqa: E402
from autograder.validation import example_files  # noqa: E402


def make_class(assignment, n: int, folder: Path) -> list[Path]:
    """A realistic mix of the examples: mostly complete or partly wrong, ~6% broken, ~2% hostile
    (infinite loops, fork bombs, os._exit: the slow ones)."""
    examples = [p for p, _ in example_files(assignment) if p.suffix == ".py"]
    weights = {"hostile": 1, "broken": 3}
    pool = []
    for p in examples:
        pool += [p] * weights.get(p.stem, 10)
    paths = []
    for i in range(n):
        src = pool[i % len(pool)]
        dest = folder / f"student{i:04d}_{src.stem}.py"
        shutil.copy(src, dest)
        paths.append(dest)
    return paths


class TreeMemory:
    """Samples the summed PSS of this process and all its descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_pss(os.getpid()))
            self._stop.wait(interval)


def tree_pss(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="ift6135-h20-hw1")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    assignment = load_assignment(args.assignment)
    with tempfile.TemporaryDirectory() as tmp, TreeMemory() as memory:
        subs = make_class(assignment, args.n, Path(tmp))
        with Sandbox(workers=args.jobs, preload=assignment.preload, limits=assignment.limits) as box:
            t0 = time.perf_counter()
            # start the workers (importing torch takes a second or two each)
            grade_batch(assignment, subs[: args.jobs], out=Path(tmp) / "warm", sandbox=box, jobs=args.jobs)
            t1 = time.perf_counter()
            results = grade_batch(assignment, subs, out=Path(tmp) / "out", sandbox=box, jobs=args.jobs)
            t2 = time.perf_counter()
        latencies = sorted(r.execution_time for r in results)
    q = statistics.quantiles(latencies, n=100)
    print(f"assignment      {assignment.id} ({box.isolation.mode} isolation, {args.jobs} jobs)")
    print(f"submissions     {len(results)}  (worker start-up {t1 - t0:.2f} s, not counted)")
    print(f"throughput      {len(results) / (t2 - t1):.1f} submissions/s")
    print(f"latency         p50 {q[49] * 1000:.0f} ms  p90 {q[89] * 1000:.0f} ms  p99 {q[98] * 1000:.0f} ms"
          f"  max {latencies[-1] * 1000:.0f} ms")
    print(f"peak memory     {memory.peak / 2**20:.0f} MiB (PSS of grader + workers + students)")


if __name__ == "__main__":
    main()
