"""The gradebook: one row per submission, one column per question, ready for a spreadsheet.

Columns: submission id, student names, ids and emails (``; `` between group members),
submission time, hours late and a late flag (blank when no due date is known: not "on time"),
the file or folder graded as it was named, one column per auto-graded question, one column per
hand-graded part (blank for the TA to fill in, or the hand grades given), the hand-graded total
and the total (blank while a hand grade is missing), the auto-graded total, the maximum, the
hand-graded maximum, and the status (graded, error, timeout, crashed, invalid). Columns are
added only between the late flag and the totals: the first seven and the last four stay where
they were.

Each LMS's grade import file is written from the same rows and totals by
:mod:`autograder.report.lms`.

Every file written here is safe to open in a spreadsheet: a text cell that a spreadsheet
would read as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return, OWASP's "CSV injection") gets a leading ``'``, so that a name such as
``=HYPERLINK("http://…")`` is shown, not run; in the Excel file every text cell is also stored
as text. Numbers (scores, ``-1.5``) stay numbers.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.assignment import Assignment
from autograder.errors import UsageError
from autograder.results import Results

if TYPE_CHECKING:
    import pandas as pd

#: the same table in another file format
FORMATS = ("parquet", "xlsx")
#: hand scores by submission id, then question id (see autograder.handgrades)
HandScores = dict[str, dict[str, float]]


def gradebook(all_results: list[Results], assignment: Assignment, *, hand: HandScores | None = None):
    """A pandas DataFrame of the class; ``hand`` fills the hand-graded columns and the totals."""
    import pandas as pd

    rows = []
    for r in all_results:
        people = r.metadata.get("submitters") or r.metadata.get("users") or []
        hours = r.metadata.get("hours_late")  # set only when a due date was known
        row = {
            "submission_id": r.submission,
            "names": "; ".join(str(p.get("name") or "") for p in people),
            "student_ids": "; ".join(str(p.get("sid") or p.get("id") or "") for p in people),
            "emails": "; ".join(str(p.get("email") or "") for p in people),
            "submitted_at": r.metadata.get("created_at") or "",
            "hours_late": hours,
            "late": True if r.late else (False if hours is not None else None),
            "file": r.metadata.get("file") or "",
        }
        scores = {q.id: q.score for q in r.questions}
        given = (hand or {}).get(r.submission, {})
        for q in assignment.questions:
            if q.graded == "auto":
                row[q.id] = scores.get(q.id, 0.0)
            else:
                row[f"{q.id} (hand)"] = given.get(q.id)
        hand_total, total = totals(r, assignment, hand)
        row.update(hand_total=hand_total, total=total, auto_total=r.score, auto_max=assignment.auto_points,
                   hand_max=assignment.hand_points, status=r.status)
        rows.append(row)
    return pd.DataFrame(rows)


def totals(results: Results, assignment: Assignment, hand: HandScores | None) -> tuple[float | None, float | None]:
    """The hand-graded total and the total of a submission: None (unknown) while a hand grade is missing."""
    given = (hand or {}).get(results.submission, {})
    if any(q.id not in given for q in assignment.hand_questions):
        return None, None
    hand_total = round(sum(given[q.id] for q in assignment.hand_questions), 6)
    return hand_total, round(results.score + hand_total, 6)


def write_gradebook(all_results: list[Results], assignment: Assignment, path: Path, *,
                    formats: tuple[str, ...] = (), hand: HandScores | None = None) -> list[Path]:
    """Write ``grades.csv`` and, on request, the same table as ``grades.parquet`` / ``grades.xlsx``;
    ``hand`` fills the hand-graded columns and the totals."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise UsageError(f"unknown gradebook format {sorted(unknown)[0]!r} (choose from {', '.join(FORMATS)})")
    table = spreadsheet_safe(gradebook(all_results, assignment, hand=hand))
    path = Path(path)
    written = [write_atomically(path, lambda tmp: table.to_csv(tmp, index=False, errors="replace"))]
    if "parquet" in formats:
        written.append(write_atomically(path.with_suffix(".parquet"), lambda tmp: table.to_parquet(tmp, index=False)))
    if "xlsx" in formats:
        written.append(write_atomically(path.with_suffix(".xlsx"), lambda tmp: _write_xlsx(table, tmp)))
    return written


def write_regrade_diff(changes: list[tuple[str, str, float, float]], all_results: list[Results], path: Path) -> Path:
    """Who gained or lost points, on which question, after a regrade."""
    import pandas as pd

    names = {r.submission: "; ".join(str(p.get("name") or "") for p in r.metadata.get("submitters") or [])
             for r in all_results}
    table = pd.DataFrame([{"submission_id": s, "names": names.get(s, ""), "question": q, "old": old, "new": new,
                           "change": round(new - old, 6)} for s, q, old, new in changes])
    return write_atomically(Path(path), lambda tmp: spreadsheet_safe(table).to_csv(tmp, index=False, errors="replace"))


#: what makes a spreadsheet read a cell as a formula: OWASP's list, and the full-width forms
#: that some spreadsheets take for the ASCII ones
_FORMULA_START = tuple("=+-@\t\r") + tuple("\uff1d\uff0b\uff0d\uff20")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; anything else as is.

    >>> neutralise('=HYPERLINK("http://x","click")'), neutralise(-1.5)
    ('\'=HYPERLINK("http://x","click")', -1.5)
    """
    if isinstance(value, str) and value.lstrip(" \n").startswith(_FORMULA_START):
        return "'" + value
    return value


def as_typed(cell: str) -> str:
    """A cell of a file written here as it was before :func:`neutralise`: without the ``'`` it added.

    >>> as_typed("'=1+1"), as_typed("'quoted")
    ('=1+1', "'quoted")
    """
    if cell.startswith("'") and cell[1:].lstrip(" \n").startswith(_FORMULA_START):
        return cell[1:]
    return cell


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (a DataFrame) with every text cell :func:`neutralise`-d; number columns untouched."""
    from pandas.api.types import is_numeric_dtype

    table = table.copy()
    for column in table.columns:
        if not is_numeric_dtype(table[column].dtype):  # object or string columns (pandas 3 has both)
            table[column] = table[column].map(neutralise)
    return table


#: characters an .xlsx file cannot hold at all (openpyxl refuses the whole cell), lone surrogates included
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    """The table as one sheet, each text cell typed as text: never a formula, whatever it says."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("grades")
    sheet.append([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=None)
                cell.value = neutralise(_NOT_IN_XLSX.sub("", value))  # "\x01=1+1" would begin with "=" now
                cell.data_type = "s"  # set after the value: openpyxl types "=..." as a formula
            elif value is None or isinstance(value, float) and math.isnan(value):
                cell = WriteOnlyCell(sheet, value=None)
            else:
                cell = WriteOnlyCell(sheet, value=value.item() if hasattr(value, "item") else value)
            cells.append(cell)
        sheet.append(cells)
    book.save(path)


def write_atomically(path: Path, write) -> Path:
    """Call ``write`` on a temporary name beside ``path``, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")  # same suffix: pandas picks the Excel engine by it
    write(tmp)
    tmp.replace(path)
    return path
