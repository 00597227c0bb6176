"""Find and read an otter source: where its test files and its configuration are.

Accepted sources:

- an autograder zip, as ``otter generate`` or ``otter assign`` writes it (``tests/*.py``,
  ``otter_config.json``);
- a folder of otter test files: ``DIR/tests/*.py`` (with ``DIR/otter_config.json`` if any) or
  ``DIR/*.py`` directly;
- a notebook whose tests live in its metadata (``metadata.otter.tests``, as ``otter assign``
  writes the autograder notebook; ``otter_config.json`` beside it is read too);
- an otter-assign master notebook (``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION``...): otter's own
  ``otter assign --no-run-tests`` turns it into the above, in a temporary folder (this needs
  otter-grader installed).

Nothing here runs a test: test files are read as text; they are parsed by
:mod:`autograder.otter.testfiles`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from autograder.errors import ConfigError
from autograder.otter.environment import pip_requirements

OTTER_CONFIG = "otter_config.json"
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
MAX_TEST_BYTES = 5 * 1024 * 1024
_MASTER_MARKERS = re.compile(r"^\s*(#\s*ASSIGNMENT CONFIG|#\s*BEGIN QUESTION|```otter)", re.IGNORECASE)


@dataclass(frozen=True)
class RawTest:
    """One test file as found, not yet parsed."""

    #: what a notebook passes to ``grader.check()`` for it (file stem, or metadata key)
    key: str
    #: how otter names its path (``tests/q1.py``, or the notebook's path for metadata tests)
    path: str
    #: a test file's text (files), or None
    text: str | None = None
    #: a metadata test: an OK-format dict, or an exception-based test file's text
    spec: Any = None
    from_metadata: bool = False
    ok_format: bool | None = None


@dataclass(frozen=True)
class OtterSource:
    path: Path
    kind: str  # "zip", "folder", "notebook", "master"
    name: str
    tests: tuple[RawTest, ...]
    config: dict = field(default_factory=dict)
    #: support files the autograder zip would copy beside the submission (not provided here)
    support_files: tuple[str, ...] = ()
    #: dependency hints: requirements.txt / environment.yml text
    requirements: str = ""
    #: what pip installs for the tests: requirements.txt's lines and environment.yml's pip part
    #: (see :func:`autograder.otter.environment.pip_requirements`)
    pip_requirements: tuple[str, ...] = ()
    #: files whose content the grading depends on (for the batch's regrade fingerprint)
    fingerprint_files: tuple[Path, ...] = ()


def is_otter_source(path: Path) -> bool:
    try:
        if not path.exists():
            return False
        if path.is_dir():
            if (path / "assignment.yaml").exists():
                return False
            return (path / OTTER_CONFIG).is_file() or bool(_folder_tests(path))
        suffix = path.suffix.lower()
        if suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
            return OTTER_CONFIG in names or "run_otter.py" in names or any(_is_zip_test(n) for n in names)
        if suffix == ".ipynb":
            nb = _read_notebook(path)
            return bool(_metadata_tests(nb)) or _is_master(nb)
    except (OSError, zipfile.BadZipFile, ConfigError):
        return False
    return False


def read_source(path: Path) -> OtterSource:
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path)
    if suffix == ".ipynb":
        nb = _read_notebook(path)
        if _metadata_tests(nb):
            return _read_metadata_notebook(path, nb)
        if _is_master(nb):
            return _read_master(path)
    raise ConfigError(f"{path}: not an otter autograder zip, folder of otter tests or notebook with otter tests")


# --------------------------------------------------------------------------- folders and zips


def _folder_tests(folder: Path) -> list[Path]:
    tests_dir = folder / "tests" if (folder / "tests").is_dir() else folder
    found = []
    for p in sorted(tests_dir.glob("*.py")):
        if p.name == "__init__.py" or not p.is_file():
            continue
        try:
            head = p.read_text(encoding="utf-8", errors="replace")[:65536]
        except OSError:
            continue
        if re.search(r"^\s*OK_FORMAT\s*=", head, re.MULTILINE):
            found.append(p)
    return found


def _read_folder(folder: Path) -> OtterSource:
    tests_dir = folder / "tests" if (folder / "tests").is_dir() else folder
    files = [p for p in sorted(tests_dir.glob("*.py")) if p.name != "__init__.py" and p.is_file()]
    # DIR/otter_config.json; for a folder named "tests" given directly, its parent's
    config_path = folder / OTTER_CONFIG
    if not config_path.is_file() and tests_dir == folder and folder.name == "tests":
        config_path = folder.parent / OTTER_CONFIG
    config = _read_config(config_path) if config_path.is_file() else {}
    tests = []
    for p in files:
        rel = PurePosixPath("tests", p.name).as_posix()
        tests.append(RawTest(key=p.stem, path=rel, text=_read_text(p)))
    if not tests:
        raise ConfigError(f"{folder}: no otter test files (tests/*.py)")
    requirements_txt, environment_yml = (_read_text(p) if p.is_file() else ""
                                         for p in (folder / "requirements.txt", folder / "environment.yml"))
    support = tuple(sorted(str(p.relative_to(folder)) for p in (folder / "files").rglob("*") if p.is_file())) \
        if (folder / "files").is_dir() else ()
    fingerprint = tuple(files) + ((config_path,) if config_path.is_file() else ())
    return OtterSource(path=folder, kind="folder", name=str(config.get("assignment_name") or _name_of(folder)),
                       tests=tuple(tests), config=config, support_files=support,
                       requirements=_join(requirements_txt, environment_yml),
                       pip_requirements=pip_requirements(requirements_txt, environment_yml, where=str(folder)),
                       fingerprint_files=fingerprint + _present(folder / "requirements.txt", folder / "environment.yml"))


def _is_zip_test(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return len(parts) == 2 and parts[0] == "tests" and name.endswith(".py") and parts[1] != "__init__.py"


def _read_zip(path: Path) -> OtterSource:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ConfigError(f"{path}: not a readable zip file ({e})") from None
    with archive:
        names = archive.namelist()
        config = {}
        if OTTER_CONFIG in names:
            config = _parse_config(archive.read(OTTER_CONFIG), f"{path.name}:{OTTER_CONFIG}")
        tests = []
        for name in sorted(n for n in names if _is_zip_test(n)):
            info = archive.getinfo(name)
            if info.file_size > MAX_TEST_BYTES:
                raise ConfigError(f"{path.name}: {name} is larger than {MAX_TEST_BYTES} bytes")
            tests.append(RawTest(key=PurePosixPath(name).stem, path=name,
                                 text=archive.read(name).decode("utf-8", errors="replace")))
        requirements_txt, environment_yml = (archive.read(n).decode("utf-8", errors="replace") if n in names else ""
                                             for n in ("requirements.txt", "environment.yml"))
        support = tuple(sorted(n for n in names if n.startswith("files/") and not n.endswith("/")))
    if not tests:
        raise ConfigError(f"{path}: the zip has no otter test files (tests/*.py)")
    return OtterSource(path=path, kind="zip", name=str(config.get("assignment_name") or _name_of(path)),
                       tests=tuple(tests), config=config, support_files=support,
                       requirements=_join(requirements_txt, environment_yml),
                       pip_requirements=pip_requirements(requirements_txt, environment_yml, where=str(path)),
                       fingerprint_files=(path,))


# --------------------------------------------------------------------------- notebooks


def _read_notebook(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise ConfigError(f"{path}: notebook larger than {MAX_NOTEBOOK_BYTES} bytes")
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: not a readable notebook ({e})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ConfigError(f"{path}: not a Jupyter notebook")
    return nb


def _otter_metadata(nb: dict) -> dict:
    meta = nb.get("metadata")
    otter = meta.get("otter") if isinstance(meta, dict) else None
    return otter if isinstance(otter, dict) else {}


def _metadata_tests(nb: dict) -> dict:
    tests = _otter_metadata(nb).get("tests")
    return tests if isinstance(tests, dict) else {}


def _is_master(nb: dict) -> bool:
    for cell in nb.get("cells", [])[:400]:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if _MASTER_MARKERS.match(source):
            return True
    return False


def _read_metadata_notebook(path: Path, nb: dict) -> OtterSource:
    meta = _otter_metadata(nb)
    ok_format = meta.get("OK_FORMAT")
    if not isinstance(ok_format, bool):
        raise ConfigError(f"{path}: metadata.otter.tests needs metadata.otter.OK_FORMAT (true or false)")
    tests = tuple(RawTest(key=str(key), path=path.name, spec=spec, from_metadata=True, ok_format=ok_format)
                  for key, spec in _metadata_tests(nb).items())
    config_path = path.parent / OTTER_CONFIG
    config = _read_config(config_path) if config_path.is_file() else {}
    name = meta.get("assignment_name") or config.get("assignment_name") or _name_of(path)
    # otter assign writes requirements.txt (and environment.yml) beside its autograder notebook
    beside = (path.parent / "requirements.txt", path.parent / "environment.yml")
    requirements_txt, environment_yml = (_read_text(p) if p.is_file() else "" for p in beside)
    fingerprint = (path,) + _present(config_path, *beside)
    return OtterSource(path=path, kind="notebook", name=str(name), tests=tests, config=config,
                       requirements=_join(requirements_txt, environment_yml),
                       pip_requirements=pip_requirements(requirements_txt, environment_yml, where=str(path)),
                       fingerprint_files=fingerprint)


#: master notebooks already turned into tests by otter assign in this process (it takes seconds)
_MASTERS: dict[tuple, OtterSource] = {}


def _read_master(path: Path) -> OtterSource:
    """Run otter's own ``otter assign`` (no test run, no PDFs) and read what it wrote."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _MASTERS:
        return _MASTERS[key]
    with tempfile.TemporaryDirectory(prefix="otter-assign-") as tmp:
        out = Path(tmp) / "dist"
        cmd = [sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs", str(path.resolve()), str(out)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=600,
                                  env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ConfigError(f"{path}: otter assign could not run ({e})") from None
        if done.returncode != 0:
            if "No module named otter" in done.stderr:
                raise ConfigError(f"{path}: an otter-assign master notebook needs otter-grader installed "
                                  "(pip install otter-grader), or give the autograder zip it produces")
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ConfigError(f"{path}: otter assign failed: {tail}")
        autograder = out / "autograder"
        zips = sorted(autograder.glob("*.zip"))
        notebooks = [p for p in sorted(autograder.glob("*.ipynb")) if _metadata_tests(_read_notebook(p))]
        if zips:
            found = _read_zip(zips[0])
        elif notebooks:
            found = _read_metadata_notebook(notebooks[0], _read_notebook(notebooks[0]))
        elif (autograder / "tests").is_dir():
            found = _read_folder(autograder)
        else:
            raise ConfigError(f"{path}: otter assign wrote no tests")
    source = OtterSource(path=path, kind="master", name=found.name, tests=found.tests, config=found.config,
                         support_files=found.support_files, requirements=found.requirements,
                         pip_requirements=found.pip_requirements, fingerprint_files=(path,))
    _MASTERS[key] = source
    return source


# --------------------------------------------------------------------------- helpers


def _join(*texts: str) -> str:
    return "\n".join(t for t in texts if t)


def _present(*paths: Path) -> tuple[Path, ...]:
    return tuple(p for p in paths if p.is_file())


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_TEST_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_TEST_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot be read ({e})") from None


def _read_config(path: Path) -> dict:
    try:
        return _parse_config(path.read_bytes(), str(path))
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read ({e})") from None


def _parse_config(data: bytes, where: str) -> dict:
    try:
        config = json.loads(data.decode("utf-8"))
    except ValueError as e:
        raise ConfigError(f"{where}: not valid JSON ({e})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    return config


def _name_of(path: Path) -> str:
    stem = path.stem if path.is_file() else path.name
    if stem == "tests" and path.is_dir():
        stem = path.resolve().parent.name
    return re.sub(r"-autograder(_\d{4}_\d\d_\d\dT[\d_]+)?$", "", stem) or "otter"
