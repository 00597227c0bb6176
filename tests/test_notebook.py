"""Notebooks: the generated starter notebooks, grading a notebook exactly like the same ``.py``,
broken notebooks, failing cells, and ``check()`` run for real in a Jupyter kernel from the
students' bundle."""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.assignment import Assignment, list_assignments, load_assignment
from autograder.grading import grade
from autograder.notebook import CHECK_CELL, notebook_name, starter_notebook
from autograder.packaging import bundle
from autograder.submission import load_submission

IDS = [p.name for p in list_assignments()]
EN, FR = "ift6135-h20-hw1", "ift6135-h23-hw1"


# --------------------------------------------------------------------------- helpers


def _starter_source(a: Assignment) -> str:
    return (a.root / "starter" / a.starter).read_text(encoding="utf-8")


def _pieces(source: str) -> list[str]:
    """``source`` cut at every top-level statement boundary (comments go with the statement
    below). A file that does not parse cannot be cut there: it stays one piece, as in the .py."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [source]
    lines = source.splitlines()
    bounds = [0, *(node.end_lineno for node in tree.body[:-1]), len(lines)]
    pieces = ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]
    return [p for p in pieces if p.strip()]


def _write_notebook(path: Path, code_cells: list[str]) -> Path:
    """A notebook as a student would leave it: a title, a magic, the code, a shell line."""
    cells = [new_markdown_cell("# My answers\n\nSome *notes* of mine."), new_code_cell("%matplotlib inline")]
    cells += [new_code_cell(code) for code in code_cells]
    cells[-1].source += "\n!pip list"
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                             "language": "python"}})
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path, version=4)
    return path


def _defined(chunks) -> set[str]:
    """Names the code defines at top level, executed cell by cell (trusted starter code)."""
    namespace: dict = {"__name__": "starter"}
    for index, chunk in enumerate(chunks):
        exec(compile(chunk, f"<cell {index}>", "exec"), namespace)  # noqa: S102 - the repo's own starter
    return {name for name in namespace if not name.startswith("__")}


def _scores(results) -> dict[str, float]:
    return {c.id: c.score for c in results.checks}


# --------------------------------------------------------------------------- the starter notebooks


@pytest.mark.parametrize("assignment_id", IDS)
def test_committed_notebook_is_the_generated_one(assignment_id, tmp_path):
    a = load_assignment(assignment_id)
    committed = a.root / "starter" / notebook_name(a)
    assert committed.exists(), f"regenerate with: python -m autograder.notebook {assignment_id}"
    fresh = tmp_path / committed.name
    nbformat.write(starter_notebook(a), fresh, version=4)
    assert fresh.read_bytes() == committed.read_bytes(), \
        f"{committed.name} is out of date: python -m autograder.notebook {assignment_id}"
    again = tmp_path / "again.ipynb"
    nbformat.write(starter_notebook(a), again, version=4)
    assert again.read_bytes() == fresh.read_bytes()  # deterministic: no random ids, no timestamps


@pytest.mark.parametrize("assignment_id", IDS)
def test_notebook_is_valid_and_defines_the_starters_names(assignment_id, tmp_path):
    a = load_assignment(assignment_id)
    nb = starter_notebook(a)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert [c.id for c in nb.cells] == [f"cell-{i}" for i in range(len(nb.cells))]
    path = tmp_path / notebook_name(a)
    nbformat.write(nb, path, version=4)
    submission = load_submission(path, starter=a.starter)
    assert submission.main == a.starter
    # the check() cell is for the student's kernel: the grader neutralises it, silently
    assert submission.notes == ()
    *answers, last = submission.chunks
    assert "check" in CHECK_CELL and all(line.lstrip().startswith("pass  # dropped") for line in last.splitlines())
    assert _defined(answers) == _defined([_starter_source(a)])


@pytest.mark.parametrize("assignment_id", IDS)
def test_notebook_layout(assignment_id):
    a = load_assignment(assignment_id)
    source = _starter_source(a)
    tree = ast.parse(source)
    nb = starter_notebook(a)
    cells = nb.cells
    code = [c.source for c in cells if c.cell_type == "code"]
    markdown = [_unescape(c.source) for c in cells if c.cell_type == "markdown"]

    # title and how-to in the assignment's language, then the module docstring
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith(f"# {a.title}\n")
    how_to = {"en": "How to work in this notebook", "fr": "Comment travailler dans ce notebook"}[a.language]
    assert how_to in cells[0].source and notebook_name(a) in cells[0].source
    assert cells[1].cell_type == "markdown" and markdown[1] == ast.get_docstring(tree)
    # the imports open the first code cell; the last cell runs the checks
    assert cells[2].cell_type == "code" and cells[2].source.startswith("from __future__ import annotations")
    assert "import numpy as np" in cells[2].source
    assert cells[-1].cell_type == "code" and cells[-1].source == CHECK_CELL == "from autograder import check\ncheck()"

    # every statement of the starter is in exactly one code cell, verbatim, in source order;
    # each documented item is preceded by a markdown cell with its docstring (the handout's words)
    lines = source.splitlines()
    body = tree.body[1:]
    position = -1
    for i, node in enumerate(body):
        if _is_string(node):
            continue
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        segment = "\n".join(lines[start - 1: node.end_lineno])
        holders = [k for k, c in enumerate(cells) if c.cell_type == "code" and segment in c.source]
        assert len(holders) == 1, segment
        assert holders[0] >= position, f"{segment!r} is out of order"
        position = holders[0]
        doc = ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else (
            inspect.cleandoc(body[i + 1].value.value) if i + 1 < len(body) and _is_string(body[i + 1]) else None)
        if doc:
            assert cells[position - 1].cell_type == "markdown"
            assert _unescape(cells[position - 1].source) == doc
            assert cells[position].source == segment  # a documented item has a cell of its own
    # the section comments are headings
    for line in lines:
        match = re.match(r"#\s*={3,}\s*(.+)$", line)
        if match:
            assert any(m.startswith(f"## {match.group(1).strip()}") for m in markdown), line
    assert all("\n\n\n" not in c for c in code)


def _is_string(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _unescape(markdown: str) -> str:
    return re.sub(r"\\([\\`*$<_#>+=|])", r"\1", markdown)


# --------------------------------------------------------------------------- grading a notebook


@pytest.mark.parametrize("assignment_id", IDS)
def test_notebook_grades_like_the_py(sandbox, assignment_id, tmp_path):
    """The solution and every example, as a notebook cut into cells at statement boundaries
    (plus a markdown cell, a magic and a shell line), score check for check like the .py."""
    a = load_assignment(assignment_id)
    files = [a.solution_file, *sorted((a.root / "examples").glob("*.py"))]
    assert len(files) >= 5
    differences = {}
    for py in files:
        source = py.read_text(encoding="utf-8")
        pieces = _pieces(source)
        nb_path = _write_notebook(tmp_path / py.stem / notebook_name(a), pieces)
        as_py = grade(a, py, sandbox=sandbox, key="same")
        as_nb = grade(a, nb_path, sandbox=sandbox, key="same")
        assert as_nb.submission == as_py.submission == "same"
        if _scores(as_nb) != _scores(as_py) or as_nb.status != as_py.status:
            differences[py.name] = {k: (v, _scores(as_py)[k]) for k, v in _scores(as_nb).items()
                                    if v != _scores(as_py)[k]} or (as_nb.status, as_py.status)
        assert any("%matplotlib inline" in n for n in as_nb.notes), as_nb.notes
        assert any("!pip list" in n for n in as_nb.notes), as_nb.notes
        if py == a.solution_file:
            assert len(pieces) > 5
            assert as_nb.score == a.auto_points and as_nb.status == "graded"
    assert not differences


BROKEN = [
    pytest.param("{not json", "not a valid notebook (invalid JSON", id="not-json"),
    pytest.param('{"hello": 1, "cells": "none"}', "not a Jupyter notebook", id="json-not-notebook"),
    pytest.param('[1, 2, 3]', "not a Jupyter notebook", id="json-list"),
    pytest.param('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "cells": []}',
                 "notebook format 3 is not supported (save as version 4)", id="nbformat-3"),
]

#: a real nbformat 3 file: its cells are in "worksheets", code in "input"
NBFORMAT_3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [
    {"cells": [{"cell_type": "code", "collapsed": False, "input": ["X = 1"], "language": "python",
                "metadata": {}, "outputs": []}], "metadata": {}}]})


@pytest.mark.parametrize("assignment_id", [EN, FR])
@pytest.mark.parametrize("content, fragment", BROKEN)
def test_broken_notebook_is_graded_invalid(sandbox, tmp_path, assignment_id, content, fragment):
    a = load_assignment(assignment_id)
    path = tmp_path / notebook_name(a)
    path.write_text(content, encoding="utf-8")
    results = grade(a, path, sandbox=sandbox)
    assert results.status == "invalid"
    assert results.score == 0 and all(c.score == 0 and not c.passed for c in results.checks)
    assert len(results.checks) == len(a.checks)
    # one cause, first; every check not run because of it (issue 14), none failed with its own reason
    (cause,) = results.causes
    assert not results.notes
    if a.language == "en":
        assert cause.startswith(f"Your submission could not be read: {path.name}: ") and fragment in cause
    else:  # the French wording is tested in test_broken_notebook_message_in_french
        assert cause.startswith(f"Votre remise n'a pas pu être lue : {path.name} : ")
    assert all(c.not_run and c.feedback.endswith(c.not_run) for c in results.checks)


def test_real_nbformat_3_file_names_the_format(sandbox, tmp_path):
    a = load_assignment(EN)
    path = tmp_path / notebook_name(a)
    path.write_text(NBFORMAT_3, encoding="utf-8")
    results = grade(a, path, sandbox=sandbox)
    assert results.status == "invalid" and results.score == 0
    assert "format 3" in results.causes[0]


def test_real_nbformat_3_file_is_invalid(sandbox, tmp_path):
    a = load_assignment(EN)
    path = tmp_path / notebook_name(a)
    path.write_text(NBFORMAT_3, encoding="utf-8")
    results = grade(a, path, sandbox=sandbox)
    assert results.status == "invalid" and results.score == 0
    assert results.causes[0].startswith("Your submission could not be read: hw1.ipynb: ")


def test_broken_notebook_message_in_french(sandbox, tmp_path):
    a = load_assignment(FR)
    path = tmp_path / notebook_name(a)
    path.write_text("{not json", encoding="utf-8")
    (note,) = grade(a, path, sandbox=sandbox).causes
    assert "notebook" in note and re.search(r"invalide|n'est pas", note) and "not a valid" not in note


@pytest.mark.parametrize("assignment_id, raised", [
    (EN, "The code at cell {cell}, line 2 raised ValueError: a broken cell; the rest of that cell did not run"),
    (FR, "Le code à la cellule {cell}, ligne 2 a levé ValueError : a broken cell ; la suite de cette cellule "
         "n'a pas été exécutée"),
])
def test_failing_cell_does_not_stop_later_cells(sandbox, tmp_path, assignment_id, raised):
    a = load_assignment(assignment_id)
    solution = a.solution_file
    pieces = _pieces(solution.read_text(encoding="utf-8"))
    middle = len(pieces) // 2
    later = _defined_names(pieces[middle:])
    failing = "# this cell fails\nraise ValueError('a broken cell')"
    nb_path = _write_notebook(tmp_path / "nb" / notebook_name(a), [*pieces[:middle], failing, *pieces[middle:]])
    full = grade(a, solution, sandbox=sandbox, key="same")
    results = grade(a, nb_path, sandbox=sandbox, key="same")
    # the answers defined after the failing cell still score: nothing is lost
    assert _scores(results) == _scores(full) and results.score == a.auto_points
    later_checks = [c for c in results.checks if c.id in {k.id for k in a.checks if k.target in later}]
    assert later_checks and all(c.passed for c in later_checks)
    assert results.status == "error"
    # the notebook's cells: a title, a magic, then the pieces (the failing one after the first half)
    assert results.causes == (raised.format(cell=3 + middle),)
    # the same code as one .py stops at the raise: the later answers are lost there
    py = tmp_path / "py" / a.starter
    py.parent.mkdir()
    py.write_text("\n\n".join([*pieces[:middle], failing, *pieces[middle:]]), encoding="utf-8")
    as_py = grade(a, py, sandbox=sandbox, key="same")
    later_ids = {c.id for c in later_checks}
    assert all(not c.passed for c in as_py.checks if c.id in later_ids)
    assert as_py.score < results.score


def _defined_names(pieces: list[str]) -> set[str]:
    names = set()
    for node in ast.parse("\n\n".join(pieces)).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _filled_starter(a: Assignment, path: Path) -> Path:
    """The starter notebook as a student hands it in: the solution's code in place of the
    starter's code cells, and the notebook's own last cell, check()."""
    nb = starter_notebook(a)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"][:2]
    code = [new_code_cell(p) for p in _pieces(a.solution_file.read_text(encoding="utf-8"))]
    nb.cells = [*markdown, *code, nb.cells[-1]]
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path, version=4)
    return path


@pytest.mark.parametrize("assignment_id", [EN, FR])
def test_handed_in_notebook_with_its_check_cell_scores_full_marks(sandbox, tmp_path, assignment_id):
    a = load_assignment(assignment_id)
    results = grade(a, _filled_starter(a, tmp_path / notebook_name(a)), sandbox=sandbox)
    assert results.score == a.auto_points and all(c.passed for c in results.checks)


def test_handed_in_notebooks_check_cell_is_not_an_error(sandbox, tmp_path):
    a = load_assignment(EN)
    results = grade(a, _filled_starter(a, tmp_path / notebook_name(a)), sandbox=sandbox)
    assert results.status == "graded" and not any("UsageError" in n for n in results.notes)
    assert not any("check()" in n for n in results.notes)  # the bundle's own check cell: ignored silently


# --------------------------------------------------------------------------- check() in a real kernel


def _unzipped_bundle(a: Assignment, tmp_path: Path) -> Path:
    archive = bundle(a, out=tmp_path / "bundle.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "student")
    folder = tmp_path / "student" / a.id
    assert (folder / notebook_name(a)).exists() and (folder / "autograder" / "student.py").exists()
    return folder


def _execute(nb, folder: Path) -> list[str]:
    """Run ``nb`` in a python3 kernel started in ``folder``, importing the bundle's package only;
    returns what each cell printed."""
    from nbclient import NotebookClient

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "AUTOGRADER_ASSIGNMENT", "AUTOGRADER_ASSIGNMENTS")}
    env["PYTHONPATH"] = str(folder)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute(env=env)
    texts = []
    for cell in nb.cells:
        # printed text, and the text part of what a cell displayed (check()'s report)
        texts.append("".join(out.get("text", "") if out.get("output_type") == "stream"
                             else out.get("data", {}).get("text/plain", "") for out in cell.get("outputs", [])))
    return texts


_WHERE = "import autograder, os; print('PACKAGE', os.path.dirname(os.path.realpath(autograder.__file__)))"


def _solution_notebook(a: Assignment, folder: Path, question: str):
    """The bundle's starter notebook with the solution's code in place of the starter's code
    cells, a cell checking one question, and the notebook's own last cell, check()."""
    nb = nbformat.read(folder / notebook_name(a), as_version=4)
    assert nb.cells[-1].source == CHECK_CELL
    markdown = [c for c in nb.cells if c.cell_type == "markdown"][:2]
    code = [new_code_cell(p) for p in _pieces(a.solution_file.read_text(encoding="utf-8"))]
    nb.cells = [*markdown, new_code_cell(_WHERE), *code, new_code_cell(f'from autograder import check\ncheck("{question}")'),
                nb.cells[-1]]
    return nb


