"""Find, unpack and validate a submission -> :class:`Submission` (source text, never imported).

Accepted: a ``.py`` file, a ``.ipynb`` notebook, a ``.zip`` of one submission, or a folder.
A notebook's code cells become separate chunks, executed one after the other like a kernel
with "continue on error" would; IPython magics and shell lines are replaced by ``pass`` (same
line numbers) and listed in ``notes``. Anything unsafe or unreadable is a SubmissionError
with a one-line reason; the grader turns it into a graded zero, never a traceback.
"""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.errors import SubmissionError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_COMPRESSION_RATIO = 200
SOURCE_SUFFIXES = (".py", ".ipynb")
_MAGIC = re.compile(r"^\s*([%!]|\?\w|\w+\?\s*$)")


@dataclass(frozen=True)
class Submission:
    key: str
    files: dict[str, str]
    main: str
    chunks: tuple[str, ...]
    notes: tuple[str, ...] = ()
    metadata: dict = field(default_factory=dict)


def load_submission(path: str | Path, *, starter: str, key: str | None = None) -> Submission:
    """Read ``path`` as a submission for an assignment whose starter file is ``starter``.

    >>> load_submission("alice.py", starter="hw1.py").main
    'alice.py'
    """
    path = Path(path)
    key = key or path.stem
    if path.is_symlink():
        raise SubmissionError(f"{path.name}: symbolic links are not accepted")
    if path.is_dir():
        return _from_entries(_folder_entries(path), starter=starter, key=key, origin=path.name)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _from_entries(_zip_entries(path), starter=starter, key=key, origin=path.name)
    if suffix in SOURCE_SUFFIXES:
        return _from_entries({path.name: _read_bytes(path)}, starter=starter, key=key, origin=path.name)
    raise SubmissionError(f"{path.name}: expected a .py, .ipynb or .zip file or a folder")


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SubmissionError(f"{path.name}: {size} bytes is larger than the {MAX_FILE_BYTES} byte limit")
        return path.read_bytes()
    except PermissionError:
        raise SubmissionError(f"{path.name}: the file cannot be read (permission denied)") from None


def _folder_entries(folder: Path) -> dict[str, bytes]:
    entries = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            raise SubmissionError(f"{rel}: symbolic links are not accepted")
        if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES and not _ignored(rel):
            entries[rel] = _read_bytes(p)
    return entries


def _zip_entries(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise SubmissionError(f"{path.name}: not a readable zip file ({e})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise SubmissionError(f"{path.name}: {len(infos)} entries, more than the {MAX_ZIP_ENTRIES} allowed")
        total = 0
        entries = {}
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or ":" in name or "\\" in name:
                raise SubmissionError(f"{path.name}: entry {name!r} would be written outside the submission")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise SubmissionError(f"{path.name}: entry {name!r} is a symbolic link")
            total += info.file_size
            if total > MAX_ZIP_BYTES or (info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
                                         and info.file_size > 1024 * 1024):
                raise SubmissionError(f"{path.name}: unpacks to too much data (zip bomb?)")
            if info.is_dir() or PurePosixPath(name).suffix.lower() not in SOURCE_SUFFIXES or _ignored(name):
                continue
            if info.file_size > MAX_FILE_BYTES:
                raise SubmissionError(f"{path.name}: {name} is larger than the {MAX_FILE_BYTES} byte limit")
            with archive.open(info) as f:
                data = f.read(MAX_FILE_BYTES + 1)
            entries[name] = data
        return entries


def _ignored(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return any(p.startswith(".") or p in ("__MACOSX", "__pycache__") for p in parts)


def _from_entries(entries: dict[str, bytes], *, starter: str, key: str, origin: str) -> Submission:
    if not entries:
        raise SubmissionError(f"{origin}: no .py or .ipynb file in the submission")
    main_entry = _pick_main(entries, starter=starter, origin=origin)
    main_dir = str(PurePosixPath(main_entry).parent)
    files: dict[str, str] = {}
    notes: list[str] = []
    chunks: tuple[str, ...] = ()
    main = PurePosixPath(main_entry).name
    for name, data in entries.items():
        if str(PurePosixPath(name).parent) != main_dir:
            continue
        base = PurePosixPath(name).name
        if base.endswith(".ipynb"):
            if name != main_entry:
                continue
            cells, cell_notes = notebook_chunks(data, origin=base)
            notes += cell_notes
            chunks = tuple(cells)
            main = base[: -len(".ipynb")] + ".py"
            files[main] = "\n\n".join(cells)
        else:
            files[base] = _decode(data, base)
            if name == main_entry:
                chunks = (files[base],)
    return Submission(key=key, files=files, main=main, chunks=chunks, notes=tuple(notes))


def _pick_main(entries: dict[str, bytes], *, starter: str, origin: str) -> str:
    stem = PurePosixPath(starter).stem
    by_base = {}
    for name in entries:
        by_base.setdefault(PurePosixPath(name).name, []).append(name)
    for wanted in (starter, f"{stem}.ipynb"):
        if wanted in by_base:
            return sorted(by_base[wanted], key=len)[0]
    notebooks = [n for n in entries if n.endswith(".ipynb")]
    scripts = [n for n in entries if n.endswith(".py")]
    for group in (notebooks, scripts):
        if len(group) == 1:
            return group[0]
    raise SubmissionError(f"{origin}: cannot tell which file to grade; name it {starter} "
                          f"(found {', '.join(sorted(entries))})")


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(f"{name}: not UTF-8 text") from None


def notebook_chunks(data: bytes, *, origin: str) -> tuple[list[str], list[str]]:
    """The code cells of a notebook, magics neutralised; raises SubmissionError if it is not one."""
    try:
        nb = json.loads(_decode(data, origin))
    except ValueError as e:
        raise SubmissionError(f"{origin}: not a valid notebook (invalid JSON: {e})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or "nbformat" not in nb:
        raise SubmissionError(f"{origin}: not a Jupyter notebook (no 'cells' or 'nbformat')")
    if nb.get("nbformat") != 4:
        raise SubmissionError(f"{origin}: notebook format {nb.get('nbformat')} is not supported (save as version 4)")
    chunks: list[str] = []
    notes: list[str] = []
    for index, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.lstrip().startswith("%%"):
            notes.append(f"cell {index}: cell magic {source.split()[0]} skipped")
            continue
        lines = []
        for line in source.splitlines():
            if _MAGIC.match(line):
                indent = line[: len(line) - len(line.lstrip())]
                lines.append(f"{indent}pass  # dropped: {line.strip()[:40]}")
                notes.append(f"cell {index}: '{line.strip()[:40]}' ignored")
            else:
                lines.append(line)
        chunks.append("\n".join(lines))
    return chunks, notes
