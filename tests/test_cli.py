"""The CLI as a subprocess: exit codes and the one-line stderr together."""

from __future__ import annotations

import csv
import json
import re
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


def test_check_without_assignment_outside_a_bundle_is_one_line_exit_2(tmp_path):
    (tmp_path / "hw1.py").write_text("x = 1\n")
    r = cli("check", "hw1.py", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: cannot find the assignment") and "assignment/" in r.stderr


def test_check_finds_the_bundles_assignment_beside_the_submission(tmp_path):
    """`autograder check hw1.py` from the bundle (tests/test_bundle.py), or from anywhere, given
    the bundle's file: the assignment is the assignment/ folder beside it."""
    import shutil

    folder = tmp_path / "bundle"
    shutil.copytree(H20, folder / "assignment", ignore=shutil.ignore_patterns("examples", "hidden.yaml"))
    shutil.copy(H20 / "examples" / "perfect.py", folder / "hw1.py")
    r = cli("check", folder / "hw1.py", cwd=tmp_path)
    assert r.returncode == 0 and "All public checks passed" in r.stdout, r.stdout + r.stderr


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


def test_no_verb_is_one_line_on_stderr_exit_2():
    r = cli()
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert r.stderr.startswith("error: no verb given: autograder VERB ... with VERB one of grade, gradebook, check")


def test_a_wrong_argument_is_one_line_exit_2():
    r = cli("grade", "ift6135-h20-hw1")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert r.stderr == ("error: autograder grade: the following arguments are required: INPUT, --out "
                        "(see autograder grade --help)\n")


@pytest.mark.parametrize("verb", ["grade", "gradebook", "check", "validate", "run", "build", "bundle", "list"])
def test_every_verb_says_what_it_does_and_its_exit_codes(verb):
    r = cli(verb, "--help")
    assert r.returncode == 0
    description = r.stdout.split("\n\n")[1]
    assert len(description) > 80 and "Exit codes: 0 " in " ".join(r.stdout.split()), r.stdout


def test_list_columns_line_up(tmp_path):
    import os

    broken = tmp_path / "assignments" / "a-very-long-broken-assignment-id"
    broken.mkdir(parents=True)
    (broken / "assignment.yaml").write_text("id: x\ntitle: t\n")
    r = subprocess.run([sys.executable, "-m", "autograder", "list"], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "AUTOGRADER_ASSIGNMENTS": str(tmp_path / "assignments")}, timeout=300)
    assert r.returncode == 3, "an INVALID assignment is exit code 3"
    assert r.stdout.startswith("a-very-long-broken-assignment-id  INVALID: ")
    lines = [line for line in r.stdout.splitlines() if "INVALID" not in line]
    assert len(lines) >= 2
    # each column starts where the one above starts: the language, the points, the title
    columns = [re.match(r"(\S+ +)(\S+ +)(auto \S+ \+ hand \S+ pts +)\S", line) for line in lines]
    assert all(columns), r.stdout
    assert len({(m.end(1), m.end(2), m.end(3)) for m in columns}) == 1, r.stdout


def _file_in_the_way(tmp_path: Path) -> Path:
    # root writes anywhere a folder can be made: a path through a regular file cannot be
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    return blocker


@pytest.mark.parametrize("verb", ["grade", "build", "bundle"])
def test_an_out_that_cannot_be_written_is_one_line_exit_2(tmp_path, verb):
    out = _file_in_the_way(tmp_path) / ("grades" if verb == "grade" else "autograder.zip")
    args = {"grade": ["grade", "ift6135-h20-hw1", H20 / "examples" / "perfect.py"],
            "build": ["build", "ift6135-h20-hw1"], "bundle": ["bundle", "ift6135-h20-hw1"]}[verb]
    r = cli(*args, "--out", out)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("error: cannot write") and "a-file is a file, not a folder" in r.stderr
    assert "(choose another --out)" in r.stderr


def test_grade_without_the_ta_extras_says_what_to_install_before_grading(tmp_path):
    # matplotlib made unimportable, as in an environment without the TA extras
    code = ("import sys; sys.modules['matplotlib'] = None; from autograder.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    r = subprocess.run([sys.executable, "-c", code, "grade", "ift6135-h20-hw1", str(H20 / "examples" / "perfect.py"),
                        "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr == ("error: matplotlib is not installed, and report.html needs it: pip install "
                        "'dl-autograder[ta]' (the TA extras)\n")
    assert not (tmp_path / "out" / "results").exists(), "said before anything was graded"


def test_pandas_is_a_core_dependency_not_an_extra():
    text = (ROOT / "pyproject.toml").read_text()
    core = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert '"pandas' in core


def test_a_copied_assignment_folder_is_given_its_solution_by_an_option(tmp_path):
    import shutil

    copy = tmp_path / "elsewhere" / "hw1"
    shutil.copytree(H20, copy, ignore=shutil.ignore_patterns("__pycache__"))
    perfect = H20 / "examples" / "perfect.py"
    r = cli("grade", copy, perfect, "--out", tmp_path / "out", "--quiet")
    assert r.returncode == 3 and r.stderr.count("\n") == 1
    looked = tmp_path / "solutions" / "ift6135-h20-hw1" / "hw1.py"
    assert r.stderr == (f"error: no solution for ift6135-h20-hw1: {looked} does not exist; give the folder that "
                        "holds hw1.py with --solution DIR\n")
    r = cli("build", copy, "--out", tmp_path / "autograder.zip")
    assert r.returncode == 3 and "with --solution DIR" in r.stderr
    nowhere = cli("grade", copy, perfect, "--out", tmp_path / "out", "--solution", tmp_path / "nowhere")
    assert nowhere.returncode == 2 and nowhere.stderr.startswith("error: solution folder not found:")
    solution = ROOT / "solutions" / "ift6135-h20-hw1"
    r = cli("grade", copy, perfect, "--out", tmp_path / "out", "--quiet", "--solution", solution)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "out" / "results" / "perfect.json").read_text())["score"] == 70
    assert cli("build", copy, "--out", tmp_path / "autograder.zip", "--solution", solution).returncode == 0


