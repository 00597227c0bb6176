"""Each LMS's grade import file, cell by cell: Moodle's and Canvas's own layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.assignment_model import Assignment, Question
from autograder.results import CheckResult, QuestionScore, Results
from autograder.report.lms import write_lms_csv


@pytest.fixture
def assignment(tmp_path):
    return Assignment(id="hw-hand", title="Devoir 1", language="fr", root=tmp_path, starter="hw.py",
                      questions=(Question("q1", "Calcul", 6.0, "auto"), Question("q2", "Preuve", 2.0, "hand")),
                      checks=(), helpers=None, solution_dir=None)


def result(submission: str, score: float, people: list[dict], created: str = "") -> Results:
    check = CheckResult(id="q1-c", question="q1", name="c", number="1.1", score=score, max_score=6.0, hidden=True,
                        visibility="after_due_date", passed=score == 6.0)
    return Results(assignment_id="hw-hand", assignment_title="Devoir 1", language="fr", submission=submission,
                   checks=(check,), questions=(QuestionScore("q1", "Calcul", 6.0, "auto", score),
                                               QuestionScore("q2", "Preuve", 2.0, "hand", None)),
                   status="graded", metadata={"submitters": people, "created_at": created})


ADA = {"name": "Ada Exemple", "sid": "20260001", "email": "ada@example.org"}
BLAISE = {"name": "Blaise Test", "sid": "20260002", "email": "blaise@example.org"}
GUS = {"name": "Gus Groupe", "sid": "20269999", "email": "gus@example.org"}
CORA = {"name": "Cora Fictive", "sid": "20260003", "email": "cora@example.org"}
#: a group, a student whose hand grade is missing, a loose file, a student who submitted twice
CLASS = [result("9000", 6.0, [ADA], "2026-02-04T22:10:00-05:00"),
         result("9001", 4.5, [BLAISE, GUS], "2026-02-04T22:11:00-05:00"),
         result("9002", 3.0, [CORA], "2026-02-04T22:12:00-05:00"),
         result("alice", 2.0, []),
         result("9003", 5.0, [ADA], "2026-02-05T09:00:00-05:00")]
HAND = {"9000": {"q2": 1.5}, "9001": {"q2": 2.0}, "9003": {"q2": 0.5}, "alice": {"q2": 2.0}}


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_moodle_import_file(tmp_path, assignment, capfd):
    path = write_lms_csv(CLASS, assignment, tmp_path / "moodle.csv", lms="moodle", hand=HAND)
    assert _read(path) == [
        # Moodle maps "<item> (Real)" to the grade item of that name by itself
        "Full name,ID number,Email address,Devoir 1 (Real)",
        "Ada Exemple,20260001,ada@example.org,5.5",       # her later submission, 9003: 5 + 0.5
        "Blaise Test,20260002,blaise@example.org,6.5",    # each member of the group
        "Gus Groupe,20269999,gus@example.org,6.5",
        "Cora Fictive,20260003,cora@example.org,",        # no hand grade: blank, never 0
    ]
    assert capfd.readouterr().err.splitlines() == [
        "warning: alice: no student named in its metadata (a loose file?): not in moodle.csv; enter its grade in "
        "the LMS by hand",
        "warning: Ada Exemple is in two submissions (9000, 9003): moodle.csv has 9003's grade",
    ]


def test_canvas_import_file(tmp_path, assignment, capfd):
    path = write_lms_csv(CLASS, assignment, tmp_path / "canvas.csv", lms="canvas", hand=HAND,
                         item="Devoir 1 (12345)")
    assert _read(path) == [
        # Canvas's export layout: the student columns, then the assignment "Title (id)"
        "Student,ID,SIS User ID,SIS Login ID,Section,Devoir 1 (12345)",
        "    Points Possible,,,,,8",
        "Ada Exemple,,20260001,ada@example.org,,5.5",
        "Blaise Test,,20260002,blaise@example.org,,6.5",
        "Gus Groupe,,20269999,gus@example.org,,6.5",
        "Cora Fictive,,20260003,cora@example.org,,",
    ]
    assert "alice: no student named" in capfd.readouterr().err


def test_moodle_leaves_out_a_student_without_email_and_says_so(tmp_path, assignment, capfd):
    klass = [result("9000", 6.0, [{"name": "Dana", "sid": "20260004", "email": ""}])]
    path = write_lms_csv(klass, assignment, tmp_path / "moodle.csv", lms="moodle", hand={"9000": {"q2": 2}})
    assert _read(path) == ["Full name,ID number,Email address,Devoir 1 (Real)"]
    assert "9000: Dana has no email: not in moodle.csv" in capfd.readouterr().err
    canvas = write_lms_csv(klass, assignment, tmp_path / "canvas.csv", lms="canvas", hand={"9000": {"q2": 2}})
    assert _read(canvas)[2] == "Dana,,20260004,,,8", "Canvas matches by SIS User ID"


def test_a_formula_in_a_name_is_text_in_the_lms_files(tmp_path, assignment):
    klass = [result("9000", 6.0, [{"name": '=HYPERLINK("http://x")', "sid": "-1", "email": "@x.org"}])]
    for lms in ("moodle", "canvas"):
        text = (write_lms_csv(klass, assignment, tmp_path / f"{lms}.csv", lms=lms)).read_text()
        assert "'=HYPERLINK" in text and ",'-1," in text and "'@x.org" in text
