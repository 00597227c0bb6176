"""The notebook starter: ``starter/<stem>.ipynb``, generated from the assignment's ``.py`` starter.

The ``.py`` starter stays the one source: the notebook is rebuilt from it, never edited by hand
(``python -m autograder.notebook [ASSIGNMENT ...]`` rewrites them all). Layout:

1. a markdown cell: the title and how to work in the notebook, in the assignment's language;
2. the module docstring, as markdown;
3. in source order: each section comment (``# ===== Question 5``) as a ``## Question 5`` heading
   with the comment lines under it verbatim; each documented item (a function with a docstring,
   or an assignment followed by a string) as a markdown cell with the docstring text, then a code
   cell with the item's code exactly as in the starter (the function's source, or the
   assignment's line(s)); undocumented code (the imports at the top) in plain code cells;
4. a last code cell, ``from autograder import check`` / ``check()``.

Cell ids are derived from the cell's position, so regenerating gives the same bytes.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.assignment import Assignment

#: the first cell: title and how-to, per language (placeholders: title, notebook, starter, question)
INTRO = {
    "en": """# {title}

How to work in this notebook:

1. Fill in the code cells, keeping the names of the functions and values. The statement of each
   question is in the text above its cell.
2. Run each cell after changing it, then the last cell: `check()` runs the public checks on the
   cells this kernel has run, in the order you ran them (no need to save first; *Restart Kernel and
   Run All* starts clean). `check("{question}")` checks one question.
3. Public checks test some values and properties of your answers: passing them does not mean
   the hidden checks pass; those are graded after you submit. Open this notebook from the
   unzipped bundle folder, beside `assignment/` and `autograder/`.
4. Submit `{notebook}` (or `{starter}`) on Gradescope.
""",
    "fr": """# {title}

Comment travailler dans ce notebook :

1. Complétez les cellules de code en gardant les noms des fonctions et des valeurs. L'énoncé de
   chaque question est dans le texte au-dessus de sa cellule.
2. Exécutez chaque cellule après l'avoir modifiée, puis la dernière cellule : `check()` lance les
   vérifications publiques sur les cellules exécutées dans ce noyau, dans l'ordre où vous les avez
   exécutées (pas besoin d'enregistrer ; *Redémarrer le noyau et tout exécuter* repart de zéro).
   `check("{question}")` vérifie une seule question.
3. Les vérifications publiques testent certaines valeurs et propriétés de vos réponses : les
   réussir ne veut pas dire que les vérifications cachées réussiront ; celles-ci sont corrigées
   après la remise. Ouvrez ce notebook depuis le dossier décompressé, à côté de `assignment/` et
   `autograder/`.
4. Remettez `{notebook}` (ou `{starter}`) sur Gradescope.
""",
}

CHECK_CELL = "from autograder import check\ncheck()"

_SECTION = re.compile(r"^[=-]{3,}\s*(.*?)\s*[=-]*\s*$")


@dataclass(frozen=True)
class _Cell:
    kind: str  # "markdown" or "code"
    source: str


def starter_notebook(assignment: Assignment) -> NotebookNode:
    """The notebook starter of ``assignment``, built from its ``.py`` starter.

    >>> starter_notebook(load_assignment("ift6135-h20-hw1")).cells[-1].source
    'from autograder import check\\ncheck()'
    """
    path = assignment.root / "starter" / assignment.starter
    return notebook_from_starter(path.read_text(encoding="utf-8"), origin=path.name, title=assignment.title,
                                 language=assignment.language, starter=assignment.starter,
                                 question=example_question(assignment))


def notebook_from_starter(source: str, *, origin: str, title: str, language: str, starter: str,
                          question: str) -> NotebookNode:
    """The notebook made of a ``.py`` starter's text (the layout in this module's docstring);
    ``question`` is the one its how-to names as an example."""
    intro = INTRO.get(language, INTRO["en"]).format(
        title=title, starter=starter, notebook=Path(starter).with_suffix(".ipynb").name, question=question)
    cells = [_Cell("markdown", intro.strip()), *_cells(source, origin=origin), _Cell("code", CHECK_CELL)]
    nb = nbformat.v4.new_notebook()
    nb.metadata = NotebookNode({
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for index, cell in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if cell.kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source=cell.source, id=f"cell-{index}"))
    return nb


def notebook_name(assignment: Assignment) -> str:
    """File name of the notebook starter: the ``.py`` starter's stem with ``.ipynb``.

    >>> notebook_name(load_assignment("ift6135-h20-hw1"))
    'hw1.ipynb'
    """
    return Path(assignment.starter).with_suffix(".ipynb").name


def write_starter_notebook(assignment: Assignment) -> Path:
    """Write ``starter/<stem>.ipynb`` (nbformat 4, same bytes on every run) and return its path.

    >>> write_starter_notebook(load_assignment("ift6135-h20-hw1")).name
    'hw1.ipynb'
    """
    path = assignment.root / "starter" / notebook_name(assignment)
    nbformat.write(starter_notebook(assignment), path, version=4)
    return path


def example_question(assignment: Assignment) -> str:
    """The question the how-tos name in ``check("...")``: one that has public checks, so that the
    example works as printed."""
    for check in assignment.public_checks:
        return check.question
    auto = [q.id for q in assignment.questions if q.graded == "auto"]
    return auto[0] if auto else "q1"


def _cells(source: str, *, origin: str) -> list[_Cell]:
    """Markdown and code cells for the starter's source, in source order."""
    tree = ast.parse(source, filename=origin)
    lines = source.splitlines()
    body = list(tree.body)
    cells: list[_Cell] = []
    pending: list[str] = []  # undocumented code, waiting for the next markdown cell
    done = 0  # source lines (1-based, inclusive) already placed

    def flush() -> None:
        text = _trim("\n".join(pending))
        if text:
            cells.append(_Cell("code", text))
        pending.clear()

    def comments(upto: int) -> None:
        """Comment blocks in lines done+1 .. upto (outside any statement) -> markdown."""
        for block in _comment_blocks(lines[done:upto]):
            flush()
            cells.append(_Cell("markdown", block))

    if body and _is_string(body[0]):
        doc = inspect.cleandoc(body[0].value.value)
        if doc:
            cells.append(_Cell("markdown", _markdown(doc)))
        done = body[0].end_lineno
        body = body[1:]
    i = 0
    while i < len(body):
        node = body[i]
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        end = node.end_lineno
        gap_from = done
        comments(start - 1)
        done = max(done, start - 1)
        doc = None
        skip_to = end
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and i + 1 < len(body) \
                and _is_string(body[i + 1]):
            doc = inspect.cleandoc(body[i + 1].value.value)
            skip_to = body[i + 1].end_lineno
            i += 1
        code = _trim("\n".join(lines[done:end]))
        if pending and not doc and code and not any(line.strip() for line in lines[gap_from:done]):
            code = "\n" * (done - gap_from) + code  # blank lines between undocumented statements
        if doc:
            flush()
            cells.append(_Cell("markdown", _markdown(doc)))
            if code:
                cells.append(_Cell("code", code))
        elif code:
            pending.append(code)
        done = max(done, skip_to)
        i += 1
    comments(len(lines))
    flush()
    return cells


