"""Each LMS's grade import file: one row per student, the total (auto + hand) in one grade column.

**Moodle** (Grades > Import > CSV file; the file a Moodle grade export writes, read back):
``Full name, ID number, Email address, <item> (Real)``. At the import, map from "Email
address" to "useremail" (or from "ID number" to "useridnumber"); Moodle maps the grade column
to the grade item by itself when ``<item>`` is the item's name as Moodle shows it
(``Assignment: Devoir 1``), else choose it in the list. Moodle stops the whole import at a row
whose identifier it cannot find: a student without an email is left out, with a warning line.

**Canvas** (Grades > Import; the layout of a Canvas gradebook export): ``Student, ID, SIS User
ID, SIS Login ID, Section, <item>``, then a ``Points Possible`` row. Canvas matches a student
by SIS User ID (the SID), then SIS Login ID (the email), then name, and the column to the
assignment by the id in ``<item>`` when it ends with one (``Devoir 1 (12345)``, as Canvas's
export names it), else by title (a new assignment otherwise, worth the points possible).

A group submission gives each member a row. A total is blank while a hand grade is missing
(blank leaves the LMS's grade empty: never 0). A submission with no student to name (a loose
file) cannot be imported and gets a warning line; so does a student found in two submissions
(the later one is kept). Lateness is flagged in grades.csv, never deducted here.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from autograder.assignment import Assignment
from autograder.errors import UsageError
from autograder.report.gradebook import HandScores, neutralise, totals, write_atomically
from autograder.results import Results

LMS = ("moodle", "canvas")
MOODLE_HEADER = ("Full name", "ID number", "Email address")
CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: the first cell of the row that gives each assignment's points in Canvas's export
CANVAS_POINTS_POSSIBLE = "    Points Possible"


def write_lms_csv(all_results: list[Results], assignment: Assignment, path: Path, *, lms: str,
                  hand: HandScores | None = None, item: str | None = None) -> Path:
    """Write ``lms``'s grade import file for the class to ``path`` (see the module's docstring)."""
    if lms not in LMS:
        raise UsageError(f"unknown LMS {lms!r} (choose from {', '.join(LMS)})")
    item = item or assignment.title
    students = _students(all_results, assignment, hand, lms=lms, file=Path(path).name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if lms == "moodle":
        writer.writerow([*MOODLE_HEADER, f"{item} (Real)"])
        for person, total in students:
            cells = (person["name"], person["sid"], person["email"])
            writer.writerow([neutralise(c) for c in cells] + [_points(total)])
    else:
        writer.writerow([*CANVAS_HEADER, item])
        possible = assignment.auto_points + assignment.hand_points
        writer.writerow([CANVAS_POINTS_POSSIBLE, "", "", "", "", _points(possible)])
        for person, total in students:
            writer.writerow([neutralise(c) for c in (person["name"], "", person["sid"], person["email"], "")]
                            + [_points(total)])
    text = out.getvalue()
    return write_atomically(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8", errors="replace"))


def _students(all_results: list[Results], assignment: Assignment, hand: HandScores | None, *, lms: str,
              file: str) -> list[tuple[dict, float | None]]:
    """(person, total) for each student of the class, in the class's order, once each."""
    kept: dict[str, tuple[int, dict, float | None, Results]] = {}
    for r in all_results:
        people = [_person(p) for p in (r.metadata.get("submitters") or r.metadata.get("users") or [])]
        # Canvas can match a student by name alone; Moodle only by an id or an email
        people = [p for p in people if p["sid"] or p["email"] or (p["name"] and lms == "canvas")]
        if not people:
            _warn(f"{r.submission}: no student named in its metadata (a loose file?): not in {file}; "
                  "enter its grade in the LMS by hand")
            continue
        _, total = totals(r, assignment, hand)
        for person in people:
            if lms == "moodle" and not person["email"]:
                _warn(f"{r.submission}: {person['name'] or person['sid']} has no email: not in {file} (Moodle "
                      "stops an import at a row it cannot match); enter the grade by hand")
                continue
            key = person["email"].lower() or person["sid"] or person["name"]
            if key not in kept:
                kept[key] = (len(kept), person, total, r)
                continue
            earlier = kept[key][3]
            # the later submission counts, as Gradescope's active submission does (the last one
            # given when the times are not known)
            newer = str(r.metadata.get("created_at") or "") >= str(earlier.metadata.get("created_at") or "")
            chosen = r if newer else earlier
            _warn(f"{person['name'] or key} is in two submissions ({earlier.submission}, {r.submission}): "
                  f"{file} has {chosen.submission}'s grade")
            if newer:
                kept[key] = (kept[key][0], person, total, r)
    return [(person, total) for _, person, total, _ in sorted(kept.values(), key=lambda k: k[0])]


def _person(entry: dict) -> dict:
    return {"name": str(entry.get("name") or "").strip(), "sid": str(entry.get("sid") or "").strip(),
            "email": str(entry.get("email") or "").strip()}


def _points(value: float | None) -> str:
    """A grade as an LMS reads it: ``17.5``, ``17``; blank for none."""
    if value is None:
        return ""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _warn(text: str) -> None:
    from autograder.report.text import terminal_safe

    print(f"warning: {terminal_safe(text)}", file=sys.stderr)
