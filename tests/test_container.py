"""Gradescope's contract, simulated: a fake /autograder tree in a temporary folder, the zip's
own setup.sh run for real (into a venv of its own), then run_autograder against it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder.assignment import list_assignments, load_assignment
from autograder.packaging import build

IDS = [p.name for p in list_assignments()]


@pytest.fixture(scope="module")
def gradescope_venv():
    """setup.sh's grader-side steps, run once: a venv of its own with the package installed."""
    import tempfile

    # as /autograder/venv on Gradescope, the sandbox users import from it: outside pytest's own
    # folders, which are 0700 (and made so again by any pytest session that starts)
    work = Path(tempfile.mkdtemp(prefix="autograder-image-"))
    work.chmod(0o711)
    yield _install_image(work)
    shutil.rmtree(work, ignore_errors=True)


def _install_image(work: Path) -> Path:
    zip_path = build(load_assignment("ift6135-h20-hw1"), out=work / "autograder.zip")
    source = work / "autograder" / "source"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(source)
    venv = work / "venv"
    env = {**os.environ, "AUTOGRADER_GRADESCOPE": "1", "AUTOGRADER_VENV": str(venv), "TORCH_INDEX_URL": ""}
    r = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert (venv / "bin" / "autograder").exists()
    # the package is installed, not linked to the source tree (which is locked to root)
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import autograder; print(autograder.__file__)"],
                           capture_output=True, text=True, cwd="/")
    assert str(venv) in probe.stdout
    return venv


def make_root(tmp_path: Path, assignment_id: str, files: dict[str, str | bytes], metadata: dict | None = None) -> Path:
    root = tmp_path / "autograder"
    zip_path = build(load_assignment(assignment_id), out=tmp_path / "autograder.zip")
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    (root / "submission").mkdir()
    for name, content in files.items():
        path = root / "submission" / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    (root / "results").mkdir()
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    if os.geteuid() == 0:
        # what setup.sh does on Gradescope: hidden checks and solutions closed to other users
        subprocess.run(["chmod", "-R", "go-rwx", str(root / "source")], check=True)
    return root


def run_autograder(root: Path, venv: Path, **env_extra: str) -> tuple[dict, subprocess.CompletedProcess]:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_VENV": str(venv), **env_extra}
    proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600,
                          cwd=root)
    results = json.loads((root / "results" / "results.json").read_text())
    return results, proc


@pytest.mark.parametrize("assignment_id", IDS)
def test_solution_gets_full_marks_in_the_container(tmp_path, gradescope_venv, schema, assignment_id):
    jsonschema = pytest.importorskip("jsonschema")
    assignment = load_assignment(assignment_id)
    root = make_root(tmp_path, assignment_id, {assignment.starter: assignment.solution_file.read_text()})
    results, proc = run_autograder(root, gradescope_venv)
    jsonschema.validate(results, schema)
    assert results["score"] == pytest.approx(assignment.auto_points), proc.stdout + proc.stderr
    assert all(t["status"] == "passed" for t in results["tests"])
    hidden = [t for t in results["tests"] if "hidden" in t["tags"]]
    assert hidden and all(t["visibility"] == assignment.hidden_visibility for t in hidden)


@pytest.mark.parametrize("mode", ["bwrap", "user"])
def test_isolation_modes_in_the_container(tmp_path, gradescope_venv, mode):
    if mode == "user" and os.geteuid() != 0:
        pytest.skip("user mode needs root, as on Gradescope")
    assignment = load_assignment("ift6135-h20-hw1")
    root = make_root(tmp_path, assignment.id, {"hw1.py": assignment.solution_file.read_text()})
    results, proc = run_autograder(root, gradescope_venv, AUTOGRADER_ISOLATION=mode)
    assert results["score"] == 70, proc.stdout + proc.stderr
    assert ("bubblewrap" if mode == "bwrap" else "separate user") in results["output"]


@pytest.mark.parametrize("files, status", [
    ({"hw1.py": "def softmax(x)\n    return x\n"}, "error"),
    ({"hw1.ipynb": "{not json"}, "invalid"),
    ({"notes.txt": "I could not do it"}, "invalid"),
    ({"hw1.py": "import os\nos._exit(1)\n"}, "crashed"),
    ({"hw1.py": "while True:\n    pass\n"}, "error"),
])
def test_broken_submissions_still_get_valid_results(tmp_path, gradescope_venv, schema, files, status):
    jsonschema = pytest.importorskip("jsonschema")
    root = make_root(tmp_path, "ift6135-h20-hw1", files)
    results, proc = run_autograder(root, gradescope_venv)
    jsonschema.validate(results, schema)
    assert results["score"] == 0
    assert results["extra_data"]["status"] == status, proc.stdout
    assert results["tests"], "every check is listed, with its reason"


