"""The students' bundle, used as a student would: unzipped in a temporary folder, every command its
README, starters and notebook print is run exactly as printed; the grader is installed from the
bundle's wheel into a fresh venv that has only the published dependencies."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from autograder.assignment import Assignment, list_assignments, load_assignment
from autograder.messages import Message, render
from autograder.notebook import notebook_name
from autograder.packaging import bundle

IDS = [p.name for p in list_assignments()]

#: a command for a shell: what the texts tell students to type in a terminal
_SHELL = re.compile(r"^(python3?|pip|autograder)\s")
#: a check() call, as typed in a notebook cell
_CHECK_CALL = re.compile(r"""\bcheck\((?:"[^"\n]*"|'[^'\n]*')?\)""")


def _unzipped(a: Assignment, tmp_path: Path) -> Path:
    archive = bundle(a, out=tmp_path / "bundle.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "student")
    return tmp_path / "student" / a.id


def _texts(a: Assignment, folder: Path) -> dict[str, str]:
    """What a student reads in the bundle: the README, the .py starter, the notebook's cells."""
    nb = json.loads((folder / notebook_name(a)).read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]]
    return {"README.md": (folder / "README.md").read_text(encoding="utf-8"),
            a.starter: (folder / a.starter).read_text(encoding="utf-8"),
            notebook_name(a): "\n\n".join(cells)}


def _shell_commands(text: str) -> list[str]:
    """Commands in `backticks`, in ``` fenced blocks and in indented blocks that start like a shell command."""
    found = [m.group(1).strip() for m in re.finditer(r"`([^`\n]+)`", text)]
    found += [line.strip() for line in text.splitlines() if line.startswith("    ")]
    found += [line.strip() for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S)
              for line in block.splitlines()]
    return [c for c in found if _SHELL.match(c)]


