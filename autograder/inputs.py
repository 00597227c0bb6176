"""Find the submissions in what a TA hands over: files, zips, folders, Gradescope exports.

Each submission gets a stable id: the Gradescope submission id when there is one, else the
file or folder name (made unique). A Gradescope "Export Submissions" zip is unpacked safely
into the output folder (entries that would land outside it, symlinks and oversized entries
are refused, and the submission they belong to is reported, not the whole batch).
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.errors import UsageError
from autograder.submission import MAX_COMPRESSION_RATIO, MAX_FILE_BYTES, SOURCE_SUFFIXES

METADATA = "submission_metadata.yml"
MAX_EXPORT_BYTES = 4 * 1024 * 1024 * 1024
_SUBMISSION_FOLDER = re.compile(r"^submission_(\d+)$")


@dataclass(frozen=True)
class SubmissionRef:
    id: str
    path: Path
    #: submitters (name, sid, email), created_at (ISO text), from Gradescope's export
    metadata: dict = field(default_factory=dict)
    #: why this submission cannot be read, found while unpacking (graded as invalid)
    problem: str | None = None


def discover(inputs: list[Path], *, starter: str, unpack_to: Path) -> list[SubmissionRef]:
    """Every submission in ``inputs``, in a stable order, with unique ids."""
    refs: list[SubmissionRef] = []
    for item in inputs:
        item = Path(item)
        if not item.exists() and not item.is_symlink():
            raise UsageError(f"submission not found: {item} (expected a .py, .ipynb, .zip, a folder or a Gradescope export)")
        if item.is_dir() and _find_metadata(item):
            refs += _export_folder(_find_metadata(item).parent)
        elif item.suffix.lower() == ".zip" and item.is_file() and _zip_is_export(item):
            refs += _export_folder(_unpack_export(item, unpack_to / item.stem))
        elif item.is_dir() and not _is_one_submission(item, starter):
            refs += [SubmissionRef(id=child.stem if child.is_file() else child.name, path=child)
                     for child in sorted(item.iterdir()) if _looks_like_submission(child)]
        else:
            refs.append(SubmissionRef(id=item.stem if item.is_file() else item.name, path=item))
    return _unique(refs)


def _unique(refs: list[SubmissionRef]) -> list[SubmissionRef]:
    seen: dict[str, int] = {}
    out = []
    for ref in refs:
        safe = re.sub(r"[^\w.-]+", "_", ref.id) or "submission"
        seen[safe] = seen.get(safe, 0) + 1
        out.append(ref if seen[safe] == 1 and safe == ref.id else
                   SubmissionRef(id=safe if seen[safe] == 1 else f"{safe}-{seen[safe]}", path=ref.path,
                                 metadata=ref.metadata, problem=ref.problem))
    return out


def _looks_like_submission(path: Path) -> bool:
    if path.name.startswith(".") or path.name == METADATA:
        return False
    return path.is_dir() or path.is_symlink() or path.suffix.lower() in (*SOURCE_SUFFIXES, ".zip")


def _is_one_submission(folder: Path, starter: str) -> bool:
    """A folder is one submission if it holds the starter's file, or exactly one source file and no more."""
    names = [p for p in folder.iterdir() if not p.name.startswith(".")]
    stem = Path(starter).stem
    if any(p.name in (starter, f"{stem}.ipynb") for p in names):
        return True
    sources = [p for p in names if p.suffix.lower() in SOURCE_SUFFIXES]
    return len(sources) == 1 and not any(p.is_dir() or p.suffix.lower() == ".zip" for p in names)


def _find_metadata(folder: Path) -> Path | None:
    for candidate in (folder / METADATA, *sorted(folder.glob(f"*/{METADATA}"))):
        if candidate.is_file():
            return candidate
    return None


def _zip_is_export(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(PurePosixPath(n).name == METADATA and len(PurePosixPath(n).parts) <= 2 for n in z.namelist())
    except zipfile.BadZipFile:
        return False


def _unpack_export(path: Path, dest: Path) -> Path:
    """Unpack an export zip entry by entry; a bad entry marks its submission, never the batch."""
    dest.mkdir(parents=True, exist_ok=True)
    problems: dict[str, str] = {}
    total = 0
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            parts = PurePosixPath(info.filename).parts
            owner = next((p for p in parts if _SUBMISSION_FOLDER.match(p)), None)
            reason = None
            if info.filename.startswith("/") or ".." in parts or "\\" in info.filename:
                reason = f"entry {info.filename!r} would be written outside its folder"
            elif stat.S_ISLNK(info.external_attr >> 16):
                reason = f"entry {info.filename!r} is a symbolic link"
            elif info.file_size > MAX_FILE_BYTES * 4 or (
                    info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
                    and info.file_size > 1024 * 1024):
                reason = f"entry {info.filename!r} unpacks to too much data (zip bomb?)"
            total += info.file_size
            if total > MAX_EXPORT_BYTES:
                raise UsageError(f"{path.name}: the export unpacks to more than {MAX_EXPORT_BYTES} bytes")
            if reason:
                problems[owner or "?"] = reason
                continue
            if info.is_dir():
                continue
            target = dest.joinpath(*parts)
            if not target.resolve().is_relative_to(dest.resolve()):
                problems[owner or "?"] = f"entry {info.filename!r} would be written outside its folder"
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, open(target, "wb") as out:
                out.write(src.read())
    metadata = _find_metadata(dest)
    if metadata is None:
        raise UsageError(f"{path.name}: no {METADATA} in the export")
    (metadata.parent / ".problems.yml").write_text(_yaml_dump(problems), encoding="utf-8")
    return metadata.parent


def _export_folder(folder: Path) -> list[SubmissionRef]:
    import yaml

    from autograder import yamldata

    try:
        raw = yamldata.safe_load((folder / METADATA).read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise UsageError(f"{folder / METADATA}: not valid YAML ({reason})") from None
    if not isinstance(raw, dict):
        raise UsageError(f"{folder / METADATA}: expected submission folders as keys, found a {type(raw).__name__}")
    problems_file = folder / ".problems.yml"
    problems = (yamldata.safe_load(problems_file.read_text(encoding="utf-8")) or {}) if problems_file.exists() else {}
    refs = []
    for key in sorted(raw, key=str):
        match = _SUBMISSION_FOLDER.match(str(key))
        entry = raw[key] if isinstance(raw[key], dict) else {}
        sub_id = match.group(1) if match else str(key)
        path = folder / str(key)
        problem = problems.get(str(key))
        if problem is None and not path.exists():
            problem = f"folder {key} is missing from the export"
        refs.append(SubmissionRef(id=sub_id, path=path, metadata=_metadata(entry), problem=problem))
    return refs


def _metadata(entry: dict) -> dict:
    """Gradescope's YAML uses Ruby-symbol keys (":submitters:"); keep what the gradebook needs."""
    def get(d: dict, name: str):
        return d.get(f":{name}", d.get(name))

    submitters = [{"name": get(s, "name"), "sid": get(s, "sid"), "email": get(s, "email")}
                  for s in get(entry, "submitters") or [] if isinstance(s, dict)]
    created = get(entry, "created_at")
    return {"submitters": submitters, "created_at": created.isoformat() if hasattr(created, "isoformat") else created}


def _yaml_dump(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True)