def test_late_submission_is_graded_and_flagged(tmp_path, gradescope_venv):
    assignment = load_assignment("ift6135-h20-hw1")
    metadata = {"id": 123456, "created_at": "2026-02-10T12:00:00.000000-05:00", "submission_method": "upload",
                "users": [{"email": "ada@example.org", "id": 1, "name": "Ada Example"}],
                "assignment": {"due_date": "2026-02-04T23:00:00.000000-05:00",
                               "late_due_date": "2026-02-06T23:00:00.000000-05:00", "title": "HW1",
                               "total_points": "80.0"},
                "previous_submissions": []}
    root = make_root(tmp_path, assignment.id, {"hw1.py": assignment.solution_file.read_text()}, metadata)
    results, _ = run_autograder(root, gradescope_venv)
    assert results["score"] == 70
    assert results["extra_data"]["late"] is True and results["extra_data"]["submission"] == "123456"
    assert "late due date" in results["output"]


def test_internal_failure_still_writes_results(tmp_path, gradescope_venv, schema):
    jsonschema = pytest.importorskip("jsonschema")
    root = make_root(tmp_path, "ift6135-h20-hw1", {"hw1.py": "X = 1\n"})
    shutil.rmtree(root / "source" / "assignments")
    results, proc = run_autograder(root, gradescope_venv)
    jsonschema.validate(results, schema)
    assert results["score"] == 0 and "could not grade" in results["output"]
    assert proc.returncode != 0


# --------------------------------------------------------------------------- Gradescope, emulated
#
# Gradescope's containers: the grader runs as root, without CAP_SYS_ADMIN (so no namespaces of
# its own: the `user` isolation), hidden files locked to root. Emulated here with a private
# mount namespace that hides this repository (unshare -m), capsh dropping the capability, and
# run_autograder forced to the user mode.

RACER = r'''
import os, sys, time, signal
MARK, TARGETS = {mark!r}, {targets!r}


def note(what):
    try:
        fd = os.open(MARK, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        os.write(fd, ("%s uid=%d euid=%d\n" % (what, os.getuid(), os.geteuid())).encode())
        os.close(fd)
    except OSError:
        pass


def others():
    """The other live processes of this uid (the job's own process, while it runs)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != me:
            try:
                status = open("/proc/%s/status" % entry).read()
            except OSError:
                continue
            uid = [line for line in status.splitlines() if line.startswith("Uid:")][0].split()[1]
            if int(uid) == os.getuid() and "State:\tZ" not in status:
                found.append(entry)
    return found


def race():
    os.setsid()
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # not dumpable: its /proc folder's files then belong to root
    end = time.time() + 60
    busy, evading = True, 0
    # told by the kernel the moment a folder appears in /tmp (polling could be late)
    libc = ctypes.CDLL(None, use_errno=True)
    watch = libc.inotify_init1(0o4000)  # IN_NONBLOCK
    libc.inotify_add_watch(watch, b"/tmp", 0x100 | 0x40000000)  # IN_CREATE | IN_ONLYDIR... of /tmp itself
    import select
    while time.time() < end:
        fresh = []
        if select.select([watch], [], [], 0.002)[0]:
            data = os.read(watch, 65536)
            while data:  # struct inotify_event: wd, mask, cookie, len, name
                size = int.from_bytes(data[12:16], "little")
                fresh.append(data[16:16 + size].rstrip(b"\0").decode())
                data = data[16 + size:]
        # every new folder of /tmp gets links to what root must never write, as soon as it is
        # writable (a folder made 0700, then opened up)
        for entry in fresh or os.listdir("/tmp"):
            folder = os.path.join("/tmp", entry)
            if entry.startswith("race"):
                continue
            for _ in range(200 if fresh else 1):
                if os.access(folder, os.W_OK) or not os.path.isdir(folder):
                    break
                time.sleep(0.00002)
            for name, target in zip(("{starter}", "helpers.py", "results.json"), TARGETS):
                try:
                    os.symlink(target, os.path.join(folder, name))
                except OSError:
                    pass
        # the job's process just ended: the sweep comes now, and a new pid every millisecond
        # outruns a sweep that reads /proc once (each exit leaves a zombie: 25 at most)
        now_busy = bool(others())
        if busy and not now_busy:
            evading = 25
        busy = now_busy
        if evading:
            evading -= 1
            if os.fork() > 0:
                os._exit(0)
            note("alive")


note("import")
if os.fork() == 0:
    try:
        if os.fork() == 0:
            race()
    finally:
        os._exit(0)
time.sleep(0.2)


def die(*args):
    os._exit(3)  # the sandbox asks what is left in a new process, in a new work folder


softmax = softmax_limit_c_zero = softmax_limit_c_infinity = softmax_reparameterize = sigmoid_to_tanh_params = die
'''