def _assert_bundle_package(texts: list[str], folder: Path) -> None:
    where = next(t for t in texts if t.startswith("PACKAGE "))
    assert Path(where.split(" ", 1)[1].strip()) == (folder / "autograder").resolve()


def test_check_in_a_kernel_english(tmp_path):
    a = load_assignment(EN)
    folder = _unzipped_bundle(a, tmp_path)
    texts = _execute(_solution_notebook(a, folder, "q5"), folder)
    _assert_bundle_package(texts, folder)
    one, everything = texts[-2], texts[-1]
    assert f"{a.title}: public checks" in one
    assert "✓" in one and "conv1d" in one and "✗" not in one
    q5 = sum(c.question == "q5" for c in a.public_checks)
    assert f"{q5}/{q5} public checks passed" in one
    total = len(a.public_checks)
    assert f"{total}/{total} public checks passed" in everything
    assert "All public checks passed." in everything and "✗" not in everything
    assert "Graded by hand" in everything


def test_check_in_a_kernel_french(tmp_path):
    a = load_assignment(FR)
    folder = _unzipped_bundle(a, tmp_path)
    texts = _execute(_solution_notebook(a, folder, "q3a"), folder)
    _assert_bundle_package(texts, folder)
    one, everything = texts[-2], texts[-1]
    assert f"{a.title} : vérifications publiques" in one and "✓" in one and "✗" not in one
    assert re.search(r"(\d+)/\1 vérifications publiques réussies", one)
    total = len(a.public_checks)
    assert f"{total}/{total} vérifications publiques réussies" in everything
    assert "Toutes les vérifications publiques sont réussies." in everything
    assert "Corrigé à la main" in everything


