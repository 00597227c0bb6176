"""Find, unpack and validate a submission -> :class:`Submission` (source text, never imported).

Accepted: a ``.py`` file, a ``.ipynb`` notebook, a ``.zip`` of one submission, or a folder.
A notebook's code cells become separate chunks, executed one after the other like a kernel
with "continue on error" would; IPython magics and shell lines are replaced by ``pass`` (same
line numbers) and listed in ``notes``; the notebook's own ``check()`` lines (its last cell)
become ``pass`` too, without a note. Anything unsafe or unreadable is a SubmissionError
with a one-line reason; the grader turns it into a graded zero, never a traceback. Whatever
the bytes are (a notebook nested 100,000 levels deep, a cell whose source is a number, a zip
entry with a bad CRC or an unknown compression), reading them fails into that error, and no
file makes this module read more than its limits allow.
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
#: a zip's central directory is parsed whole before any entry is read: 500 entries with long
#: names fit in far less, 50 MB of one-byte names would be 600,000 entries (0.5 GB, 5 s)
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024
#: files and folders walked in a submission folder (data files included) before it is refused
MAX_FOLDER_ENTRIES = 100_000
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
    #: the notebook cell each chunk comes from, as a student counts them (1 is the notebook's first
    #: cell, markdown included); empty for a .py file. A report names the cell that raised
    cells: tuple[int, ...] = ()


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
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # a FIFO or a device would block the grader on read, or never end
            raise _error("sub_not_regular", name=path.name)
        if info.st_size > MAX_FILE_BYTES:
            raise _error("sub_too_large", name=path.name, size=info.st_size, limit=MAX_FILE_BYTES)
        with open(path, "rb") as f:
            return f.read(MAX_FILE_BYTES + 1)  # the size may have changed since stat()
    except PermissionError:
        raise _error("sub_unreadable", name=path.name) from None
    except OSError as e:
        raise _error("sub_os_error", name=path.name, reason=e.strerror or type(e).__name__) from None


def _folder_entries(folder: Path) -> dict[str, bytes]:
    """The source files of a folder, read within a zip's limits (count and bytes of source files;
    data files beside them are only counted, up to :data:`MAX_FOLDER_ENTRIES`)."""
    try:
        paths = []
        for p in folder.rglob("*"):
            paths.append(p)
            if len(paths) > MAX_FOLDER_ENTRIES:
                raise _error("sub_too_many_files", name=folder.name, limit=MAX_FOLDER_ENTRIES)
    except OSError as e:
        raise _error("sub_os_error", name=folder.name, reason=e.strerror or type(e).__name__) from None
    entries = {}
    total = 0
    for p in sorted(paths):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            raise _error("sub_symlink", name=rel)
        if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES and not _ignored(rel):
            if len(entries) == MAX_ZIP_ENTRIES:
                raise _error("sub_too_many_files", name=folder.name, limit=MAX_ZIP_ENTRIES)
            entries[rel] = _read_bytes(p)
            total += len(entries[rel])
            if total > MAX_ZIP_BYTES:
                raise _error("sub_too_large", name=folder.name, size=total, limit=MAX_ZIP_BYTES)
    return entries


def _zip_entries(path: Path) -> dict[str, bytes]:
    _check_central_directory(path)
    try:
        archive = zipfile.ZipFile(path)
    except Exception as e:  # noqa: BLE001 - whatever zipfile fails with on these bytes, it is this submission's
        raise _error("sub_bad_zip", name=path.name, reason=_reason(e)) from None
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
            if name in entries:
                # two tools may show two different files: which one was submitted is not ours to guess
                raise _error("sub_zip_duplicate", name=path.name, entry=repr(name))
            try:
                with archive.open(info) as f:
                    entries[name] = f.read(MAX_FILE_BYTES + 1)
            except Exception as e:  # noqa: BLE001 - a bad CRC, an unsupported compression or
                # encryption, a corrupt or truncated stream: any failure to read the entry is this submission's
                raise _error("sub_zip_entry", name=path.name, entry=repr(name), reason=_reason(e)) from None
        return entries


def _check_central_directory(path: Path) -> None:
    """Refuse a zip whose central directory is too large, before :class:`zipfile.ZipFile` parses it
    all (it reads the end record the same way: that function is its own)."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # pragma: no cover - a Python without it: the entry count is still checked after
        return
    try:
        with open(path, "rb") as f:
            record = end_record(f)
    except Exception:  # noqa: BLE001 - unreadable here is reported by zipfile.ZipFile, next, with its reason
        return
    if record is None:
        return
    entries, size = record[zipfile._ECD_ENTRIES_TOTAL], record[zipfile._ECD_SIZE]
    if entries > MAX_ZIP_ENTRIES:
        raise _error("sub_zip_entries", name=path.name, count=entries, limit=MAX_ZIP_ENTRIES)
    if size > MAX_CENTRAL_DIRECTORY_BYTES:  # few entries said, many bytes of them: a zip made to lie
        raise _error("sub_zip_bomb", name=path.name)


