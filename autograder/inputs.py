"""Find the submissions in what a TA hands over: files, zips, folders, Gradescope exports.

Each submission gets a stable id: the Gradescope submission id when there is one, else the
file or folder name (made unique). A Gradescope "Export Submissions" zip is unpacked safely
into the output folder (entries that would land outside it, symlinks, oversized and
unreadable entries are refused, and the submission they belong to is reported, not the whole
batch).

Names, ids, emails and submission times are trusted only where the TA put them: the
``submission_metadata.yml`` at the root of an export folder or zip given on the command line
(a zip's root may be its one top-level folder, as Gradescope makes it). One found anywhere
else, in a student's folder or zip, is never read. Each of its keys must name a folder directly
inside the export; any other key is refused as an invalid submission of its own, and cannot
stand for another student's folder.
"""

from __future__ import annotations

import re
import stat
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from autograder.errors import UsageError
from autograder.submission import MAX_COMPRESSION_RATIO, MAX_FILE_BYTES, SOURCE_SUFFIXES

METADATA = "submission_metadata.yml"
MAX_EXPORT_BYTES = 4 * 1024 * 1024 * 1024
#: Gradescope writes a few hundred bytes per submission; this is room for a class of 50,000
MAX_METADATA_BYTES = 32 * 1024 * 1024
_SUBMISSION_FOLDER = re.compile(r"^submission_(\d+)$")


@dataclass(frozen=True)
class SubmissionRef:
    id: str
    path: Path
    #: submitters (name, sid, email), created_at (ISO text), from Gradescope's export
    metadata: dict = field(default_factory=dict)
    #: why this submission cannot be read, found while unpacking (graded as invalid)
    problem: str | None = None


def discover(inputs: list[Path], *, starter: str, unpack_to: Path, out: Path | None = None) -> list[SubmissionRef]:
    """Every submission in ``inputs``, in a stable order, with unique ids. ``out``, the batch's
    own output folder, is never one, even inside a class folder given as input."""
    refs: list[SubmissionRef] = []
    skip = Path(out).resolve() if out is not None else None
    for item in inputs:
        item = Path(item)
        if not item.exists() and not item.is_symlink():
            raise UsageError(f"submission not found: {item} (expected a .py, .ipynb, .zip, a folder or a Gradescope export)")
        prefix = _zip_export_root(item) if item.suffix.lower() == ".zip" and item.is_file() else None
        if item.is_dir() and _is_export_folder(item):
            refs += _export_folder(item)
        elif prefix is not None:
            folder, problems = _unpack_export(item, unpack_to / item.stem, prefix=prefix)
            refs += _export_folder(folder, problems=problems)
        elif item.is_dir() and not _is_one_submission(item, starter):
            children = [child for child in sorted(item.iterdir())
                        if _looks_like_submission(child) and (skip is None or child.resolve() != skip)]
            for child in children:
                if child.is_dir() and not child.is_symlink() and (child / METADATA).exists():
                    _warn(f"{child / METADATA} ignored: names and times are read only from an export "
                          "folder or zip given on the command line")
            refs += [SubmissionRef(id=child.stem if child.is_file() else child.name, path=child) for child in children]
        else:
            refs.append(SubmissionRef(id=item.stem if item.is_file() else item.name, path=item))
    return _unique(refs)


#: an id names the result's file (and its temporary twin, 20 bytes longer): 255 bytes at most
MAX_ID_BYTES = 100


def _unique(refs: list[SubmissionRef]) -> list[SubmissionRef]:
    seen: dict[str, int] = {}
    out = []
    for ref in refs:
        safe = re.sub(r"[^\w.-]+", "_", ref.id).encode()[:MAX_ID_BYTES].decode(errors="ignore") or "submission"
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


def _is_export_folder(folder: Path) -> bool:
    """The metadata at the folder's own root, beside submission folders only: a student's folder
    holds their files beside it, and what they wrote there says nothing about who they are."""
    metadata = folder / METADATA
    if metadata.is_symlink() or not metadata.is_file():
        return False
    own = [p.name for p in folder.iterdir() if p.suffix.lower() in SOURCE_SUFFIXES and not p.name.startswith(".")]
    if own:
        _warn(f"{metadata} ignored: it sits beside a submission's own files ({own[0]}), so {folder} is graded "
              "as one submission")
        return False
    return True


