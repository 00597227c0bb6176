"""Hand grades: Gradescope's scores export read as it is, our own tables, and every way a file can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.assignment_model import Assignment, Question
from autograder.errors import UsageError
from autograder.handgrades import match_hand_grades, read_hand_grades

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hand"


@pytest.fixture
def assignment(tmp_path):
    """One auto-graded question and three by hand (no file needed: the model alone)."""
    return Assignment(id="hw-hand", title="HW", language="fr", root=tmp_path, starter="hw.py",
                      questions=(Question("q1", "Calcul", 6.0, "auto"),
                                 Question("q2a", "Borne de la dérivée", 2.0, "hand"),
                                 Question("q2b-proof", "Softmax invariance (proof)", 3.0, "hand"),
                                 Question("q3", "Short answer", 1.0, "hand")),
                      checks=(), helpers=None, solution_dir=None)


#: the class: (submission id, metadata) as a batch knows them; 9001 is a group, alice a loose file
CLASS = [
    ("9000", {"submitters": [{"name": "Ada Exemple", "sid": "20260001", "email": "ada@example.org"}]}),
    ("9001", {"submitters": [{"name": "Blaise Test", "sid": "20260002", "email": "blaise@example.org"},
                             {"name": "Gus Groupe", "sid": "20269999", "email": "gus@example.org"}]}),
    ("9002", {"submitters": [{"name": "Cora Fictive", "sid": "00420", "email": "Cora@Example.org"}]}),
    ("alice", {}),
]


def _write(tmp_path: Path, text: str, name: str = "hand.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_gradescope_scores_export_is_read_as_it_is(assignment, capfd):
    hand = read_hand_grades(FIXTURES / "gradescope_scores.csv", assignment)
    # "2.1: q2a: ..." by the id its title begins with, "2.2: Softmax invariance (proof)" by its
    # title, "3: Réponse courte" by its number (q3); "1: Autograder" and the total "2: Proofs" skipped
    assert hand.questions == ("q2a", "q2b-proof", "q3")
    scores = match_hand_grades(hand, assignment, CLASS)
    assert scores == {"9000": {"q2a": 1.5, "q2b-proof": 3.0, "q3": 1.0},
                      # another Gradescope assignment's submission ids: matched by SID, both members agree
                      "9001": {"q2a": 2.0, "q2b-proof": 2.5, "q3": 0.0}}
    warnings = capfd.readouterr().err.splitlines()
    assert warnings == [
        "warning: gradescope_scores.csv row 6 (SID 20260099): no submission of the class and no hand grade; skipped",
        "warning: 9002 (Cora Fictive): no hand grade in gradescope_scores.csv; left blank",
        "warning: alice: no hand grade in gradescope_scores.csv; left blank",
    ]


def test_rows_match_by_submission_id_then_student_id_then_email(assignment, tmp_path, capfd):
    path = _write(tmp_path, "submission_id,sid,email,q2a,q2b-proof,q3\n"
                            "alice,,,1,1,1\n"
                            ",0420,,2,2,1\n"          # the leading zero a spreadsheet dropped, or added
                            ",,ADA@example.org,0,0,0\n"
                            "77001,,gus@example.org,1,3,0\n")
    scores = match_hand_grades(read_hand_grades(path, assignment), assignment, CLASS)
    assert scores == {"alice": {"q2a": 1, "q2b-proof": 1, "q3": 1}, "9002": {"q2a": 2, "q2b-proof": 2, "q3": 1},
                      "9000": {"q2a": 0, "q2b-proof": 0, "q3": 0}, "9001": {"q2a": 1, "q2b-proof": 3, "q3": 0}}
    assert capfd.readouterr().err == ""


def test_a_missing_hand_grade_is_a_warning_line_each_never_a_zero(assignment, tmp_path, capfd):
    path = _write(tmp_path, "sid,q2a,q3\n20260001,2,1\n20260002,,1\n")
    scores = match_hand_grades(read_hand_grades(path, assignment), assignment, CLASS)
    assert scores == {"9000": {"q2a": 2, "q3": 1}, "9001": {"q3": 1}}
    assert capfd.readouterr().err.splitlines() == [
        "warning: hand.csv has no column for q2b-proof: left blank for every submission",
        "warning: 9001 (Blaise Test; Gus Groupe): no hand grade for q2a in hand.csv; left blank",
        "warning: 9002 (Cora Fictive): no hand grade in hand.csv; left blank",
        "warning: alice: no hand grade in hand.csv; left blank",
    ]


def test_a_french_excel_file_semicolons_decimal_commas_windows_1252(assignment):
    hand = read_hand_grades(FIXTURES / "excel_fr.csv", assignment)
    assert [(row.name, row.sids, row.scores) for row in hand.rows] == [
        ("Émile Fauxnom", ("20260001",), {"q2a": 1.5, "q2b-proof": 3.0, "q3": 1.0}),
        ("Blaise Test", ("20260002",), {"q2a": 2.0, "q2b-proof": 2.5, "q3": 0.0})]


def test_grades_csv_with_its_hand_columns_filled_in_is_read_back(assignment, tmp_path):
    # what grades.csv holds: every column; ids of a group joined by "; ", a formula-like id quoted
    path = _write(tmp_path, "\ufeffsubmission_id,names,student_ids,emails,q1,q2a (hand),q2b-proof (hand),q3 (hand),"
                            "auto_total,status\n"
                            "9001,Blaise Test; Gus Groupe,20260002; 20269999,,4.0,2,3,1,4.0,graded\n"
                            "'-x,,,,0.0,,,,0.0,invalid\n")
    hand = read_hand_grades(path, assignment)
    assert [(r.submission, r.sids, r.scores) for r in hand.rows] == [
        ("9001", ("20260002", "20269999"), {"q2a": 2, "q2b-proof": 3, "q3": 1}), ("-x", (), {})]


@pytest.mark.parametrize("text, said", [
    ("sid,q2a,q9\n1,1,1\n", "hand.csv: column 'q9': not a hand-graded question of hw-hand (hand-graded: q2a, "
                            "q2b-proof, q3; ids: submission_id, student_id, email)"),
    ("sid,q1\n1,1\n", "hand.csv: column 'q1': q1 is graded automatically"),
    ("sid,q2a\n1,2.5\n", "hand.csv row 2: q2a is 2.5, more than its 2 points"),
    ("sid,q2a\n1,-1\n", "hand.csv row 2: q2a is -1, below 0"),
    ("sid,q2a\n1,abc\n", "hand.csv row 2: q2a is 'abc', not a number"),
    ("sid,q2a\n1,nan\n", "hand.csv row 2: q2a is 'nan', not a number"),
    ("sid,q2a\n1,\"1,5\"\n", "hand.csv row 2: q2a is '1,5', not a number"),  # a comma file's comma is no decimal
    ("sid,q2a,Q2A\n1,1,1\n", "hand.csv: columns 'q2a' and 'Q2A' are both q2a"),
    ("name,q2a\nAda,1\n", "hand.csv: no id column: name one submission_id, student_id or email"),
    ("SID,Email,Submission ID,Total Score,2: q2a Borne (4.0 pts)\n1,a@b,9,1,1\n",
     "hand.csv: column '2: q2a Borne (4.0 pts)' is worth 4 points, but q2a is worth 2 in hw-hand's assignment.yaml"),
    ("SID,Email,Submission ID,Total Score,7: Style (2.0 pts)\n1,a@b,9,1,1\n",
     "hand.csv: column '7: Style (2.0 pts)': it is not a hand-graded question of hw-hand"),
    ("", "hand.csv: empty, expected a header line"),
])
def test_a_wrong_hand_file_is_refused_in_one_line(assignment, tmp_path, text, said):
    with pytest.raises(UsageError) as caught:
        read_hand_grades(_write(tmp_path, text), assignment)
    assert str(caught.value).startswith(said) and "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_rows_with_grades_and_ids_not_in_the_class_are_refused_each_named(assignment, tmp_path):
    path = _write(tmp_path, "sid,email,q2a\n20260001,,1\n31337,,2\n,ghost@example.org,1\n")
    with pytest.raises(UsageError) as caught:
        match_hand_grades(read_hand_grades(path, assignment), assignment, CLASS)
    assert str(caught.value) == ("hand.csv: 2 row(s) with hand grades match no submission of the class: row 3 (SID "
                                 "31337), row 4 (email ghost@example.org); correct their ids or remove them")


def test_two_rows_giving_one_submission_different_scores_are_refused(assignment, tmp_path):
    path = _write(tmp_path, "sid,q2a\n20260002,1\n20269999,2\n")
    with pytest.raises(UsageError, match=r"row 2 \(SID 20260002\) and row 3 \(SID 20269999\) give submission 9001 "
                                         r"different q2a scores \(1 and 2\)"):
        match_hand_grades(read_hand_grades(path, assignment), assignment, CLASS)


def test_a_student_id_in_two_submissions_is_refused_not_guessed(assignment, tmp_path):
    klass = CLASS + [("late-ada", {"submitters": [{"name": "Ada Exemple", "sid": "20260001"}]})]
    path = _write(tmp_path, "sid,q2a\n20260001,1\n")
    with pytest.raises(UsageError, match=r"row 2 \(SID 20260001\): matches 2 submissions \(9000, late-ada\); give "
                                         r"their submission_id instead"):
        match_hand_grades(read_hand_grades(path, assignment), assignment, klass)


def test_an_assignment_without_hand_questions_takes_no_hand_file(assignment, tmp_path):
    auto_only = Assignment(**{**assignment.__dict__, "questions": assignment.questions[:1]})
    with pytest.raises(UsageError, match="hw-hand has no hand-graded question"):
        read_hand_grades(_write(tmp_path, "sid,q1\n1,1\n"), auto_only)
