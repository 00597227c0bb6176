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
from autograder.messages import Message, render

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_COMPRESSION_RATIO = 200
SOURCE_SUFFIXES = (".py", ".ipynb")
_MAGIC = re.compile(r"^\s*([%!]|\?\w|\w+\?\s*$)")
#: a notebook's own call of the public checks (``from autograder import check``, ``check("q5")``)
OWN_CHECK_LINE = re.compile(r"^\s*(from\s+autograder\b|import\s+autograder\b|(\w+\s*=\s*)?(autograder\.)?check\s*\()")


def _error(key: str, **params: object) -> SubmissionError:
    message = Message(key, params)
    return SubmissionError(render(message, "en"), message)


@dataclass(frozen=True)
class Submission:
    key: str
    files: dict[str, str]
    main: str
    chunks: tuple[str, ...]
    #: what loading changed (magics dropped...), rendered in the assignment's language by the grader
    notes: tuple[Message, ...] = ()
    metadata: dict = field(default_factory=dict)


def load_submission(path: str | Path, *, starter: str, key: str | None = None) -> Submission:
    """Read ``path`` as a submission for an assignment whose starter file is ``starter``.

    >>> load_submission("alice.py", starter="hw1.py").main
    'alice.py'
    """
    path = Path(path)
    key = key or path.stem
    if path.is_symlink():
        raise _error("sub_symlink", name=path.name)
    if path.is_dir():
        return _from_entries(_folder_entries(path), starter=starter, key=key, origin=path.name)
    if not path.exists():
        raise _error("sub_missing", name=str(path))
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _from_entries(_zip_entries(path), starter=starter, key=key, origin=path.name)
    if suffix in SOURCE_SUFFIXES:
        return _from_entries({path.name: _read_bytes(path)}, starter=starter, key=key, origin=path.name)
    raise _error("sub_suffix", name=path.name)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _error("sub_too_large", name=path.name, size=size, limit=MAX_FILE_BYTES)
        return path.read_bytes()
    except PermissionError:
        raise _error("sub_unreadable", name=path.name) from None


def _folder_entries(folder: Path) -> dict[str, bytes]:
    entries = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            raise _error("sub_symlink", name=rel)
        if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES and not _ignored(rel):
            entries[rel] = _read_bytes(p)
    return entries


def _zip_entries(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _error("sub_bad_zip", name=path.name, reason=str(e)) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise _error("sub_zip_entries", name=path.name, count=len(infos), limit=MAX_ZIP_ENTRIES)
        total = 0
        entries = {}
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or ":" in name or "\\" in name:
                raise _error("sub_zip_outside", name=path.name, entry=repr(name))
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _error("sub_zip_link", name=path.name, entry=repr(name))
            total += info.file_size
            if total > MAX_ZIP_BYTES or (info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
                                         and info.file_size > 1024 * 1024):
                raise _error("sub_zip_bomb", name=path.name)
            if info.is_dir() or PurePosixPath(name).suffix.lower() not in SOURCE_SUFFIXES or _ignored(name):
                continue
            if info.file_size > MAX_FILE_BYTES:
                raise _error("sub_too_large", name=f"{path.name}/{name}", size=info.file_size, limit=MAX_FILE_BYTES)
            with archive.open(info) as f:
                data = f.read(MAX_FILE_BYTES + 1)
            entries[name] = data
        return entries


def _ignored(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return any(p.startswith(".") or p in ("__MACOSX", "__pycache__") for p in parts)


def _from_entries(entries: dict[str, bytes], *, starter: str, key: str, origin: str) -> Submission:
    if not entries:
        raise _error("sub_no_source", name=origin)
    main_entry = _pick_main(entries, starter=starter, origin=origin)
    main_dir = str(PurePosixPath(main_entry).parent)
    files: dict[str, str] = {}
    notes: list[Message] = []
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
    raise _error("sub_ambiguous", name=origin, starter=starter, found=", ".join(sorted(entries)))


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error("sub_not_utf8", name=name) from None


def notebook_chunks(data: bytes, *, origin: str) -> tuple[list[str], list[Message]]:
    """The code cells of a notebook, magics neutralised; raises SubmissionError if it is not one."""
    try:
        nb = json.loads(_decode(data, origin))
    except ValueError as e:
        raise _error("sub_nb_json", name=origin, reason=str(e)) from None
    if not isinstance(nb, dict) or "nbformat" not in nb:
        raise _error("sub_nb_not_notebook", name=origin)
    if nb.get("nbformat") != 4:
        raise _error("sub_nb_version", name=origin, version=nb.get("nbformat"))
    if not isinstance(nb.get("cells"), list):
        raise _error("sub_nb_not_notebook", name=origin)
    chunks: list[str] = []
    notes: list[Message] = []
    for index, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.lstrip().startswith("%%"):
            notes.append(Message("note_cell_magic", {"cell": index, "magic": source.split()[0]}))
            continue
        lines = []
        for line in source.splitlines():
            indent = line[: len(line) - len(line.lstrip())]
            if _MAGIC.match(line):
                lines.append(f"{indent}pass  # dropped: {line.strip()[:40]}")
                notes.append(Message("note_magic", {"cell": index, "line": line.strip()[:40]}))
            elif OWN_CHECK_LINE.match(line):
                # the student's own check() is for their kernel; in the grader it would only fail
                lines.append(f"{indent}pass  # dropped: {line.strip()[:40]}")
                notes.append(Message("note_check_cell", {"cell": index}))
            else:
                lines.append(line)
        chunks.append("\n".join(lines))
    return chunks, notes