def _zip_export_root(path: Path) -> str | None:
    """Where an export zip's root is ("" or its one top-level folder, "name/"), or None if the zip
    is not an export (then it is loaded as one submission, which reports a zip it cannot read)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except Exception:  # noqa: BLE001 - any failure to list a zip means it is not an export we can read
        return None
    if METADATA in names:
        prefix = ""
    else:
        tops = {name.split("/")[0] for name in names if not _ignored_top(name)}
        if len(tops) != 1:
            return None
        prefix = f"{tops.pop()}/"
        if prefix + METADATA not in names:
            return None
    own = [n for n in names if n.startswith(prefix) and "/" not in n[len(prefix):]
           and PurePosixPath(n).suffix.lower() in SOURCE_SUFFIXES]
    if own:
        _warn(f"{path.name}: its {METADATA} is ignored: it sits beside a submission's own files "
              f"({own[0]!r}), so the zip is graded as one submission")
        return None
    return prefix


def _ignored_top(name: str) -> bool:
    top = name.split("/")[0]
    return top == "__MACOSX" or top.startswith(".")


def _unpack_export(path: Path, dest: Path, *, prefix: str) -> tuple[Path, dict[str, str]]:
    """Unpack an export zip entry by entry: its root folder, and what was refused by submission
    folder. A bad entry marks its submission, never the batch."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.joinpath(*PurePosixPath(prefix).parts)
    problems: dict[str, str] = {}
    total = 0
    try:
        archive = zipfile.ZipFile(path)
    except Exception as e:  # noqa: BLE001 - it was listed a moment ago: whatever changed, say it in one line
        raise UsageError(f"{path.name}: not a readable zip ({type(e).__name__}: {e})") from None
    with archive:
        for info in archive.infolist():
            name = info.filename
            if _ignored_top(name):
                continue
            total += info.file_size
            if total > MAX_EXPORT_BYTES:
                raise UsageError(f"{path.name}: the export unpacks to more than {MAX_EXPORT_BYTES} bytes")
            parts = PurePosixPath(name[len(prefix):]).parts if name.startswith(prefix) else ("..",)
            # the submission folder the entry is in, which its refusal is reported on
            owner = parts[0] if len(parts) > 1 and parts[0] not in ("/", "..") else None
            reason = _refused_entry(info, parts)
            if reason is None and not info.is_dir():
                target = root.joinpath(*parts)
                try:
                    if not target.resolve().is_relative_to(root.resolve()):
                        reason = f"entry {name!r} would be written outside its folder"
                    else:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with archive.open(info) as src, open(target, "wb") as out:
                            out.write(src.read())
                except Exception as e:  # noqa: BLE001 - bad CRC, unsupported compression, encryption, a
                    # corrupt stream, a name the filesystem refuses...: a broken entry is its submission's problem
                    reason = f"entry {name!r} cannot be unpacked ({type(e).__name__}: {e})"
            if reason is None:
                continue
            if owner is not None:
                problems.setdefault(owner, reason)
            else:
                _warn(f"{path.name}: {reason}; not unpacked")
    if not (root / METADATA).is_file():
        raise UsageError(f"{path.name}: no {METADATA} in the export")
    return root, problems


def _refused_entry(info: zipfile.ZipInfo, parts: tuple[str, ...]) -> str | None:
    name = info.filename
    if name.startswith("/") or ".." in parts or "\\" in name:
        return f"entry {name!r} would be written outside its folder"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"entry {name!r} is a symbolic link"
    if info.file_size > MAX_FILE_BYTES * 4 or (
            info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
            and info.file_size > 1024 * 1024):
        return f"entry {name!r} unpacks to too much data (zip bomb?)"
    return None


def _export_folder(folder: Path, *, problems: dict[str, str] | None = None) -> list[SubmissionRef]:
    """The submissions of an export whose root is ``folder``: each metadata key that names a
    folder directly inside it, then each refused key, as an invalid submission."""
    raw = _read_metadata(folder / METADATA)
    problems = problems or {}
    refs, refused = [], []
    for key in sorted(raw, key=str):
        refusal = _refused_key(folder, key)
        if refusal is not None:
            # no names: a key that is not the export's own folder speaks for nobody
            refused.append(SubmissionRef(id=f"refused_{key}", path=folder, problem=refusal))
            continue
        match = _SUBMISSION_FOLDER.match(key)
        path = folder / key
        problem = problems.get(key)
        if problem is None and not path.exists():
            problem = f"folder {key} is missing from the export"
        refs.append(SubmissionRef(id=match.group(1) if match else key, path=path, metadata=_metadata(raw[key]),
                                  problem=problem))
    return refs + refused


def _read_metadata(path: Path) -> dict:
    from autograder import yamldata

    size = path.stat().st_size
    if size > MAX_METADATA_BYTES:
        raise UsageError(f"{path}: {size} bytes, more than the {MAX_METADATA_BYTES} an export's metadata may be")
    try:
        raw = yamldata.load_untrusted(path.read_text(encoding="utf-8")) or {}
    except yamldata.RefusedYAML as e:
        raise UsageError(f"{path}: refused: {e}") from None
    except (yamldata.yaml.YAMLError, UnicodeDecodeError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise UsageError(f"{path}: not valid YAML ({reason})") from None
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: expected submission folders as keys, found a {type(raw).__name__}")
    return raw


def _refused_key(folder: Path, key: object) -> str | None:
    """Why ``key`` cannot be a submission of the export at ``folder``, or None: it must be the
    name of a folder directly inside it (no path, no link), so that it can only stand for itself."""
    shown = repr(key)[:80]
    why = f"{METADATA}: key {shown} refused: it is not the name of a submission folder inside the export"
    if not isinstance(key, str) or key in ("", ".", "..") or any(c in key for c in "/\\\0"):
        return why
    path = folder / key
    if path.is_symlink():
        return f"{METADATA}: key {shown} refused: the folder is a symbolic link"
    if path.exists() and (not path.is_dir() or path.resolve().parent != folder.resolve()):
        return why
    return None


def _metadata(entry: object) -> dict:
    """Gradescope's YAML uses Ruby-symbol keys (":submitters:"); keep what the gradebook needs,
    as plain values (text, numbers), whatever else the file holds."""
    def get(d: dict, name: str):
        return d.get(f":{name}", d.get(name))

    entry = entry if isinstance(entry, dict) else {}
    people = get(entry, "submitters")
    submitters = [{"name": _scalar(get(s, "name")), "sid": _scalar(get(s, "sid")), "email": _scalar(get(s, "email"))}
                  for s in (people if isinstance(people, list) else []) if isinstance(s, dict)]
    created = get(entry, "created_at")
    return {"submitters": submitters, "created_at": created.isoformat() if isinstance(created, date) else _scalar(created)}


def _scalar(value: object) -> str | int | float | None:
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


#: what was already said once in this process
_warned: set[str] = set()


def _warn(text: str) -> None:
    from autograder.report.text import terminal_safe

    if text not in _warned:
        _warned.add(text)
        print(f"warning: {terminal_safe(text)}", file=sys.stderr)
