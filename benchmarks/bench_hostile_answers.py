"""Benchmark: the grader's own memory and time when submissions return as much as they can.

    .venv/bin/python benchmarks/bench_hostile_answers.py            # 8 of each hostile kind + 8 honest, --jobs 2
    .venv/bin/python benchmarks/bench_hostile_answers.py -n 2

Hostile kinds, for ift6135-h20-hw1 (every one answers every request it can):
- ``big_lists``: two answers that are Python lists of 30 million floats;
- ``area_lines``: lines written straight into the shared answer area (found through the
  child's frames), one per request, each a list of small floats just under the per-answer
  limit, as many as fit;
- ``area_huge``: one line per request far over the per-answer limit;
- ``area_deep``: one line per request nested 200,000 levels deep.
Prints the batch's wall time, the peak memory (PSS) of the grader's own processes (target:
within 1.5 GB) and of the whole tree (with the sandbox servers and the students' processes,
each bounded by its own limits), and the scores: the honest ones must be full.
Not a test: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_grade import TreeMemory  # noqa: E402

from autograder.assignment import load_assignment  # noqa: E402
from autograder.batch import grade_batch  # noqa: E402

AREA = '''
import sys


def _child_locals():
    frame = sys._getframe()
    while frame is not None and "area" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals


def _flood():
    found = _child_locals()
    area, requests = found["area"], found["job"]["requests"]
    for request in requests:
        rid = request["id"].encode()
        if not area.append(b'{{"id":"' + rid + b'","value":' + {payload} + b'}}\\n'):
            break


_flood()
'''

KINDS = {
    "big_lists": "BIG = [0.5] * 30_000_000\nBIG2 = [0.25] * 30_000_000\n"
                 "def softmax(x):\n    return BIG\ndef conv1d(*a):\n    return BIG2\n",
    "area_lines": AREA.format(payload='b"[" + b"0.5," * ((4 * 2**20 - 64) // 4) + b"1]"'),
    "area_huge": AREA.format(payload='b"[" + b"0.5," * (20 * 2**20 // 4) + b"1]"'),
    "area_deep": AREA.format(payload='b"[" * 200_000 + b"]" * 200_000'),
}


def sandbox_side(command: bytes) -> bool:
    """A sandbox server (and the students' processes under it, bounded by their own limits): not
    the grader's own memory."""
    return b"autograder._worker" in command or command.startswith(b"bwrap")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=8, help="submissions of each kind")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    assignment = load_assignment("ift6135-h20-hw1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        for i in range(args.n):
            (folder / f"honest{i}.py").write_text(assignment.solution_file.read_text())
            for kind, source in KINDS.items():
                (folder / f"{kind}{i}.py").write_text(source)
        started = time.monotonic()
        with TreeMemory() as memory, TreeMemory(skip=sandbox_side) as grader:
            outcome = grade_batch(assignment, [folder], out=Path(tmp) / "out", jobs=args.jobs)
        wall = time.monotonic() - started
    scores: dict[str, list[float]] = {}
    for r in outcome.results:
        scores.setdefault(r.submission.rstrip("0123456789"), []).append(r.score)
    print(f"{len(outcome.results)} submissions, --jobs {args.jobs}: {wall:.1f} s; peak memory: "
          f"the grader's processes {grader.peak / 2**20:.0f} MiB (target < 1536), "
          f"with the sandboxes and students' processes {memory.peak / 2**20:.0f} MiB")
    for kind, values in sorted(scores.items()):
        print(f"  {kind:12s} scores {sorted(set(values))}")
    honest = scores.get("honest", [])
    if any(s != assignment.auto_points for s in honest):
        print("FAIL: an honest submission lost points beside the hostile ones")
        sys.exit(1)


if __name__ == "__main__":
    main()
