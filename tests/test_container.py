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
def gradescope_venv(tmp_path_factory):
    """setup.sh's grader-side steps, run once: a venv of its own with the package installed."""
    work = tmp_path_factory.mktemp("image")
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
