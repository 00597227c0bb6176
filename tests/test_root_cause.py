"""Root cause first, and quieter feedback (issue 14, parts 2 and 6).

A submission that does not parse, a notebook that is not one, a file or a cell that raises at
load: one line naming it comes first (with the cell's number in a notebook), and the checks it
kept from running are *not run*, one line for the group, in ``autograder check``, in
Gradescope's results.json and in the class report. What loaded is graded as usual, and scores
do not change: a check not run scores 0, as a failed one. Then the small things: no "(0/0)",
no "raised NotImplementedError: ", "returned None" for a function without its return, "graded
by hand" once, and a summary that says the hidden checks are graded after submission.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.assignment import Assignment, load_assignment
from autograder.grading import grade
from autograder.load_errors import defined_names
from autograder.report.gradescope import gradescope_json, read_results_json
from autograder.report.html import class_report_html
from autograder.report.summary import class_summary
from autograder.report.text import check_report

ROOT = Path(__file__).resolve().parent.parent
EN, FR = "ift6135-h20-hw1", "ift6135-devoir3"


def _solution(a: Assignment) -> str:
    return a.solution_file.read_text(encoding="utf-8")


def _split_at_function(source: str, name: str) -> tuple[str, str, str]:
    """``source`` as (what comes before ``def name``, that function, what comes after it)."""
    start = source.index(f"\ndef {name}(") + 1
    end = source.find("\ndef ", start + 1)
    end = len(source) if end < 0 else end + 1
    return source[:start], source[start:end], source[end:]


def _notebook(path: Path, code_cells: list[str]) -> Path:
    """A notebook: a title (cell 1), then ``code_cells`` (cells 2, 3, ...)."""
    nb = new_notebook(cells=[new_markdown_cell("# My answers"), *(new_code_cell(c) for c in code_cells)])
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path, version=4)
    return path


def _validate(data: dict, schema: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, schema)


# --------------------------------------------------------------------------- a .py that does not parse


@pytest.mark.parametrize("assignment_id, cause, group", [
    (EN, "Your file did not load: syntax error at line {line}: expected ':'",
     "{n} checks not run: the submission did not load"),
    (FR, "Votre fichier n'a pas pu être chargé : erreur de syntaxe à la ligne {line} : il manque ':'",
     "{n} vérifications non exécutées : la remise n'a pas pu être chargée"),
])
def test_syntax_error_is_one_line_first_and_every_check_not_run(sandbox, tmp_path, assignment_id, cause, group):
    a = load_assignment(assignment_id)
    source = _solution(a)
    lines = source.splitlines()
    # the first function's "def f(...):" loses its colon
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("def "))
    lines[line - 1] = lines[line - 1].rstrip().rstrip(":")
    path = tmp_path / a.starter
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    results = grade(a, path, sandbox=sandbox)
    assert results.score == 0 and results.status == "error"
    assert results.causes == (cause.format(line=line),)
    assert all(c.not_run and not c.passed and c.score == 0 for c in results.checks)
    assert not any("not defined" in c.feedback or "n'est pas défini" in c.feedback for c in results.checks)

    report = check_report(grade(a, path, sandbox=sandbox, public_only=True)).splitlines()
    # the cause comes first, under the title; then one line for all the checks; nothing per check
    assert report[2] == f"  ! {cause.format(line=line)}"
    assert f"  – {group.format(n=len(a.public_checks))}" in report
    assert not any(text.lstrip().startswith(("✗", "✓")) for text in report)


def test_check_command_on_a_syntax_error(tmp_path):
    """As a student runs it: the cause first, one line for the checks, exit code 1."""
    path = tmp_path / "hw1.py"
    path.write_text("import numpy as np\n\ndef softmax(x)\n    return x\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "autograder", "check", EN, str(path)], capture_output=True,
                       text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 1 and r.stderr == "", r.stderr
    lines = r.stdout.splitlines()
    n = len(load_assignment(EN).public_checks)
    assert lines[2] == "  ! Your file did not load: syntax error at line 3: expected ':'"
    assert f"  – {n} checks not run: the submission did not load" in lines
    assert f"0/{n} public checks passed" in lines
    assert "is not defined" not in r.stdout and "(0/0)" not in r.stdout


def test_syntax_error_results_json(sandbox, tmp_path, schema):
    a = load_assignment(EN)
    path = tmp_path / "hw1.py"
    path.write_text("def softmax(x)\n    return x\n", encoding="utf-8")
    data = gradescope_json(grade(a, path, sandbox=sandbox))
    _validate(data, schema)
    assert data["score"] == 0
    assert data["output"].splitlines()[0] == "Your file did not load: syntax error at line 1: expected ':'"
    assert all(t["status"] == "failed" and t["output"] == "not run: the submission did not load"
               for t in data["tests"])
    # what a batch reads back keeps the causes and which checks did not run
    again = read_results_json(json.loads(json.dumps(data)))
    assert again.causes == ("Your file did not load: syntax error at line 1: expected ':'",)
    assert all(c.not_run == "the submission did not load" for c in again.checks)


# --------------------------------------------------------------------------- a top level that raises


def test_top_level_raise_names_its_line_and_grades_what_loaded(sandbox, tmp_path):
    a = load_assignment(EN)
    before, func, after = _split_at_function(_solution(a), "conv1d")
    line = before.count("\n") + 1
    path = tmp_path / "hw1.py"
    path.write_text(before + "raise RuntimeError('stop here')\n" + func + after, encoding="utf-8")
    full = grade(a, a.solution_file, sandbox=sandbox, key="same")
    results = grade(a, path, sandbox=sandbox, key="same")
    assert results.causes == (f"Your file stopped loading at line {line}: it raised RuntimeError: stop here",)
    later = defined_names(func + after)
    for c, ref in zip(results.checks, full.checks):
        target = next(k.target for k in a.checks if k.id == c.id)
        if target in later:
            assert c.not_run == f"your file stopped loading at line {line}" and c.score == 0
        else:  # defined before the raise: graded as usual
            assert not c.not_run and c.score == ref.score
    assert results.score == sum(c.score for c in full.checks if not next(
        k for k in a.checks if k.id == c.id).target in later)


def test_top_level_raise_without_a_message_leaves_no_colon(sandbox, tmp_path):
    a = load_assignment(FR)
    path = tmp_path / a.starter
    path.write_text("import numpy as np\nraise NotImplementedError\n", encoding="utf-8")
    (cause,) = grade(a, path, sandbox=sandbox, public_only=True).causes
    assert cause == "Le chargement de votre fichier s'est arrêté à la ligne 2 : il a levé NotImplementedError"


# --------------------------------------------------------------------------- notebooks


def test_bad_json_notebook_is_one_line_and_every_check_not_run(sandbox, tmp_path, schema):
    a = load_assignment(EN)
    path = tmp_path / "hw1.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    results = grade(a, path, sandbox=sandbox)
    assert results.status == "invalid" and results.score == 0
    (cause,) = results.causes
    assert cause.startswith("Your submission could not be read: hw1.ipynb: not a valid notebook (invalid JSON")
    assert all(c.not_run == "the submission did not load" for c in results.checks)
    data = gradescope_json(results)
    _validate(data, schema)
    assert data["output"].splitlines()[0] == cause
    report = check_report(grade(a, path, sandbox=sandbox, public_only=True))
    n = len(a.public_checks)
    assert report.count(cause) == 1 and f"  – {n} checks not run: the submission did not load" in report


@pytest.mark.parametrize("assignment_id, name, cause, reason", [
    (EN, "softmax",
     "The code at cell 3, line 3 raised NameError: name 'undefined_helper' is not defined; "
     "the rest of that cell did not run", "cell 3 did not run to the end"),
    (FR, "conv1d",
     "Le code à la cellule 3, ligne 3 a levé NameError : * ; la suite de cette cellule n'a pas été exécutée",
     "la cellule 3 ne s'est pas exécutée jusqu'au bout"),
])
def test_notebook_whose_third_cell_raises(sandbox, tmp_path, schema, assignment_id, name, cause, reason):
    """Cell 3 raises on its third line, before defining ``name``: the checks of ``name`` are not
    run because of cell 3; every other answer, in cells 2 and 4, is graded as usual."""
    a = load_assignment(assignment_id)
    before, func, after = _split_at_function(_solution(a), name)
    failing = "# my draft\n# (to finish)\nundefined_helper()\n" + func
    path = _notebook(tmp_path / Path(a.starter).with_suffix(".ipynb").name, [before, failing, after])
    full = grade(a, a.solution_file, sandbox=sandbox, key="same")
    results = grade(a, path, sandbox=sandbox, key="same")
    # "*": the exception's message, however it is worded in the assignment's language
    (said,) = results.causes
    assert results.status == "error" and re.fullmatch(re.escape(cause).replace(r"\*", ".+"), said), said
    cause = said
    # the checks of what cell 3 defines (the function, and any value computed after it)
    lost = {k.id for k in a.checks if k.target in defined_names(func)}
    assert {k.id for k in a.checks if k.target == name} <= lost
    for c, ref in zip(results.checks, full.checks):
        if c.id in lost:
            assert c.not_run == reason and c.score == 0 and not c.passed
        else:
            assert not c.not_run and c.score == ref.score and c.passed
    assert results.score == a.auto_points - sum(k.points for k in a.checks if k.id in lost)
    data = gradescope_json(results)
    _validate(data, schema)
    assert data["output"].splitlines()[0] == cause
    report = check_report(grade(a, path, sandbox=sandbox, public_only=True, key="same"))
    public_lost = [c for c in a.public_checks if c.id in lost]
    assert report.splitlines()[2] == f"  ! {cause}"
    assert f"check not run: {reason}" in report or f"vérification non exécutée : {reason}" in report \
        or f"{len(public_lost)} checks not run: {reason}" in report \
        or f"{len(public_lost)} vérifications non exécutées : {reason}" in report
    assert report.count("✓") == len(a.public_checks) - len(public_lost)


def test_name_error_from_a_helper_of_a_raising_cell_is_not_run(sandbox, tmp_path):
    """softmax (cell 3) calls _shift, which cell 2 would have defined after its raise: not run
    because of cell 2, not "softmax raised NameError"."""
    a = load_assignment(EN)
    cell2 = "import numpy as np\nboom()\n\ndef _shift(x):\n    return x - x.max(axis=-1, keepdims=True)\n"
    cell3 = "def softmax(x, axis=-1):\n    e = np.exp(_shift(x))\n    return e / e.sum(axis=-1, keepdims=True)\n"
    results = grade(a, _notebook(tmp_path / "hw1.ipynb", [cell2, cell3]), sandbox=sandbox, public_only=True)
    assert results.causes[0].startswith("The code at cell 2, line 2 raised NameError: name 'boom' is not defined")
    (softmax,) = [c for c in results.checks if c.id.startswith("q2.1")]
    assert softmax.not_run == "cell 2 did not run to the end"
    # a name no cell defines is still missing, said so
    (conv,) = [c for c in results.checks if c.name.startswith("conv1d")]
    assert not conv.not_run and conv.feedback == "'conv1d' is not defined in your submission"


def test_syntax_error_in_a_cell_names_the_cell(sandbox, tmp_path):
    a = load_assignment(EN)
    before, func, after = _split_at_function(_solution(a), "conv1d")
    # the comma between two parameters forgotten
    broken = func.replace("w: np.ndarray, mode", "w: np.ndarray mode", 1)
    assert broken != func
    results = grade(a, _notebook(tmp_path / "hw1.ipynb", [before, broken, after]), sandbox=sandbox, key="same")
    (cause,) = results.causes
    assert re.fullmatch(r"Syntax error at cell 3, line 1: .+; nothing in that cell ran", cause), cause
    conv = [c for c in results.checks if next(k for k in a.checks if k.id == c.id).target == "conv1d"]
    assert conv and all(c.not_run == "cell 3 did not run to the end" for c in conv)
    assert all(c.passed for c in results.checks if c not in conv)


# --------------------------------------------------------------------------- the class report


def test_class_report_names_the_cause_and_keeps_it_out_of_common_failures(sandbox, tmp_path):
    a = load_assignment(EN)
    broken = tmp_path / "broken.py"
    broken.write_text("def softmax(x)\n    return x\n", encoding="utf-8")
    bad_nb = tmp_path / "nb.ipynb"
    bad_nb.write_text("{not json", encoding="utf-8")
    results = [grade(a, a.solution_file, sandbox=sandbox, key="good"), grade(a, broken, sandbox=sandbox),
               grade(a, bad_nb, sandbox=sandbox)]
    summary = class_summary(results, a)
    assert summary["top_failing_checks"] == []  # the two that did not load do not flood it
    html = class_report_html(results, a, summary=summary)
    assert "Your file did not load: syntax error at line 1: expected &#x27;:&#x27;" in html
    assert "Your submission could not be read: nb.ipynb: not a valid notebook" in html


# --------------------------------------------------------------------------- quieter feedback


def test_public_checks_without_points_print_none(sandbox):
    a = load_assignment(EN)
    results = grade(a, ROOT / "assignments" / EN / "examples" / "starter.py", sandbox=sandbox, public_only=True)
    report = check_report(results)
    assert "(0/0)" not in report and "0/0 points" not in report
    passed = sum(c.passed for c in results.checks)
    assert 0 < passed < len(results.checks)  # some pass, some fail: both kinds of line are printed
    assert f"{passed}/{len(results.checks)} public checks passed" in report.splitlines()


def test_a_check_with_points_prints_them(sandbox):
    from dataclasses import replace

    a = load_assignment(EN)
    results = grade(a, a.solution_file, sandbox=sandbox, public_only=True)
    first = replace(results.checks[0], score=1.0, max_score=1.0)
    report = check_report(replace(results, checks=(first, *results.checks[1:])))
    assert f"[{first.number}] {first.name} (1/1)" in report and "1/1 points" in report


@pytest.mark.parametrize("assignment_id, expected", [
    (EN, "softmax(...) raised NotImplementedError (line "),
])
def test_empty_exception_message_leaves_no_colon(sandbox, assignment_id, expected):
    a = load_assignment(assignment_id)
    report = check_report(grade(a, ROOT / "assignments" / EN / "examples" / "starter.py", sandbox=sandbox,
                                public_only=True))
    assert expected in report
    assert "NotImplementedError:" not in report


def test_empty_exception_message_in_french(sandbox, tmp_path):
    a = load_assignment(FR)
    path = tmp_path / a.starter
    path.write_text("def conv1d(x, w, mode):\n    raise NotImplementedError()\n", encoding="utf-8")
    (conv,) = [c for c in grade(a, path, sandbox=sandbox, public_only=True).checks if c.name.startswith("conv1d")]
    assert conv.feedback == "conv1d(...) a levé NotImplementedError (ligne 2)"


@pytest.mark.parametrize("assignment_id, source, name, expected", [
    (EN, "def softmax(x, axis=-1):\n    y = x\n", "softmax",
     "softmax(...) returned None: return the answer (is a 'return' missing?)"),
    (EN, "Q6_1_OUTPUT_DIM = None\n", "Q6_1_OUTPUT_DIM", "Q6_1_OUTPUT_DIM is None: give it the answer"),
    (FR, "def conv1d(x, w, mode):\n    y = x\n", "conv1d",
     "conv1d(...) a renvoyé None : renvoyez la réponse (manque-t-il un « return » ?)"),
])
def test_none_where_an_answer_is_expected_says_none(sandbox, tmp_path, assignment_id, source, name, expected):
    a = load_assignment(assignment_id)
    path = tmp_path / a.starter
    path.write_text(source, encoding="utf-8")
    results = grade(a, path, sandbox=sandbox)
    mine = [c for c in results.checks if next(k for k in a.checks if k.id == c.id).target == name]
    assert mine and all(c.feedback == expected and c.score == 0 for c in mine)
    assert "shape ()" not in check_report(results)


def test_graded_by_hand_is_said_once(sandbox):
    a = load_assignment(EN)
    results = grade(a, a.solution_file, sandbox=sandbox, public_only=True)
    report = check_report(results)
    assert report.count("Graded by hand") == 1 and report.lower().count("by hand") == 1
    output = gradescope_json(grade(a, a.solution_file, sandbox=sandbox))["output"]
    assert output.lower().count("by hand") == 1


@pytest.mark.parametrize("assignment_id, passed, later", [
    (EN, "All public checks passed. Hidden checks are graded after you submit.",
     "Hidden checks are graded after you submit."),
    (FR, "Toutes les vérifications publiques sont réussies. "
         "Les vérifications cachées sont corrigées après la remise.",
     "Les vérifications cachées sont corrigées après la remise."),
])
def test_summary_says_hidden_checks_come_after_submission(sandbox, tmp_path, assignment_id, passed, later):
    a = load_assignment(assignment_id)
    good = check_report(grade(a, a.solution_file, sandbox=sandbox, public_only=True))
    assert passed in good and "all tests passed" not in good.lower()
    empty = tmp_path / a.starter
    empty.write_text("x = 1\n", encoding="utf-8")
    bad = check_report(grade(a, empty, sandbox=sandbox, public_only=True))
    assert later in bad and passed not in bad


# --------------------------------------------------------------------------- what the child says, re-validated


def _outcome(*errors: dict, answers: dict | None = None):
    from autograder.sandbox import Outcome

    return Outcome(answers=answers or {}, exec_errors=tuple(errors))


def test_top_level_out_of_time_is_said_so():
    from autograder.load_errors import load_failures
    from autograder.submission import Submission

    sub = Submission(key="k", files={"hw1.py": "while True:\n    pass\ndef f(): pass\n"}, main="hw1.py",
                     chunks=("while True:\n    pass\ndef f(): pass\n",))
    (failure,) = load_failures(_outcome({"type": "_CallTimeout", "message": "", "line": 1, "chunk": 0}), sub,
                               language="en", exec_seconds=20)
    assert failure.cause == "Your code at line 1 did not finish within 20 s; the rest of it did not run"
    assert failure.names == frozenset({"f"}) and failure.reason == "your file stopped loading at line 1"


@pytest.mark.parametrize("error", [
    {"type": "ValueError", "message": "x", "line": "7; rm -rf", "chunk": 99},
    {"type": ["not", "a", "str"], "message": None, "line": -3, "chunk": "0"},
    {},
])
def test_what_the_child_says_of_a_raise_is_revalidated(error):
    """A forged exec error (its process is the student's) names no cell or line it cannot have."""
    from autograder.load_errors import load_failures
    from autograder.submission import Submission

    sub = Submission(key="k", files={"hw1.py": "x = 1\n\nA = 2\n"}, main="hw1.py", chunks=("x = 1", "A = 2"),
                     cells=(2, 4))
    (failure,) = load_failures(_outcome(error), sub, language="en", exec_seconds=20)
    assert failure.cause.startswith("The code at cell ?") and failure.names == frozenset()
    assert "rm -rf" not in failure.cause and "99" not in failure.cause


def test_defined_names_reads_definitions_and_assignments_only():
    source = ("import numpy as np\nclass Net:\n    pass\nasync def run(): pass\nW1, b1 = 1, 2\n"
              "LR: float = 0.1\nif LR == 0.1:\n    pass\ncount += 1\nx[0] = 3\n")
    assert defined_names(source) == {"Net", "run", "W1", "b1", "LR"}


@pytest.mark.parametrize("assignment_id, source, expected", [
    (EN, "Q7_1A = {1: 8, 2: 1}\n", "Q7_1A: a dict with int keys cannot be graded: use strings as keys"),
    (FR, "SIGNE_INDICATRICES = {1: 2, 0.5: 3}\n",
     "SIGNE_INDICATRICES : un dict dont les clés sont de type int ne peut pas être corrigé : "
     "utilisez des chaînes comme clés"),
])
def test_a_dict_with_number_keys_says_so_not_that_the_student_raised(sandbox, tmp_path, assignment_id, source,
                                                                        expected):
    """An honest answer the conversion to plain data refuses: said in the student's language, not
    "raised PlainDataError: dict keys must be strings" (the student's code raised nothing)."""
    a = load_assignment(assignment_id)
    path = tmp_path / a.starter
    path.write_text(source, encoding="utf-8")
    results = grade(a, path, sandbox=sandbox, public_only=True)
    name = source.split(" =")[0]
    mine = [c for c in results.checks if next(k for k in a.checks if k.id == c.id).target == name]
    assert mine and all(c.feedback == expected and not c.passed for c in mine), [c.feedback for c in mine]


def test_a_notebook_where_one_cell_raised_counts_in_the_class_on_what_ran(sandbox, tmp_path):
    """Its other cells' answers are the class's answers too: a wrong one is in "what the class got
    wrong"; the checks its raising cell kept from running are neither failures nor counted."""
    a = load_assignment(EN)
    before, conv, after = _split_at_function(_solution(a), "conv1d")
    cells = [before, "raise RuntimeError('left over')\n" + conv, after + "\nQ6_1_OUTPUT_DIM = 12345\n"]
    half = grade(a, _notebook(tmp_path / "hw1.ipynb", cells), sandbox=sandbox, key="half")
    assert half.status == "error"
    not_run = {c.id for c in half.checks if c.not_run}
    assert not_run and all(next(k for k in a.checks if k.id == cid).target == "conv1d" for cid in not_run)
    good = grade(a, a.solution_file, sandbox=sandbox, key="good")
    summary = class_summary([good, half], a)
    assert summary["failures_over"] == 2
    failing = {f["id"]: f for f in summary["top_failing_checks"]}
    assert not set(failing) & not_run  # what did not run is no failure
    dim = [f for f in failing.values() if f["question"] == "q6.1"]
    assert dim and all(f["count"] == 1 and f["ran"] == 2 and f["share"] == 0.5 for f in dim)
    answers = [w for w in summary["wrong_answers"] if w["question"] == "q6.1"]
    assert any(x["preview"] == "12345" and x["count"] == 1 for w in answers for x in w["answers"])


def test_results_json_shows_what_a_student_raised_as_plain_text(sandbox, tmp_path, schema):
    """A student's exception text goes into results.json: Gradescope must show it as text, never
    render its markdown or its tags (its default format keeps some HTML, links included)."""
    a = load_assignment(EN)
    path = tmp_path / "hw1.py"
    path.write_text('raise ValueError("<a href=\'http://x.example\'>regrade here</a> **bold**")\n', encoding="utf-8")
    data = gradescope_json(grade(a, path, sandbox=sandbox))
    _validate(data, schema)
    assert "<a href='http://x.example'>" in data["output"]  # kept as typed, for a text display
    assert data["output_format"] == "text" and data["test_output_format"] == "text"
    assert all("output_format" not in t for t in data["tests"])  # so every test's output is text too