def _reason(e: BaseException) -> str:
    """One short line: the exception's type and the first line of its message."""
    kind = type(e).__name__
    if kind.islower():  # zlib.error, struct.error: the bare name says nothing
        kind = f"{type(e).__module__}.{kind}"
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{kind}: {text}"[:200] if text else kind


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
    numbers: tuple[int, ...] = ()
    main = PurePosixPath(main_entry).name
    for name, data in entries.items():
        if str(PurePosixPath(name).parent) != main_dir:
            continue
        base = PurePosixPath(name).name
        if base.endswith(".ipynb"):
            if name != main_entry:
                continue
            cells, cell_notes = notebook_code_cells(data, origin=base)
            notes += cell_notes
            chunks = tuple(source for _, source in cells)
            numbers = tuple(number for number, _ in cells)
            main = base[: -len(".ipynb")] + ".py"
            files[main] = "\n\n".join(chunks)
        else:
            files[base] = _decode(data, base)
            if name == main_entry:
                chunks = (files[base],)
    return Submission(key=key, files=files, main=main, chunks=chunks, notes=tuple(notes), cells=numbers)


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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error("sub_not_utf8", name=name) from None
    if "\0" in text:
        raise _error("sub_nul", name=name)
    return text


def notebook_chunks(data: bytes, *, origin: str) -> tuple[list[str], list[Message]]:
    """The code cells of a notebook, magics neutralised; raises SubmissionError if it is not one."""
    cells, notes = notebook_code_cells(data, origin=origin)
    return [source for _, source in cells], notes


def notebook_code_cells(data: bytes, *, origin: str) -> tuple[list[tuple[int, str]], list[Message]]:
    """:func:`notebook_chunks`, each with its cell's number in the notebook (1-based, markdown
    cells counted, as in the notes): what a report names when a cell raises."""
    text = _decode(data, origin)
    try:
        nb = json.loads(text)
    except RecursionError:
        raise _error("sub_nb_too_deep", name=origin) from None
    except (ValueError, MemoryError) as e:
        raise _error("sub_nb_json", name=origin, reason=_reason(e)) from None
    if not isinstance(nb, dict) or "nbformat" not in nb:
        raise _error("sub_nb_not_notebook", name=origin)
    if nb.get("nbformat") != 4:
        raise _error("sub_nb_version", name=origin, version=nb.get("nbformat"))
    if not isinstance(nb.get("cells"), list):
        raise _error("sub_nb_not_notebook", name=origin)
    chunks: list[tuple[int, str]] = []
    notes: list[Message] = []
    for index, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict):
            raise _error("sub_nb_cell", name=origin, cell=index, found=type(cell).__name__)
        if cell.get("cell_type") != "code":
            continue
        source = _cell_source(cell.get("source", ""), origin=origin, cell=index)
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
                # check() is for the student's kernel (the starter notebook ends with it); in the
                # grader it would only fail. Dropped without a note: nothing the student must act on
                lines.append(f"{indent}pass  # dropped: {line.strip()[:40]}")
            else:
                lines.append(line)
        chunks.append((index, "\n".join(lines)))
    return chunks, notes


def _cell_source(source: object, *, origin: str, cell: int) -> str:
    """A code cell's source: text, or a list of lines of text (nbformat's two forms), nothing else."""
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        found = (f"list[{type(next(x for x in source if not isinstance(x, str))).__name__}]"
                 if isinstance(source, list) else type(source).__name__)
        raise _error("sub_nb_source", name=origin, cell=cell, found=found)
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800" in the JSON): no file can hold it
        raise _error("sub_nb_bad_text", name=origin, cell=cell) from None
    if "\0" in source:
        raise _error("sub_nb_bad_text", name=origin, cell=cell)
    return source
