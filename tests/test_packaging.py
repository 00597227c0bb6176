"""The autograder zip and the student bundle: what is inside, and what must never be."""

from __future__ import annotations

import io
import zipfile

import pytest

from autograder.assignment import list_assignments, load_assignment
from autograder.packaging import build, bundle
from autograder.references import References

IDS = [p.name for p in list_assignments()]


@pytest.mark.parametrize("assignment_id", IDS)
def test_build_zip_has_what_gradescope_needs(tmp_path, assignment_id):
    assignment = load_assignment(assignment_id)
    out = build(assignment, out=tmp_path / "autograder.zip")
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        setup_mode = z.getinfo("setup.sh").external_attr >> 16
        run = z.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "pyproject.toml", "Dockerfile", "autograder/cli.py"} <= names
    assert setup_mode & 0o111, "setup.sh is executable"
    assert "-I -m autograder run --root" in run and len(run.strip().splitlines()) == 4
    assert f"assignments/{assignment_id}/checks/hidden.yaml" in names
    assert f"solutions/{assignment_id}/{assignment.starter}" in names
    assert not any("/examples/" in n for n in names), "example submissions stay out of the image"
    assert not any("__pycache__" in n for n in names)


def test_setup_sh_in_the_zip_is_the_repository_one(tmp_path):
    from autograder.assignment import PROJECT_DIR

    out = build(load_assignment("ift6135-h20-hw1"), out=tmp_path / "a.zip")
    with zipfile.ZipFile(out) as z:
        assert z.read("setup.sh") == (PROJECT_DIR / "setup.sh").read_bytes()


def _reference_strings(assignment) -> set[str]:
    """Distinctive reference values of hidden value checks, as they could appear in a file."""
    refs = References(assignment)
    found = set()
    for check in assignment.checks:
        if not check.hidden or check.call or check.expect != "reference":
            continue
        value = refs.answer(check, ())
        # formulas (multiple-choice words such as "oscille" are listed in the starter on purpose)
        if isinstance(value, str) and len(value.replace(" ", "")) >= 6 and any(c in value for c in "()*+-/@ "):
            found.add(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1000:
            found.add(f"{value:g}")
            if float(value).is_integer():
                found.add(str(int(value)))
    return found


@pytest.mark.parametrize("assignment_id", IDS)
def test_student_bundle_leaks_nothing_hidden(tmp_path, assignment_id):
    assignment = load_assignment(assignment_id)
    out = bundle(assignment, out=tmp_path / "student.zip")
    solution_text = assignment.solution_file.read_text(encoding="utf-8")
    hidden_text = (assignment.root / "checks" / "hidden.yaml").read_text(encoding="utf-8")
    references = _reference_strings(assignment)
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        contents = {n: z.read(n).decode("utf-8", "replace") for n in names}
    top = assignment_id + "/"
    assert all(n.startswith(top) for n in names)
    assert f"{top}{assignment.starter}" in names
    assert f"{top}assignment/checks/public.yaml" in names
    assert not any(n.endswith("hidden.yaml") or "solutions/" in n or "/examples/" in n for n in names)
    for name, text in contents.items():
        assert text != solution_text, f"{name} is the solution"
        assert hidden_text not in text, f"{name} contains the hidden checks"
        if name.startswith(f"{top}autograder/"):
            continue
        for ref in references:
            assert ref not in text, f"{name} contains the reference value {ref!r}"
    readme = contents[f"{top}README.md"]
    assert ("check" in readme) and (("Complétez" in readme) if assignment.language == "fr" else ("Fill in" in readme))


def test_bundle_checks_run_from_the_unzipped_bundle(tmp_path):
    import subprocess
    import sys

    assignment = load_assignment("ift6135-h20-hw1")
    out = bundle(assignment, out=tmp_path / "student.zip")
    with zipfile.ZipFile(out) as z:
        z.extractall(tmp_path)
    folder = tmp_path / assignment.id
    (folder / "hw1.py").write_text((assignment.root / "examples" / "perfect.py").read_text())
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder), "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "autograder", "check", "assignment", "hw1.py"], cwd=folder,
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All public checks passed" in r.stdout
    probe = subprocess.run([sys.executable, "-c", "import autograder; print(autograder.__file__)"], cwd=folder,
                           capture_output=True, text=True, env=env)
    assert probe.stdout.startswith(str(folder))


def test_out_must_be_a_zip(tmp_path):
    from autograder.errors import UsageError

    with pytest.raises(UsageError, match=r"\.zip"):
        bundle(load_assignment("ift6135-h20-hw1"), out=tmp_path / "student.tar")


def test_bundle_wheel_declares_pyprojects_dependencies_and_is_reproducible(tmp_path):
    import tomllib

    from autograder.assignment import PROJECT_DIR

    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wheels = []
    for n in (1, 2):
        with zipfile.ZipFile(bundle(load_assignment("td-gradients"), out=tmp_path / f"s{n}.zip")) as z:
            (name,) = [n for n in z.namelist() if n.endswith(".whl")]
            wheels.append(z.read(name))
    assert wheels[0] == wheels[1]
    assert name == f"td-gradients/dl_autograder-{project['version']}-py3-none-any.whl"
    with zipfile.ZipFile(io.BytesIO(wheels[0])) as w:
        metadata = w.read(f"dl_autograder-{project['version']}.dist-info/METADATA").decode()
        names = set(w.namelist())
    core = [line.split(": ", 1)[1] for line in metadata.splitlines()
            if line.startswith("Requires-Dist: ") and "extra ==" not in line]
    assert core == project["dependencies"]
    assert {"autograder/cli.py", "autograder/templates/new_en.py", "autograder/otter/README.md"} <= names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
