"""Peak memory and time of one Gradescope run (`run_autograder`) per assignment.

    .venv/bin/python benchmarks/bench_container.py

Builds each assignment's autograder zip, lays out a fake /autograder tree in a temporary
folder with the solution (or an example) as the submission, runs `run_autograder` the way
Gradescope does, and samples the PSS of the whole process tree (grader, sandbox workers,
student process). Gradescope's default budget is 768 MB and 0.5 vCPU.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_grade import tree_pss  # noqa: E402

from autograder.assignment import list_assignments, load_assignment  # noqa: E402
from autograder.packaging import build  # noqa: E402


def run_once(assignment_id: str, submission: Path, venv: Path) -> tuple[float, int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "autograder"
        with zipfile.ZipFile(build(load_assignment(assignment_id), out=Path(tmp) / "a.zip")) as z:
            z.extractall(root / "source")
        shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
        os.chmod(root / "run_autograder", 0o755)
        (root / "submission").mkdir()
        shutil.copy(submission, root / "submission" / load_assignment(assignment_id).starter)
        (root / "results").mkdir()
        env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_VENV": str(venv)}
        peak = 0
        started = time.perf_counter()
        proc = subprocess.Popen([str(root / "run_autograder")], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        while proc.poll() is None:
            peak = max(peak, tree_pss(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - started
        score = json.loads((root / "results" / "results.json").read_text())["score"]
        return wall, peak, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    args = parser.parse_args()
    print(f"{'assignment':26s} {'submission':18s} {'score':>6s} {'wall s':>7s} {'peak MiB':>9s}")
    for path in list_assignments():
        a = load_assignment(path)
        hostile = next(iter(sorted((a.root / "examples").glob("hostile*.py"))), None)
        for sub in [a.solution_file] + ([hostile] if hostile else []):
            wall, peak, score = run_once(a.id, sub, args.venv)
            print(f"{a.id:26s} {sub.stem:18s} {score:6g} {wall:7.2f} {peak / 2**20:9.0f}", flush=True)


if __name__ == "__main__":
    main()
