"""The racing submission of tests/test_container.py, run many times under the Gradescope emulation.

    sudo .venv/bin/python benchmarks/race_user_mode.py --runs 30
    sudo .venv/bin/python benchmarks/race_user_mode.py --runs 10 --project /path/to/an/older/checkout

Gradescope's conditions, emulated: root without CAP_SYS_ADMIN (capsh), a private mount namespace
that hides this repository, /autograder/source locked to root, the ``user`` isolation. The
submission answers nothing right; it double-forks a non-dumpable process that re-forks every
millisecond, plants links to the solution, the checks and results.json in every folder of /tmp
it can write, and kill(-1)s its uid. Each run reports its score, whether any of the
submission's code ran as root, whether the solution or checks changed, and whether a process
of a sandbox user outlived the grading. ``--project`` builds the image from another checkout
(to see the attack succeed against code from before the fix).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--project", type=Path, default=HERE, help="the checkout whose grader is attacked")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("error: the emulation needs root (as Gradescope's grader)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(args.project))
    sys.path.insert(0, str(HERE / "tests"))
    from test_container import RACER  # the attack, as the suite has it

    from autograder.assignment import load_assignment
    from autograder.packaging import build

    assignment = load_assignment("ift6135-h20-hw1")
    work = Path(tempfile.mkdtemp(prefix="race-image-"))
    work.chmod(0o711)
    try:
        venv = _install(build(assignment, out=work / "autograder.zip"), work)
        bad = 0
        for run in range(args.runs):
            verdict = _attack(work / f"run{run}", venv, assignment, RACER, args.project)
            bad += verdict["lost"]
            print(f"run {run + 1:3d}: score {verdict['score']:g}, as root: {verdict['root']}, "
                  f"solution changed: {verdict['changed']}, survivors: {verdict['survivors']}, "
                  f"racer rounds seen: {verdict['rounds']}", flush=True)
        print(f"{bad} of {args.runs} runs subverted the grader")
        return 1 if bad else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _install(zip_path: Path, work: Path) -> Path:
    source = work / "image" / "source"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(source)
    venv = work / "venv"
    env = {**os.environ, "AUTOGRADER_GRADESCOPE": "1", "AUTOGRADER_VENV": str(venv), "TORCH_INDEX_URL": ""}
    subprocess.run(["bash", str(source / "setup.sh")], env=env, check=True, capture_output=True, timeout=900)
    return venv


def _attack(folder: Path, venv: Path, assignment, racer: str, project: Path) -> dict:
    from autograder.packaging import build

    root = folder / "autograder"
    mark = Path(tempfile.mktemp(prefix="race-mark-", dir="/tmp"))
    mark.touch()
    mark.chmod(0o666)
    solution = root / "source" / "solutions" / assignment.id / assignment.starter
    helpers = root / "source" / "assignments" / assignment.id / "checks" / "helpers.py"
    results = root / "results" / "results.json"
    source = racer.format(mark=str(mark), targets=[str(solution), str(helpers), str(results)],
                          starter=assignment.starter)
    with zipfile.ZipFile(build(assignment, out=folder / "autograder.zip")) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    (root / "submission" / assignment.starter).write_text(source)
    (root / "results").mkdir()
    subprocess.run(["chmod", "-R", "go-rwx", str(root / "source")], check=True)
    before = [hashlib.sha256(p.read_bytes()).digest() for p in (solution, helpers)]
    script = (f"mount -t tmpfs tmpfs {project} && "
              f"exec capsh --drop=cap_sys_admin -- -c 'exec {root / 'run_autograder'}'")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_VENV": str(venv), "AUTOGRADER_ISOLATION": "user"}
    proc = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], env=env,
                          capture_output=True, text=True, timeout=300, cwd=root / "submission")
    if os.environ.get("RACE_VERBOSE"):
        print(proc.stdout[-3000:], proc.stderr[-3000:])
    import json
    import time

    time.sleep(0.5)  # what survived, if anything, shows itself
    try:
        score = json.loads(results.read_text())["score"] if results.is_file() and not results.is_symlink() else -1
    except ValueError:
        score = -1
    notes = mark.read_text()
    mark.unlink()
    survivors = _survivors({int(u) for u in re.findall(r" uid=(\d+)", notes)})
    changed = before != [hashlib.sha256(p.read_bytes()).digest() for p in (solution, helpers)]
    root_ran = "uid=0" in notes or "euid=0" in notes
    return {"score": score, "root": root_ran, "changed": changed, "survivors": len(survivors),
            "rounds": notes.count("alive"), "lost": bool(score > 0 or root_ran or changed or survivors)}


def _survivors(uids: set[int]) -> list[int]:
    """Processes of the uids the submission ran as still alive (killed here, after counting)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            line = next((ln for ln in status.splitlines() if ln.startswith("Uid:")), "")
            if uids & {int(u) for u in line.split()[1:]} and "State:\tZ" not in status:
                found.append(int(entry))
    for pid in found:
        if os.environ.get("RACE_VERBOSE"):
            try:
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
                print("survivor", pid, [ln for ln in status if ln.startswith(("Name", "State", "Uid", "PPid"))],
                      Path(f"/proc/{pid}/cmdline").read_bytes()[:200])
            except OSError:
                pass
        try:
            os.kill(pid, 9)
        except OSError:
            continue
    return found


if __name__ == "__main__":
    sys.exit(main())
