"""The gradebook: one row per submission, one column per question, ready for a spreadsheet.

Columns: submission id, student names, ids and emails (``; `` between group members),
submission time, hours late and a late flag, one column per auto-graded question, an empty
column per hand-graded part (for the TA to fill in), the auto-graded total, the maximum, the
hand-graded maximum, and the status (graded, error, timeout, crashed, invalid).
"""

from __future__ import annotations

from pathlib import Path

from autograder.assignment import Assignment
from autograder.errors import UsageError
from autograder.results import Results

FORMATS = ("parquet", "xlsx")


def gradebook(all_results: list[Results], assignment: Assignment):
    """A pandas DataFrame of the class."""
    import pandas as pd

    rows = []
    for r in all_results:
        people = r.metadata.get("submitters") or r.metadata.get("users") or []
        row = {
            "submission_id": r.submission,
            "names": "; ".join(str(p.get("name") or "") for p in people),
            "student_ids": "; ".join(str(p.get("sid") or p.get("id") or "") for p in people),
            "emails": "; ".join(str(p.get("email") or "") for p in people),
            "submitted_at": r.metadata.get("created_at") or "",
            "hours_late": r.metadata.get("hours_late", 0.0) if r.metadata.get("created_at") else None,
            "late": bool(r.late),
        }
        scores = {q.id: q.score for q in r.questions}
        for q in assignment.questions:
            if q.graded == "auto":
                row[q.id] = scores.get(q.id, 0.0)
            else:
                row[f"{q.id} (hand)"] = None
        row.update(auto_total=r.score, auto_max=assignment.auto_points, hand_max=assignment.hand_points,
                   status=r.status)
        rows.append(row)
    return pd.DataFrame(rows)


def write_gradebook(all_results: list[Results], assignment: Assignment, path: Path, *,
                    formats: tuple[str, ...] = ()) -> list[Path]:
    """Write ``grades.csv`` and, on request, the same table as ``grades.parquet`` / ``grades.xlsx``."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise UsageError(f"unknown gradebook format {sorted(unknown)[0]!r} (choose from {', '.join(FORMATS)})")
    table = gradebook(all_results, assignment)
    path = Path(path)
    written = [_atomic(path, lambda tmp: table.to_csv(tmp, index=False))]
    if "parquet" in formats:
        written.append(_atomic(path.with_suffix(".parquet"), lambda tmp: table.to_parquet(tmp, index=False)))
    if "xlsx" in formats:
        written.append(_atomic(path.with_suffix(".xlsx"), lambda tmp: table.to_excel(tmp, index=False)))
    return written


def write_regrade_diff(changes: list[tuple[str, str, float, float]], all_results: list[Results], path: Path) -> Path:
    """Who gained or lost points, on which question, after a regrade."""
    import pandas as pd

    names = {r.submission: "; ".join(str(p.get("name") or "") for p in r.metadata.get("submitters") or [])
             for r in all_results}
    table = pd.DataFrame([{"submission_id": s, "names": names.get(s, ""), "question": q, "old": old, "new": new,
                           "change": round(new - old, 6)} for s, q, old, new in changes])
    return _atomic(Path(path), lambda tmp: table.to_csv(tmp, index=False))


def _atomic(path: Path, write) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")  # same suffix: pandas picks the Excel engine by it
    write(tmp)
    tmp.replace(path)
    return path
