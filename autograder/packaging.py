"""What leaves the repository: Gradescope's autograder zip, and the students' bundle.

The autograder zip holds ``setup.sh`` (this repository's, unchanged, so the image and a TA's
machine are set up by the same script), ``run_autograder``, the package, the assignment with
its hidden checks, and the solution; for an otter assignment, its otter source and its pip
requirements, which setup.sh installs into the image. The student bundle holds the starters,
the public checks and the package, and nothing else: no hidden check, no solution, no example
submission.
"""

from __future__ import annotations

import shlex
import tempfile
import zipfile
from pathlib import Path

from autograder.assignment import PROJECT_DIR, Assignment
from autograder.errors import ConfigError, UsageError

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission; everything else is in the package. -I: the package
# comes from the venv, never from the folder this runs in (a student's file could be there).
exec "${AUTOGRADER_VENV:-/autograder/venv}/bin/python" -I -m autograder run --root "${AUTOGRADER_ROOT:-/autograder}"
"""

#: files of an assignment that never leave the grader
HIDDEN = ("checks/hidden.yaml",)
_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}

STUDENT_README = {
    "en": """# {title}

1. Fill in `{starter}` (or `{notebook}` in Jupyter). Keep the names of functions and values.
2. Check your work against the public checks:
   - in a terminal: `python -m autograder check assignment {starter}`
   - in the notebook: run the last cell, `from autograder import check; check()` (or `check("q5")`)
3. Submit `{starter}` or `{notebook}` on Gradescope. Hidden checks run there.

Public checks only look at the form of your answers (types, shapes, formulas that parse):
passing them does not mean the answers are right. Requirements: Python 3.10+, numpy, pyyaml,
scipy{torch}.
""",
    "fr": """# {title}

1. Complétez `{starter}` (ou `{notebook}` dans Jupyter). Gardez les noms des fonctions et des valeurs.
2. Vérifiez votre travail avec les vérifications publiques :
   - dans un terminal : `python -m autograder check assignment {starter}`
   - dans le notebook : exécutez la dernière cellule, `from autograder import check; check()` (ou `check("q5")`)
3. Remettez `{starter}` ou `{notebook}` sur Gradescope. Les vérifications cachées s'y exécutent.

Les vérifications publiques ne regardent que la forme de vos réponses (types, formes, formules
lisibles) : les réussir ne veut pas dire que les réponses sont justes. Prérequis : Python 3.10+,
numpy, pyyaml, scipy{torch}.
""",
}


def build(assignment: Assignment, *, out: Path) -> Path:
    """Write Gradescope's autograder zip for ``assignment`` to ``out``."""
    from autograder.otter.model import OtterAssignment

    if isinstance(assignment, OtterAssignment):
        return _build_otter(assignment, out=out)
    assignment.require_solution()  # Gradescope computes the references from it
    out = _zip_path(out)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        _add_grader(z, RUN_AUTOGRADER)
        _add_tree(z, assignment.root, f"assignments/{assignment.id}", skip=("examples",))
        _add_tree(z, assignment.solution_dir, f"solutions/{assignment.id}")
    return out


#: an assignment's own pip requirements, at the zip's root: setup.sh installs them into the image's venv
REQUIREMENTS = "assignment-requirements.txt"


def _build_otter(assignment: Assignment, *, out: Path) -> Path:
    """An otter assignment's zip: its source as it came (no solution: the tests hold the expected
    values), a ``run_autograder`` that names it, and its requirements, which setup.sh installs
    into the image's venv while Gradescope builds the image (it has the network then; grading
    then needs none, and makes no environment of its own)."""
    source = Path(assignment.source).resolve()
    kind = assignment.source_kind
    if kind == "master":
        raise ConfigError(f"{source}: an otter-assign master notebook becomes tests through otter-grader, which the "
                          "image does not have: build from the autograder zip otter assign wrote "
                          "(dist/autograder/*.zip)")
    if kind == "zip":
        entries = {source: f"assignments/{source.name}"}
        ref = source.name
    else:
        # the test files, otter_config.json and requirements it was read from, and files/ beside them
        files = [Path(p).resolve() for p in assignment.fingerprint_files]
        base = source if kind == "folder" and all(p.is_relative_to(source) for p in files) else source.parent
        support = base / "files"
        files += sorted(p for p in support.rglob("*") if p.is_file()) if support.is_dir() else []
        entries = {p: f"assignments/{base.name}/{p.relative_to(base).as_posix()}" for p in files}
        ref = base.name if source == base else f"{base.name}/{source.relative_to(base).as_posix()}"
    out = _zip_path(out)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        _add_grader(z, RUN_AUTOGRADER.rstrip("\n") + f" --assignment {shlex.quote(ref)}\n")
        for path, name in entries.items():
            z.write(path, name)
        if assignment.requirements:
            z.writestr(REQUIREMENTS, "".join(f"{line}\n" for line in assignment.requirements))
    return out


def bundle(assignment: Assignment, *, out: Path) -> Path:
    """Write the students' zip: starters (.py and .ipynb), public checks, the package, a how-to."""
    out = _zip_path(out)
    starter_dir = assignment.root / "starter"
    notebook = Path(assignment.starter).with_suffix(".ipynb").name
    uses_torch = "torch" in assignment.preload
    readme = STUDENT_README.get(assignment.language, STUDENT_README["en"]).format(
        title=assignment.title, starter=assignment.starter, notebook=notebook,
        torch=", torch==2.13.0" if uses_torch else "")
    top = assignment.id
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{top}/README.md", readme)
        for path in sorted(starter_dir.iterdir()):
            if path.is_file():
                z.write(path, f"{top}/{path.name}")
        z.write(assignment.root / "assignment.yaml", f"{top}/assignment/assignment.yaml")
        for name in ("public.yaml", "helpers.py"):
            path = assignment.root / "checks" / name
            if path.exists():
                z.write(path, f"{top}/assignment/checks/{name}")
        _add_tree(z, PROJECT_DIR / "autograder", f"{top}/autograder")
    return out


def _zip_path(out: Path) -> Path:
    out = Path(out)
    if out.suffix != ".zip":
        raise UsageError(f"--out must name a .zip file, not {out}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out.parent):  # a folder may exist and still refuse files
            pass
    except OSError as e:
        blocker = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is a file, not a folder" if blocker is not None else e.strerror or type(e).__name__
        raise UsageError(f"cannot write {out}: {reason} (choose another --out)") from None
    return out


def _add_grader(z: zipfile.ZipFile, run_autograder: str) -> None:
    """What every autograder zip has: setup.sh (this repository's), run_autograder, the package."""
    _add_executable(z, "setup.sh", (PROJECT_DIR / "setup.sh").read_text())
    _add_executable(z, "run_autograder", run_autograder)
    for name in ("pyproject.toml", "README.md", "Dockerfile"):
        z.write(PROJECT_DIR / name, name)
    _add_tree(z, PROJECT_DIR / "autograder", "autograder")


def _add_executable(z: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o100755 << 16)
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, text)


def _add_tree(z: zipfile.ZipFile, folder: Path, prefix: str, *, skip: tuple[str, ...] = ()) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or _SKIP_PARTS & set(rel.parts) or (rel.parts and rel.parts[0] in skip):
            continue
        if path.suffix in (".pyc",):
            continue
        z.write(path, f"{prefix}/{rel.as_posix()}")
