"""What leaves the repository: Gradescope's autograder zip, and the students' bundle.

The autograder zip holds ``setup.sh`` (this repository's, unchanged, so the image and a TA's
machine are set up by the same script), ``run_autograder``, the package, the assignment with
its hidden checks, and the solution; for an otter assignment, its otter source and its pip
requirements, which setup.sh installs into the image. The student bundle holds the starters,
the public checks and the package (its source, and the same as a wheel for ``pip install``), and
nothing else: no hidden check, no solution, no example submission. Every command its README and
starters print works from the unzipped bundle as printed (tests/test_bundle.py runs them).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
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

Work in this folder, the unzipped bundle: `assignment/` holds the public checks, `autograder/` the grader.

1. Fill in `{starter}` (or `{notebook}` in Jupyter). Keep the names of functions and values.
2. Check your work against the public checks, from this folder:
   - in a terminal: `python -m autograder check {starter}`
   - in the notebook: run its last cell, `check()`; `check("{question}")` checks one question.
3. Submit `{starter}` or `{notebook}` on Gradescope.

Public checks test some values and properties of your answers. Passing them does not mean that the
hidden checks pass: hidden checks are graded after you submit.

Requirements: Python 3.10+ and the packages the grader needs:
{requirements}.
To install the grader with them, and an `autograder` command: `pip install {wheel}`;
then `autograder check {starter}` works from this folder too.
""",
    "fr": """# {title}

Travaillez dans ce dossier, l'archive décompressée : `assignment/` contient les vérifications publiques,
`autograder/` le correcteur.

1. Complétez `{starter}` (ou `{notebook}` dans Jupyter). Gardez les noms des fonctions et des valeurs.
2. Vérifiez votre travail avec les vérifications publiques, depuis ce dossier :
   - dans un terminal : `python -m autograder check {starter}`
   - dans le notebook : exécutez sa dernière cellule, `check()` ; `check("{question}")` vérifie une
     seule question.
3. Remettez `{starter}` ou `{notebook}` sur Gradescope.

Les vérifications publiques testent certaines valeurs et propriétés de vos réponses. Les réussir ne
veut pas dire que les vérifications cachées réussiront : celles-ci sont corrigées après la remise.

Prérequis : Python 3.10+ et les paquets dont le correcteur a besoin :
{requirements}.
Pour installer le correcteur avec eux, et une commande `autograder` : `pip install {wheel}` ;
ensuite, `autograder check {starter}` fonctionne aussi depuis ce dossier.
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
    """Write the students' zip: starters (.py and .ipynb), public checks, the package (as source,
    for ``python -m autograder`` and the notebook, and as a wheel, for ``pip install``), a how-to."""
    from autograder.notebook import example_question

    out = _zip_path(out)
    starter_dir = assignment.root / "starter"
    notebook = Path(assignment.starter).with_suffix(".ipynb").name
    wheel_name, wheel_bytes, requirements = _wheel()
    readme = STUDENT_README.get(assignment.language, STUDENT_README["en"]).format(
        title=assignment.title, starter=assignment.starter, notebook=notebook,
        question=example_question(assignment), wheel=wheel_name,
        # "tomli>=1.1; python_version < '3.11'" reads "tomli>=1.1 (python_version < '3.11')" in a list
        requirements=", ".join(r.split(";")[0].strip() + (f" ({r.split(';', 1)[1].strip()})" if ";" in r else "")
                               for r in requirements))
    top = assignment.id
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{top}/README.md", readme)
        z.writestr(f"{top}/{wheel_name}", wheel_bytes)
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


#: a wheel's files all get this time: the same package gives the same bytes (zip cannot go earlier)
_WHEEL_TIME = (1980, 1, 1, 0, 0, 0)


def _wheel() -> tuple[str, bytes, list[str]]:
    """The package as a pure-Python wheel, made from ``pyproject.toml`` and ``autograder/`` as they
    are now (the installed metadata of an editable install can be older than pyproject); returns
    its file name, its bytes and the core requirements it declares.

    Written here rather than by a build backend: bundling needs no setuptools, no network and no
    build folder in the repository, and the wheel holds exactly what the bundle's source does.
    """
    project = _pyproject()["project"]
    name, version = project["name"], project["version"]
    dist = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"
    requirements = list(project.get("dependencies", []))
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
                f"Summary: {project.get('description', '')}", f"Requires-Python: {project.get('requires-python', '')}"]
    metadata += [f"Requires-Dist: {req}" for req in requirements]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        metadata.append(f"Provides-Extra: {extra}")
        for req in reqs:
            marker = f'({req.split(";", 1)[1].strip()}) and extra == "{extra}"' if ";" in req else f'extra == "{extra}"'
            metadata.append(f"Requires-Dist: {req.split(';', 1)[0].strip()}; {marker}")
    scripts = project.get("scripts", {})
    files: dict[str, bytes] = {}
    package = PROJECT_DIR / "autograder"
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and not _SKIP_PARTS & set(rel.parts) and path.suffix != ".pyc":
            files[f"autograder/{rel.as_posix()}"] = path.read_bytes()
    info = f"{dist}.dist-info"
    files[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: autograder.packaging\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    entry_points = "".join(f"{k} = {v}\n" for k, v in scripts.items())
    files[f"{info}/entry_points.txt"] = f"[console_scripts]\n{entry_points}".encode()
    files[f"{info}/top_level.txt"] = b"autograder\n"
    record = [f"{n},sha256={_digest(data)},{len(data)}" for n, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, data in files.items():
            entry = zipfile.ZipInfo(n, date_time=_WHEEL_TIME)
            entry.external_attr = 0o100644 << 16
            z.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return f"{dist}-py3-none-any.whl", buffer.getvalue(), requirements


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _pyproject() -> dict:
    path = PROJECT_DIR / "pyproject.toml"
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ConfigError("writing the bundle's wheel reads pyproject.toml: on Python 3.10 it needs tomli, "
                              "a dependency of the package ('pip install tomli')") from None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read {path} for the bundle's wheel: {e}") from None
