"""Hand-graded points: read the file a TA gives, and match its rows to the class's submissions.

Two kinds of file are read as they are:

- **Gradescope's scores export** of an assignment ("Download Grades": ``First Name``, ``Last
  Name``, ``SID``, ``Email``, ``Total Score``, ``Max Points``, ``Status``, ``Submission ID``,
  ``Submission Time``, ``Lateness (H:M:S)``..., then one column per question of the outline,
  ``"2.1: q1c Borne (2.0 pts)"``). A question column is the hand-graded question whose id
  begins its title (``q1c``, ``q1c: Borne``, ``Q1C - Borne``), else whose id is its number
  (``q3`` for ``"3: ..."``), else whose title is its title. Its points must be the question's.
  The ``Autograder`` question, and a question's total when its parts have columns of their own
  (``"2: ..."`` beside ``"2.1: ..."``), are not hand grades and are skipped; the other columns
  (names, totals, times) are not read.
- **A table of our own**: an id column (``submission_id``, ``student_id``/``sid``/``matricule``
  or ``email``/``courriel``; name columns may be beside them) and one column per hand-graded
  question, named by its id (``q1c``). ``grades.csv`` itself,
  with its ``q1c (hand)`` columns filled in, is read too: then only those columns are read.

Commas, semicolons or tabs separate the cells (a spreadsheet in French writes ``;`` and
``1,5``); UTF-8, with or without Excel's BOM, or Windows-1252.

A row is matched to a submission by its submission id, else by a student id (SID), else by an
email, of any member of the submission (a group's members each have a row in Gradescope's
export, with the same scores). Refused, in one line: a question column that is not a
hand-graded question of the assignment, a score that is not a number, negative or above the
question's points, a row with scores that matches no submission of the class (or several), two
rows that give one submission different scores. A row with no score that matches nothing
(Gradescope lists the whole roster) is skipped with a warning line; a submission with no hand
grade gets a warning line and stays blank: never 0.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from autograder.assignment_model import Assignment, Question
from autograder.errors import UsageError
from autograder.report.gradebook import as_typed

#: a question column of Gradescope's export: "2.1: Title (2.0 pts)"
_GRADESCOPE_QUESTION = re.compile(r"^(\d+(?:\.\d+)*):\s*(.*?)\s*\((-?\d+(?:\.\d+)?) pts?\)\s*$")
#: the columns that say a file is Gradescope's export even before its question columns
_GRADESCOPE_MARKERS = {"total score", "max points", "submission id"}
#: the title Gradescope gives the auto-graded part of a programming assignment
_AUTOGRADER_TITLE = "autograder"
#: id columns (lowercase) -> what they hold; the French names a course in Quebec writes
_ID_COLUMNS = {
    "submission_id": "submission", "submission id": "submission", "submission": "submission",
    "student_id": "sid", "student_ids": "sid", "student id": "sid", "sid": "sid", "matricule": "sid",
    "email": "email", "emails": "email", "email address": "email", "e-mail": "email", "courriel": "email",
    "name": "name", "names": "name", "first name": "name", "last name": "name", "nom": "name", "prénom": "name",
}
#: what ends a grades.csv column that a TA fills in
HAND_SUFFIX = " (hand)"


@dataclass(frozen=True)
class HandRow:
    #: the row's number as a spreadsheet shows it (the header is row 1)
    row_number: int
    submission: str = ""
    sids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    name: str = ""
    #: question id -> points; a blank cell is absent
    scores: dict[str, float] = field(default_factory=dict)

    def label(self) -> str:
        """How a message names the row: its number and what identifies it."""
        for kind, value in (("submission", self.submission), ("SID", "; ".join(self.sids)),
                            ("email", "; ".join(self.emails)), ("name", self.name)):
            if value:
                return f"row {self.row_number} ({kind} {value})"
        return f"row {self.row_number}"


@dataclass(frozen=True)
class HandGrades:
    path: Path
    #: the hand-graded questions the file has a column for, in the assignment's order
    questions: tuple[str, ...]
    rows: tuple[HandRow, ...]


def read_hand_grades(path: Path, assignment: Assignment) -> HandGrades:
    """Read ``path`` and check every column and score against ``assignment`` (UsageError if wrong)."""
    path = Path(path)
    if not assignment.hand_questions:
        raise UsageError(f"{assignment.id} has no hand-graded question: it takes no hand grades ({path.name})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"hand grades file not readable: {path} ({e.strerror or type(e).__name__})") from None
    table, delimiter = _rows(_decode(data))
    if not table or not any(cell.strip() for cell in table[0]):
        raise UsageError(f"{path.name}: empty, expected a header line (an id column and one column per question)")
    header = [cell.strip() for cell in table[0]]
    decimal_comma = delimiter != ","  # "1,5" is a number only where the comma does not separate cells
    kind = _kind(header)
    columns = _question_columns(header, assignment, path=path, kind=kind, body=table[1:])
    ids = {i: _ID_COLUMNS[h.lower()] for i, h in enumerate(header) if h.lower() in _ID_COLUMNS}
    if not any(role in ("submission", "sid", "email") for role in ids.values()):
        raise UsageError(f"{path.name}: no id column: name one submission_id, student_id or email "
                         "(Gradescope's export has Submission ID, SID and Email)")
    points = {q.id: q.points for q in assignment.hand_questions}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, often the last one a spreadsheet writes
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            raise UsageError(f"{path.name} row {number}: {len(cells)} cells, but the header names {len(header)}")
        cells = cells + [""] * (len(header) - len(cells))
        found: dict[str, list[str]] = {"submission": [], "sid": [], "email": [], "name": []}
        for i, role in ids.items():
            # "; " between a group's members, as grades.csv writes them
            parts = [cells[i]] if role == "name" else cells[i].split(";")
            found[role] += [part for part in map(_plain, parts) if part]
        scores = {}
        for i, qid in columns.items():
            value = _score(cells[i], decimal_comma=decimal_comma)
            if value is None:
                continue
            if isinstance(value, str):
                raise UsageError(f"{path.name} row {number}: {qid} is {cells[i].strip()!r}, not a number")
            if value < 0:
                raise UsageError(f"{path.name} row {number}: {qid} is {cells[i].strip()}, below 0")
            if value > points[qid] + 1e-9:
                raise UsageError(f"{path.name} row {number}: {qid} is {cells[i].strip()}, more than its "
                                 f"{points[qid]:g} points")
            scores[qid] = value
        rows.append(HandRow(row_number=number, submission=found["submission"][0] if found["submission"] else "",
                            sids=tuple(found["sid"]), emails=tuple(found["email"]),
                            name=" ".join(found["name"]), scores=scores))
    order = [q.id for q in assignment.hand_questions]
    return HandGrades(path=path, questions=tuple(sorted(set(columns.values()), key=order.index)), rows=tuple(rows))


def match_hand_grades(hand: HandGrades, assignment: Assignment,
                      submissions: Iterable[tuple[str, dict]]) -> dict[str, dict[str, float]]:
    """The hand scores of each submission (id, metadata) of the class: ``{submission: {question: points}}``.

    Raises UsageError for rows with scores that match no submission or several, and for two rows
    that give a submission different scores; prints a warning line for each row skipped and each
    submission left without a complete hand grade.
    """
    submissions = list(submissions)
    by_id = {sub: sub for sub, _ in submissions}
    by_sid: dict[str, set[str]] = {}
    by_email: dict[str, set[str]] = {}
    names = {}
    for sub, metadata in submissions:
        people = metadata.get("submitters") or metadata.get("users") or []
        names[sub] = "; ".join(str(p.get("name") or "") for p in people if p.get("name"))
        for person in people:
            sid = _id_key(str(person.get("sid") or person.get("id") or ""))
            if sid:
                by_sid.setdefault(sid, set()).add(sub)
            email = str(person.get("email") or "").strip().lower()
            if email:
                by_email.setdefault(email, set()).add(sub)
    scores: dict[str, dict[str, float]] = {}
    given_by: dict[tuple[str, str], HandRow] = {}
    unknown = []
    for row in hand.rows:
        found = {by_id[row.submission]} if row.submission in by_id else set()
        if not found:
            # Gradescope's hand grading may be another assignment than the one exported: its own
            # submission ids, the same students
            found = set().union(*(by_sid.get(_id_key(s), set()) for s in row.sids))
        if not found:
            found = set().union(*(by_email.get(e.lower(), set()) for e in row.emails))
        if len(found) > 1:
            raise UsageError(f"{hand.path.name} {row.label()}: matches {len(found)} submissions "
                             f"({', '.join(sorted(found))}); give their submission_id instead")
        if not found:
            if row.scores:
                unknown.append(row)
            else:
                _warn(f"{hand.path.name} {row.label()}: no submission of the class and no hand grade; skipped")
            continue
        sub = found.pop()
        for qid, value in row.scores.items():
            earlier = given_by.get((sub, qid))
            if earlier is not None and abs(scores[sub][qid] - value) > 1e-9:
                raise UsageError(f"{hand.path.name}: {earlier.label()} and {row.label()} give submission {sub} "
                                 f"different {qid} scores ({scores[sub][qid]:g} and {value:g})")
            scores.setdefault(sub, {})[qid] = value
            given_by[(sub, qid)] = row
    if unknown:
        shown = ", ".join(row.label() for row in unknown[:3])
        shown += f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        raise UsageError(f"{hand.path.name}: {len(unknown)} row(s) with hand grades match no submission of the "
                         f"class: {shown}; correct their ids or remove them")
    _warn_missing(hand, assignment, [sub for sub, _ in submissions], scores, names)
    return scores


def _warn_missing(hand: HandGrades, assignment: Assignment, order: list[str], scores: dict[str, dict[str, float]],
                  names: dict[str, str]) -> None:
    for q in assignment.hand_questions:
        if q.id not in hand.questions:
            _warn(f"{hand.path.name} has no column for {q.id}: left blank for every submission")
    for sub in order:
        missing = [q for q in hand.questions if q not in scores.get(sub, {})]
        if not missing:
            continue
        who = f"{sub} ({names[sub]})" if names.get(sub) else sub
        what = "no hand grade" if len(missing) == len(hand.questions) else f"no hand grade for {', '.join(missing)}"
        _warn(f"{who}: {what} in {hand.path.name}; left blank")


def _question_columns(header: list[str], assignment: Assignment, *, path: Path, kind: str,
                      body: list[list[str]]) -> dict[int, str]:
    """Column index -> hand-graded question id, refusing a column that names anything else."""
    hand = {q.id.lower(): q for q in assignment.hand_questions}
    auto = {q.id.lower(): q for q in assignment.questions if q.graded != "hand"}
    wanted = ", ".join(q.id for q in assignment.hand_questions) or "none"
    columns: dict[int, str] = {}
    if kind == "gradescope":
        numbers = [m.group(1) for m in map(_GRADESCOPE_QUESTION.match, header) if m]
        for i, name in enumerate(header):
            m = _GRADESCOPE_QUESTION.match(name)
            if not m:
                continue  # names, ids, totals, times: read as ids or not at all
            number, title, pts = m.group(1), m.group(2), float(m.group(3))
            if title.lower() == _AUTOGRADER_TITLE or any(n.startswith(number + ".") for n in numbers):
                continue  # the auto-graded part, or the total of parts that have columns of their own
            question = _gradescope_question(number, title, assignment.hand_questions)
            if question is None:
                graded_auto = _by_id(title, tuple(auto.values()))
                why = (f"{graded_auto.id} is graded automatically" if graded_auto is not None else
                       f"it is not a hand-graded question of {assignment.id}")
                raise UsageError(f"{path.name}: column {name!r}: {why} (hand-graded: {wanted}); begin the "
                                 "question's title in Gradescope's outline with its id, e.g. "
                                 f"'{assignment.hand_questions[0].id}: ...'")
            if abs(pts - question.points) > 1e-9:
                raise UsageError(f"{path.name}: column {name!r} is worth {pts:g} points, but {question.id} is "
                                 f"worth {question.points:g} in {assignment.id}'s assignment.yaml")
            columns[i] = question.id
    else:
        ours = any(h.endswith(HAND_SUFFIX) for h in header)
        for i, name in enumerate(header):
            if ours:
                if not name.endswith(HAND_SUFFIX):
                    continue  # grades.csv's other columns: ids, auto-graded scores, totals
                name = name[: -len(HAND_SUFFIX)].strip()
            elif name.lower() in _ID_COLUMNS:
                continue
            if not name:
                if all(not (row[i].strip() if i < len(row) else "") for row in body):
                    continue  # an empty column a spreadsheet left at the end
                raise UsageError(f"{path.name}: column {i + 1} has values but no name (name it by a question "
                                 f"id: {wanted})")
            question = hand.get(name.lower())
            if question is None:
                why = (f"{auto[name.lower()].id} is graded automatically" if name.lower() in auto else
                       f"not a hand-graded question of {assignment.id}")
                raise UsageError(f"{path.name}: column {name!r}: {why} (hand-graded: {wanted}; "
                                 "ids: submission_id, student_id, email)")
            columns[i] = question.id
    seen: dict[str, int] = {}
    for i, qid in columns.items():
        if qid in seen:
            raise UsageError(f"{path.name}: columns {header[seen[qid]]!r} and {header[i]!r} are both {qid}")
        seen[qid] = i
    return columns


def _gradescope_question(number: str, title: str, questions: tuple[Question, ...]) -> Question | None:
    """The question a Gradescope column is: by id at the start of its title, by number, by title."""
    question = _by_id(title, questions)
    if question is not None:
        return question
    for match in (lambda q: re.sub(r"^[a-z]+", "", q.id.lower()) == number,
                  lambda q: _folded(q.title) == _folded(title)):
        matches = [q for q in questions if match(q)]
        if len(matches) == 1:
            return matches[0]
    return None


def _by_id(title: str, questions: tuple[Question, ...]) -> Question | None:
    """The question whose id begins ``title``, as a word ("q1c", "q1c: ...", "Q1C - ...")."""
    lowered = title.strip().lower()
    found = [q for q in questions if lowered == q.id.lower()
             or lowered.startswith(q.id.lower()) and lowered[len(q.id)] in _AFTER_ID]
    return max(found, key=lambda q: len(q.id)) if found else None  # "q1.1 ..." is q1.1, not q1


#: what may follow a question id at the start of a Gradescope question's title
_AFTER_ID = " \t:)],;\u2013\u2014"


def _kind(header: list[str]) -> str:
    lowered = {h.lower() for h in header}
    if any(_GRADESCOPE_QUESTION.match(h) for h in header) or len(_GRADESCOPE_MARKERS & lowered) >= 2:
        return "gradescope"
    return "ours"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the system's code page; cells are names and numbers
        return data.decode("cp1252", errors="replace")


def _rows(text: str) -> tuple[list[list[str]], str]:
    """The cells, split by the separator that gives the header the most cells (",", ";" or tab),
    and that separator."""
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=lambda d: len(next(csv.reader([first], delimiter=d), [])))
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter


def _score(text: str, *, decimal_comma: bool) -> float | str | None:
    """The number in a cell, None for a blank one, the text itself when it is not a number."""
    text = text.strip()
    if not text or text == "-":
        return None
    candidate = text.replace(",", ".") if decimal_comma and text.count(",") == 1 and "." not in text else text
    try:
        value = float(candidate)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _plain(cell: str) -> str:
    """A cell as typed: without the ``'`` that grades.csv puts before a formula-like text."""
    return as_typed(cell.strip())


def _id_key(sid: str) -> str:
    sid = sid.strip()
    # a spreadsheet drops the leading zeros of a numeric id, a YAML file keeps them
    return (sid.lstrip("0") or sid) if sid.isdigit() else sid


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


def _warn(text: str) -> None:
    from autograder.report.text import terminal_safe

    print(f"warning: {terminal_safe(text)}", file=sys.stderr)