def _student_env(**extra: str) -> dict[str, str]:
    """A student's environment: none of the grader's own settings, nothing on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith("AUTOGRADER_") and not k.startswith("PYTEST")}
    env.update(extra)
    return env


def _commands(a: Assignment, folder: Path) -> tuple[dict[str, list[str]], list[str]]:
    texts = _texts(a, folder)
    shell = {name: _shell_commands(text) for name, text in texts.items()}
    calls = list(dict.fromkeys(c for text in texts.values() for c in _CHECK_CALL.findall(text)))
    return shell, calls


@pytest.mark.parametrize("assignment_id", IDS)
def test_every_printed_command_works_from_the_unzipped_bundle(tmp_path, assignment_id):
    a = load_assignment(assignment_id)
    folder = _unzipped(a, tmp_path)
    shell, calls = _commands(a, folder)
    # the README and the starter each tell how to run the checks; the notebook, with check()
    assert shell["README.md"] and shell[a.starter], shell
    assert "check()" in calls and any(c != "check()" for c in calls), calls
    # a student's filled-in starter: the solution (every public check passes, so exit 0)
    shutil.copy(a.solution_file, folder / a.starter)
    title = render(Message("report_title", {"title": a.title}), a.language)
    ran = set()
    for command in dict.fromkeys(c for commands in shell.values() for c in commands):
        argv = shlex.split(command)
        if argv[0] == "pip":
            # installing is run in a fresh venv (test_wheel_installs_...): here, it must name the wheel
            assert argv[1] == "install" and (folder / argv[2]).is_file() and argv[2].endswith(".whl"), command
            continue
        # `autograder`: the command pip installs; here the suite's own (the venv test runs the wheel's)
        argv[0] = sys.executable if argv[0].startswith("python") else str(Path(sys.executable).with_name("autograder"))
        r = subprocess.run(argv, cwd=folder, capture_output=True, text=True, env=_student_env(), timeout=300)
        assert r.returncode == 0 and "Traceback" not in r.stderr, f"{command}\n{r.stdout}{r.stderr}"
        assert title in r.stdout, command
        ran.add(command)
    assert ran
    # every check(...) the texts show, in one Python process in the bundle folder, as a script
    code = "from autograder import check\n" + "\n".join(calls)
    r = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True,
                       env=_student_env(), timeout=300)
    assert r.returncode == 0 and r.stderr == "", f"{calls}\n{r.stderr}"
    assert r.stdout.count(title) == len(calls), r.stdout
    assert "<div" not in r.stdout and "<Results" not in r.stdout  # plain text outside Jupyter


@pytest.mark.parametrize(("assignment_id", "expected"), [
    ("ift6135-h20-hw1", "no public check for this question"),
    ("ift6135-devoir3", "aucune vérification publique pour cette question"),
])
def test_unknown_question_is_one_line_in_the_assignments_language(tmp_path, assignment_id, expected):
    a = load_assignment(assignment_id)
    folder = _unzipped(a, tmp_path)
    r = subprocess.run([sys.executable, "-c", "from autograder import check; check('q99')"], cwd=folder,
                       capture_output=True, text=True, env=_student_env(), timeout=120)
    assert r.returncode == 0 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert expected in r.stderr and "'q99'" in r.stderr
    # and the questions that do have public checks, by their ids
    assert a.public_checks[0].question in r.stderr


def _published_closure(requirements: list[str]) -> list[importlib.metadata.Distribution]:
    """The distributions the published (core) requirements need, transitively, as installed here."""
    todo, seen = list(requirements), {}
    while todo:
        req = Requirement(todo.pop())
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # an extra's requirement, or another platform's
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        if key not in seen:
            seen[key] = importlib.metadata.distribution(req.name)
            todo += seen[key].requires or []
    return list(seen.values())


def test_wheel_installs_and_checks_with_only_the_published_dependencies(tmp_path):
    """A fresh venv (no system site-packages) that sees the core dependencies' closure and nothing
    else (not pytest, nbclient, matplotlib...): the README's pip command installs the bundle's wheel
    without the network, then its `autograder check` works from the bundle folder.

    The dependencies are this environment's files, linked into a folder the venv's .pth adds to
    its path: installing torch (hundreds of MB) again would take minutes, and the index is not
    asked (PIP_NO_INDEX): the test fails if the wheel asks for anything the closure lacks."""
    a = load_assignment("ift6135-devoir3")
    folder = _unzipped(a, tmp_path)
    shell, _ = _commands(a, folder)
    (pip_command,) = {c for c in shell["README.md"] if c.startswith("pip ")}
    (check_command,) = {c for c in shell["README.md"] if c.startswith("autograder ")}
    shutil.copy(a.solution_file, folder / a.starter)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    # Python 3.11's venv comes with an old setuptools beside pip: it would hide the one torch needs
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"],
                   check=True, capture_output=True, timeout=120)
    with zipfile.ZipFile(next(folder.glob("*.whl"))) as z:
        metadata = next(z.read(n).decode() for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    published = [line.split(": ", 1)[1] for line in metadata.splitlines()
                 if line.startswith("Requires-Dist: ") and "extra ==" not in line]
    assert "numpy>=1.24" in published and not any("pytest" in r or "nbclient" in r for r in published)
    deps = venv / "deps"  # inside the venv: the sandbox binds the venv's folder
    deps.mkdir()
    for dist in _published_closure(published):
        for top in {f.parts[0] for f in dist.files or [] if f.parts[0] != ".."}:
            if top == "__pycache__" or top.endswith(".pth") or (deps / top).exists():
                continue
            (deps / top).symlink_to(dist.locate_file(top))
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "published-dependencies.pth").write_text(f"{deps}\n")

    env = _student_env(PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", PIP_NO_INDEX="1", VIRTUAL_ENV=str(venv))
    r = subprocess.run(shlex.split(pip_command), cwd=folder, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    probe = subprocess.run([str(venv / "bin" / "python"), "-I", "-c",
                            "import autograder, importlib.metadata as m; print(autograder.__file__); "
                            "print(sorted(m.requires('dl-autograder')))"],
                           cwd=folder, capture_output=True, text=True, env=env, check=True)
    assert probe.stdout.startswith(str(site)), probe.stdout  # the wheel's package, not the bundle's source
    r = subprocess.run(shlex.split(check_command), cwd=folder, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    assert "vérifications publiques réussies" in r.stdout
    # what is not published is not there: the check did not lean on the suite's environment
    dev = subprocess.run([str(venv / "bin" / "python"), "-c", "import nbclient"], capture_output=True, env=env)
    assert dev.returncode != 0
