"""``grades.csv``: one row per submission, one column per question, totals and status."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder.results import Results


def gradebook_rows(all_results: list[Results]) -> tuple[list[str], list[dict]]:
    if not all_results:
        return ["submission", "total", "max", "status"], []
    questions = all_results[0].questions
    header = ["submission"] + [q.id + (" (hand)" if q.graded == "hand" else "") for q in questions]
    header += ["auto_total", "auto_max", "hand_max", "status"]
    rows = []
    for r in all_results:
        row = {"submission": r.submission}
        for q in r.questions:
            row[q.id + (" (hand)" if q.graded == "hand" else "")] = "" if q.score is None else f"{q.score:g}"
        row.update(auto_total=f"{r.score:g}", auto_max=f"{r.max_score:g}", hand_max=f"{r.hand_points:g}",
                   status=r.status)
        rows.append(row)
    return header, rows


def write_gradebook_csv(all_results: list[Results], path: Path) -> Path:
    header, rows = gradebook_rows(all_results)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    Path(path).write_text(buf.getvalue(), encoding="utf-8")
    return Path(path)
