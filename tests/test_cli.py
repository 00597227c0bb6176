"""The CLI as a subprocess: exit codes and the one-line stderr together."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
H20 = ROOT / "assignments" / "ift6135-h20-hw1"


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_unknown_assignment_is_one_line_exit_2():
    r = cli("check", "no-such-hw", H20 / "examples" / "perfect.py")
    assert r.returncode == 2
    assert r.stderr.startswith("error: unknown assignment: no-such-hw") and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr


def test_missing_submission_is_one_line_exit_2(tmp_path):
    r = cli("grade", "ift6135-h20-hw1", tmp_path / "ghost.py", "--out", tmp_path / "out")
    assert r.returncode == 2 and r.stderr.startswith("error: submission not found:") and "Traceback" not in r.stderr


def test_broken_assignment_config_is_exit_3(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "assignment.yaml").write_text("id: bad\ntitle: t\nlanguage: en\nstarter: a.py\nquestions:\n  - {id: q1, points: 2}\n")
    (bad / "checks").mkdir()
    (bad / "checks" / "hidden.yaml").write_text("[]\n")
    r = cli("validate", bad)
    assert r.returncode == 3 and "question q1 is worth 2 points but its checks add up to 0" in r.stderr


def test_check_passes_on_a_good_submission_and_explains_failures(tmp_path):
    good = cli("check", "ift6135-h20-hw1", H20 / "examples" / "perfect.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "All public checks passed" in good.stdout
    bad = tmp_path / "hw1.py"
    bad.write_text("import numpy as np\ndef conv1d(x, w, mode):\n    return np.zeros(3)\n")
    r = cli("check", "ift6135-h20-hw1", bad)
    assert r.returncode == 1
    assert "✗" in r.stdout and "a full convolution of lengths 4 and 3 has shape (6,)" in r.stdout
    assert "'softmax' is not defined in your submission" in r.stdout


def test_grade_writes_results_and_gradebook(tmp_path, schema):
    jsonschema = pytest.importorskip("jsonschema")
    subs = [H20 / "examples" / n for n in ("perfect.py", "broken.py", "handout_answers.py")]
    r = cli("grade", "ift6135-h20-hw1", *subs, "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    for name, score in (("perfect", 70), ("broken", 0), ("handout_answers", 64)):
        data = json.loads((tmp_path / "results" / f"{name}.json").read_text())
        jsonschema.validate(data, schema)
        assert data["score"] == score
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert [row["submission_id"] for row in rows] == ["perfect", "broken", "handout_answers"]
    assert rows[1]["status"] == "error" and float(rows[0]["auto_total"]) == 70
    assert "q1.1 (hand)" in rows[0] and rows[0]["q1.1 (hand)"] == ""
    assert float(rows[2]["q6.1"]) == 2
    assert (tmp_path / "summary.json").exists() and (tmp_path / "report.html").exists()


def test_list_shows_points():
    r = cli("list")
    line = next(x for x in r.stdout.splitlines() if x.startswith("ift6135-h20-hw1"))
    assert "auto 70 + hand 10" in line


def test_version_and_help():
    assert cli("--version").stdout.startswith("autograder ")
    helps = {verb: cli(verb, "--help").stdout for verb in ("grade", "check", "validate", "list")}
    assert all(helps.values())


#: what a student's text may hold to act on a TA's terminal: set the title, clear the screen, a
#: hidden link, colours, 8-bit CSI and DCS, a carriage return to print over the line, DEL, backspace
TERMINAL_ATTACK = ("boom \\x1b]0;pwned title\\x07 \\x1b[2J\\x1b[31mred\\x1b[0m "
                   "\\x1b]8;;http://evil.example\\x1b\\\\click\\x1b]8;;\\x1b\\\\ \\x9b31m \\x90dcs\\x9c "
                   "\\rOVERWRITE \\x7f\\x08 \\u202egnp.exe end")


def _no_terminal_controls(data: bytes) -> None:
    text = data.decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text and "\x7f" not in text
    assert not any(0x80 <= ord(c) <= 0x9f or c == "\u202e" for c in text)


def test_check_strips_terminal_escapes_from_a_students_exception(tmp_path):
    student = tmp_path / "hw1.py"
    student.write_text(f"def softmax(x, axis=-1):\n    raise ValueError(\"{TERMINAL_ATTACK}\")\n")
    r = subprocess.run([sys.executable, "-m", "autograder", "check", "ift6135-h20-hw1", str(student)],
                       capture_output=True, cwd=ROOT, timeout=300)
    assert r.returncode == 1
    assert b"softmax(...) raised ValueError: boom " in r.stdout and b"gnp.exe end" in r.stdout, r.stdout
    _no_terminal_controls(r.stdout)
    _no_terminal_controls(r.stderr)


def test_error_line_strips_terminal_escapes_from_a_file_name(tmp_path):
    ghost = tmp_path / "\x1b]0;pwned\x07\x1b[2Jghost.py"
    r = subprocess.run([sys.executable, "-m", "autograder", "check", "ift6135-h20-hw1", str(ghost)],
                       capture_output=True, cwd=ROOT, timeout=300)
    assert r.returncode == 2 and r.stderr.startswith(b"error: submission not found:") and b"ghost.py" in r.stderr
    _no_terminal_controls(r.stderr)


def test_check_prints_a_lone_surrogate_from_a_students_exception_not_a_traceback(tmp_path):
    student = tmp_path / "hw1.py"
    student.write_text('def softmax(x, axis=-1):\n    raise ValueError("bad \\ud800 text")\n')
    r = cli("check", "ift6135-h20-hw1", student)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "softmax(...) raised ValueError: bad \ufffd text" in r.stdout