def _trim(code: str) -> str:
    """``code`` without its leading and trailing blank lines (indentation kept)."""
    kept = code.splitlines()
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def _is_string(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _comment_blocks(lines: list[str]) -> list[str]:
    """Runs of comment lines (a blank line ends a run) as markdown: a ``# ==== Title`` line
    becomes a ``## Title`` heading, the other lines are kept verbatim in a text block; a run
    that starts with a markdown heading (``# ## Title``, an assignment source's markdown cell)
    is markdown already."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            text = stripped[1:]
            blocks[-1].append(text[1:] if text.startswith(" ") else text)
        elif blocks[-1]:
            blocks.append([])
    out = []
    for block in blocks:
        if not block:
            continue
        if block[0].startswith("#"):
            out.append("\n".join(block).strip())  # written as markdown (``# ## Question 2``): kept so
            continue
        parts = []
        rest = block
        match = _SECTION.match(block[0])
        if match:
            rest = block[1:]
            if match.group(1):
                parts.append(f"## {match.group(1)}")
        while rest and not rest[-1].strip():
            rest = rest[:-1]
        if rest:
            parts.append("```text\n" + "\n".join(rest) + "\n```")
        if parts:
            out.append("\n\n".join(parts))
    return out


_INLINE = re.compile(r"[\\`*$]|<(?=[A-Za-z/!?])|(?<!\w)_|_(?!\w)")
_LINE_START = re.compile(r"^(\s*)([#>+=|])")


def _markdown(text: str) -> str:
    """A docstring as markdown: same words and line breaks, with the characters markdown (or
    the notebook's math rendering) would eat escaped; indented lines stay preformatted."""
    out: list[str] = []
    preformatted = False
    for line in text.splitlines():
        # an indented block after a blank line is preformatted in markdown: shown as it is
        preformatted = line.startswith("    ") and (preformatted or not out or not out[-1].strip())
        if preformatted:
            out.append(line)
            continue
        line = _INLINE.sub(lambda m: "\\" + m.group(0), line)
        out.append(_LINE_START.sub(r"\1\\\2", line))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.notebook [ASSIGNMENT ...]``: rewrite the notebook starters (all by default)."""
    from autograder.assignment import list_assignments, load_assignment

    refs = (sys.argv[1:] if argv is None else argv) or [str(p) for p in list_assignments()]
    for ref in refs:
        print(write_starter_notebook(load_assignment(ref)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