def test_check_in_a_kernel_shows_a_wrong_answer(tmp_path):
    """The shipped starter notebook, run as is, with one wrong answer typed into its cell."""
    a = load_assignment(EN)
    folder = _unzipped_bundle(a, tmp_path)
    nb = nbformat.read(folder / notebook_name(a), as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("def softmax(")]
    cell.source = "def softmax(x):\n    return x  # forgot the exponentials"
    nb.cells.insert(2, new_code_cell(_WHERE))
    texts = _execute(nb, folder)
    _assert_bundle_package(texts, folder)
    report = texts[-1]
    assert f"{a.title}: public checks" in report
    line = next(line for line in report.splitlines() if "softmax returns a probability vector" in line)
    assert line.lstrip().startswith("✗")
    assert "NotImplementedError" in report  # the cells left as in the starter
    assert "All public checks passed" not in report


def _outputs(cell) -> tuple[str, str]:
    """(text/html, text/plain and stream text) of one executed cell."""
    html = "".join(out.get("data", {}).get("text/html", "") for out in cell.outputs)
    text = "".join(out.get("text", "") if out.get("output_type") == "stream"
                   else out.get("data", {}).get("text/plain", "") for out in cell.outputs)
    return html, text


@pytest.mark.parametrize("assignment_id", [EN, FR])
def test_check_renders_as_html_in_a_kernel(tmp_path, assignment_id):
    """The bundle's notebook with one answer filled in wrong (it raises, with markup in its message)
    and the notebook's own check cell: one HTML block per question, colours, the summary; no
    repr of a returned value; the student's text escaped."""
    a = load_assignment(assignment_id)
    folder = _unzipped_bundle(a, tmp_path)
    nb = nbformat.read(folder / notebook_name(a), as_version=4)
    functions = {c.target for c in a.public_checks if c.call}
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("def ")
                and c.source[4:].split("(")[0] in functions)
    boom = "<script>alert(1)</script>"
    cell.source = f"{cell.source.splitlines()[0]}\n    raise ValueError({boom!r})"
    execute = _execute(nb, folder)
    assert execute
    html, text = _outputs(nb.cells[-1])
    assert html.startswith('<div class="autograder-check"'), html[:200]
    questions = {c.question for c in a.public_checks}
    assert html.count('class="question"') == len(questions)
    assert "#b42318" in html and "✗" in html  # red: the wrong question, and the cells left as in the starter
    passed_line = "public checks passed" if a.language == "en" else "vérifications publiques réussies"
    assert passed_line in html and passed_line in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<Results" not in text and "<Results" not in html
    assert [o.output_type for o in nb.cells[-1].outputs] == ["display_data"]  # shown once, no Out[n]


def test_check_prints_plain_text_in_a_terminal(tmp_path):
    a = load_assignment(EN)
    folder = _unzipped_bundle(a, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("AUTOGRADER_")}
    r = subprocess.run([sys.executable, "-c", "from autograder import check; check()"], cwd=folder,
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and r.stderr == ""
    assert f"{a.title}: public checks" in r.stdout and "✗" in r.stdout
    assert "<div" not in r.stdout and "<Results" not in r.stdout