def _gradescope_hand_csv(path: Path, rows: dict[str, tuple[str, str, float | None]]) -> Path:
    """Gradescope's scores export of the hand-graded questions, as it is downloaded: the metadata
    columns, the Autograder question, then one column per question titled by its id."""
    from autograder.assignment import load_assignment

    hand = load_assignment("ift6135-h20-hw1").hand_questions
    header = ["First Name", "Last Name", "SID", "Email", "Total Score", "Max Points", "Status", "Submission ID",
              "Submission Time", "Lateness (H:M:S)", "1: Autograder (70.0 pts)"]
    header += [f"{i + 2}: {q.id} {q.title} ({q.points:.1f} pts)" for i, q in enumerate(hand)]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for submission, (sid, email, each) in rows.items():
            cells = ["" if each is None else min(each, q.points) for q in hand]
            writer.writerow(["Fake", "Student", sid, email, "", "80.0", "Graded", submission, "", "", ""] + cells)
    return path


def test_grade_merges_gradescope_hand_grades_and_writes_each_lms_file(tmp_path):
    from test_batch import make_export

    export = make_export(tmp_path / "src")
    hand = _gradescope_hand_csv(tmp_path / "scores.csv", {"9000": ("20260001", "20260001@example.org", 1.0),
                                                           "9001": ("20269999", "20269999@example.org", 0.5)})
    out = tmp_path / "out"
    r = cli("grade", "ift6135-h20-hw1", export, "--out", out, "--hand", hand, "--format", "moodle",
            "--format", "canvas", "--lms-item", "Devoir 1 (12345)", "--quiet")
    assert r.returncode == 0, r.stderr
    # the four submissions the file has no grade for: a line each
    assert [line.split(":")[1] for line in r.stderr.splitlines()] == [
        " 9002 (Cora Fictive)", " 9003 (Dana Imaginaire)", " 9004 (Émile Fauxnom)", " 9005 (Flora Inventée)"]
    rows = {row["submission_id"]: row for row in csv.DictReader((out / "grades.csv").open(encoding="utf-8"))}
    assert (rows["9000"]["hand_total"], rows["9000"]["total"]) == ("4.0", "74.0")
    assert (rows["9001"]["hand_total"], rows["9001"]["total"]) == ("2.0", "66.0")
    assert (rows["9002"]["hand_total"], rows["9002"]["total"]) == ("", "")
    moodle = (out / "moodle.csv").read_text(encoding="utf-8").splitlines()
    assert moodle[:4] == ["Full name,ID number,Email address,Devoir 1 (12345) (Real)",
                          "Ada Exemple,20260001,20260001@example.org,74",
                          "Blaise Test,20260002,20260002@example.org,66",
                          "Gus Groupe,20269999,20269999@example.org,66"]
    assert moodle[4] == "Cora Fictive,20260003,20260003@example.org," and len(moodle) == 8
    canvas = (out / "canvas.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[:3] == ["Student,ID,SIS User ID,SIS Login ID,Section,Devoir 1 (12345)",
                          "    Points Possible,,,,,80", "Ada Exemple,,20260001,20260001@example.org,,74"]


def test_a_hand_file_with_an_id_not_in_the_class_is_refused_before_grading(tmp_path):
    from test_batch import make_export

    export = make_export(tmp_path / "src")
    hand = _gradescope_hand_csv(tmp_path / "scores.csv", {"123456": ("31337", "nobody@example.org", 1.0)})
    r = cli("grade", "ift6135-h20-hw1", export, "--out", tmp_path / "out", "--hand", hand)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr == ("error: scores.csv: 1 row(s) with hand grades match no submission of the class: row 2 "
                        "(submission 123456); correct their ids or remove them\n")
    assert not (tmp_path / "out" / "results").exists()


def test_gradebook_verb_merges_hand_grades_without_grading_again(tmp_path):
    subs = [H20 / "examples" / n for n in ("perfect.py", "handout_answers.py")]
    out = tmp_path / "out"
    assert cli("gradebook", "ift6135-h20-hw1", "--out", out).returncode == 2, "nothing graded yet"
    assert cli("grade", "ift6135-h20-hw1", *subs, "--out", out, "--quiet").returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    from autograder.assignment import load_assignment

    hand = load_assignment("ift6135-h20-hw1").hand_questions
    (tmp_path / "hand.csv").write_text("submission_id," + ",".join(q.id for q in hand) + "\n"
                                       "perfect," + ",".join(f"{q.points:g}" for q in hand) + "\n")
    r = cli("gradebook", "ift6135-h20-hw1", "--out", out, "--hand", tmp_path / "hand.csv", "--format", "xlsx")
    assert r.returncode == 0 and r.stdout.startswith(f"wrote {out / 'grades.csv'}, {out / 'grades.xlsx'}")
    assert r.stderr == "warning: handout_answers: no hand grade in hand.csv; left blank\n"
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert [(row["submission_id"], row["total"]) for row in rows] == [("perfect", "80.0"), ("handout_answers", "")]
    assert before == {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}, "nothing graded again"