def gradescope_emulation(root: Path, venv: Path) -> tuple[dict, subprocess.CompletedProcess]:
    """run_autograder as Gradescope runs it: root, no CAP_SYS_ADMIN, this repository out of sight,
    the user isolation; its working folder is the student's (the worst case)."""
    from autograder.assignment import PROJECT_DIR

    if os.geteuid() != 0 or not shutil.which("capsh") or not shutil.which("unshare"):
        pytest.skip("the emulation needs root, capsh and unshare")
    inner = f"exec {root / 'run_autograder'}"
    script = f"mount -t tmpfs tmpfs {PROJECT_DIR} && exec capsh --drop=cap_sys_admin -- -c '{inner}'"
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_VENV": str(venv), "AUTOGRADER_ISOLATION": "user"}
    proc = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], env=env,
                          capture_output=True, text=True, timeout=300, cwd=root / "submission")
    results = json.loads((root / "results" / "results.json").read_text())
    return results, proc


def _processes_of_uids_in(notes: str) -> list[int]:
    """The live processes of the uids the submission's notes say it ran as."""
    import re

    from autograder._isolation import processes_of

    return [pid for uid in {int(u) for u in re.findall(r" uid=(\d+)", notes)} for pid in processes_of(uid)]


def _digest(paths: list[Path]) -> list[bytes]:
    import hashlib

    return [hashlib.sha256(p.read_bytes()).digest() for p in paths]


@pytest.mark.parametrize("attempt", range(3))
def test_an_all_wrong_racing_submission_never_scores_nor_runs_as_root(tmp_path, gradescope_venv, attempt):
    """The route of the issue: a process of the submission survives its job, swaps links into
    the next work folder for root to write through (over the solution), and waits for the
    grader to import it. Tried several times here, many more with benchmarks/race_user_mode.py."""
    assignment = load_assignment("ift6135-h20-hw1")
    mark = Path(f"/tmp/race-{os.getpid()}-{attempt}.log")
    root = tmp_path / "autograder"
    targets = [root / "source" / "solutions" / assignment.id / assignment.starter,
               root / "source" / "assignments" / assignment.id / "checks" / "helpers.py",
               root / "results" / "results.json"]
    source = RACER.format(mark=str(mark), targets=[str(t) for t in targets], starter=assignment.starter)
    # and a module named like the grader, in the folder run_autograder starts in
    root = make_root(tmp_path, assignment.id, {assignment.starter: source,
                                               "autograder.py": source.replace("note(\"import\")",
                                                                               "note(\"SHADOW\")")})
    before = _digest(targets[:2])
    mark.touch()
    mark.chmod(0o666)  # root's: the cleanup of the student's files leaves it
    try:
        results, proc = gradescope_emulation(root, gradescope_venv)
        assert results["score"] == 0, proc.stdout + proc.stderr
        assert "separate user" in results["output"], results["output"]
        assert _digest(targets[:2]) == before, "root wrote over the solution or the checks"
        notes = mark.read_text() if mark.exists() else ""
        assert "import" in notes, "the racer ran (as the student)"
        assert "uid=0" not in notes and "euid=0" not in notes and "SHADOW" not in notes, notes
        assert _processes_of_uids_in(notes) == [], "a process of the submission outlived the grading"
    finally:
        mark.unlink(missing_ok=True)


def test_the_solution_still_gets_full_marks_in_the_emulation(tmp_path, gradescope_venv):
    assignment = load_assignment("ift6135-h20-hw1")
    root = make_root(tmp_path, assignment.id, {assignment.starter: assignment.solution_file.read_text()})
    results, proc = gradescope_emulation(root, gradescope_venv)
    assert results["score"] == 70, proc.stdout + proc.stderr
    assert "separate user" in results["output"]
