"""Every sentence a French student reads is French, with its accents; English stays English.

The French assignments' message paths are walked: every catalogue key rendered in French, every
check name and question title, the starters' texts, what the checks' helpers and the formula
parser say about wrong answers (each property and formula check judged on a battery of wrong
answers), and the reports of graded submissions (the examples, plus a syntax error, an exception
raised in a function of a file and of a notebook, a formula that does not parse).

What is scanned is prose: code (between backticks, indented blocks, ``name(...)``, dotted and
snake_case names), quoted student values ('...', "...", « ... »), exception class names and the
exception's own message that follows them (it is the exception's text, e.g. numpy's, shown as
it is) are removed first; then no common English word may remain (:data:`ENGLISH`, whole words,
except :data:`ALLOWED`), and none of the usual misspellings without accents (:data:`UNACCENTED`).
"""

from __future__ import annotations

import ast
import io
import json
import re
import string
import tokenize
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pytest

from autograder.assignment import load_assignment
from autograder.checks import judge
from autograder.compare import Comparison
from autograder.messages import CATALOGUES, Message, render

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ("ift6135-devoir3", "ift6135-a22-generatifs", "ift6135-h23-hw1", "td-gradients")
ENGLISH_ASSIGNMENT = "ift6135-h20-hw1"

#: common English words that are not also French words ("a", "on", "as", "or", "plus", "type",
#: "message", "long", "large", "points", "question", "argument", "dimension", "gradient" are both,
#: and are left out; so are None, True and False, Python's values, written as they are in both
#: languages)
ENGLISH = frozenset("""
the is are was were be been being not no nor and with without within of to from by for this that
these those which what when where while why who how it its your you we our their there here
should must can cannot could would will does did do has have had
return returns returned raise raises raised line lines cell cells expected got shape shapes
value values number numbers answer answers function functions formula formulas missing defined
allowed only too than then but each every any all some between into after before above
below about instead yes error errors failed passed hidden graded submission submitted wrong
differs differ different equal finite infinite whole result results output matrix vector
integer positive negative probability sum same other found unexpected invalid column character
takes take called call calls derivative loss weights layer size length limit reached process
ended killed read readable syntax in at if one two three first last see use using used write
written run runs running grader student please because more less most least small big short
order up out off over done finish finished given give gives need needs needed show shows
check checks keys key name names contains contain empty text string
""".split())

#: words of the list a French sentence uses on purpose: technical terms with no French form in
#: these courses' handouts, or code values written as they are
ALLOWED = frozenset({
    "sum",  # a function of the formulas (``sum(x)``), listed by name where the allowed names are given
})
#: technical terms kept in English in these courses' French handouts, removed before the scan
TECHNICAL = re.compile(r"\bone-hot\b")

#: French words written without their accents (each is wrong in French prose, also where it
#: happens to spell an English word: "negative", "element", "equation")
UNACCENTED = frozenset("""
derivee derivees derivez ecrivez ecrire ecrit reponse reponses probabilite probabilites
parametre parametres donnee donnees entree entrees deja premiere derniere negatif negative
numerique resultat resultats methode elements element verification verifications reussi
reussie echoue echouee cachee cachees defini definie definies superieur inferieur egal egale
egaux generatif generatifs generative generateur reel reels reelle reelles deuxieme troisieme
systeme modele probleme critere regle etape evaluer evaluee evaluez completez repondez etant
differentiation differentiable deriver derive precedente precedent frequence theoreme presente
presentee demontrer equation equations hypothese
""".split())

_FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_BACKTICKS = re.compile(r"`[^`\n]*`")
#: a quote opens where it does not follow a letter and closes where no letter follows: the
#: apostrophes of "n'est", "l'entrée" are neither
_QUOTED = re.compile(r"""(?<![\w])'[^'\n]*'(?![\w])|"[^"\n]*"|«[^»\n]*»|“[^”\n]*”""")
_EXCEPTION = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning|Interrupt|Exit|Iteration)\b")
#: the exception's own message follows its name and a colon, up to where the frame is given
_EXCEPTION_MESSAGE = re.compile(
    r"\b[A-Z]\w*(?:Error|Exception|Warning|Interrupt|Exit|Iteration|Banned)\b\s?:.*?(?=\((?:ligne|cellule) \d|$)",
    re.MULTILINE)
_CODE = re.compile(r"\b\w+\([^()\n]*\)|\b\w+\(|\w*[_\d]\w*|\w+(?:\.\w+)+|\S*/\S*|--?\w[\w-]*")
_WORD = re.compile(r"[^\W\d_]+")


def prose(text: str) -> str:
    """``text`` without its code, quoted values, exception names and exception messages."""
    text = _FENCED.sub(" ", text)
    text = TECHNICAL.sub(" ", text)
    text = _BACKTICKS.sub(" ", text)
    text = _QUOTED.sub(" ", text)
    text = _EXCEPTION_MESSAGE.sub(" ", text)
    text = _EXCEPTION.sub(" ", text)
    return _CODE.sub(" ", text)


def english_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(prose(text)) if w.lower() in ENGLISH and w.lower() not in ALLOWED]


def unaccented_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(prose(text)) if w.lower() in UNACCENTED]


def problems(where: str, text: str) -> list[str]:
    found = []
    english = english_words(text)
    if english:
        found.append(f"{where}: English {sorted(set(english))} in {text!r}")
    bare = unaccented_words(text)
    if bare:
        found.append(f"{where}: without accents {sorted(set(bare))} in {text!r}")
    if re.search(r"\bline \d", text):  # the frame of an exception, even inside what prose() removes
        found.append(f"{where}: English frame in {text!r}")
    return found


def _assert_clean(found: list[str]) -> None:
    assert not found, f"{len(found)} English or unaccented texts:\n" + "\n".join(found[:80])


# ----------------------------------------------------------------------------- the scanner itself

@pytest.mark.parametrize("text, english", [
    ("the answer is not close", ["the", "answer", "is", "not"]),
    ("'exp' n'est pas permis ici (permis : sigma, x)", []),
    ("f(...) a levé ValueError : cannot reshape array of size 3 (ligne 58)", []),
    ("f(...) a levé ValueError : cannot reshape (line 58)", []),   # caught by the frame rule
    ("votre fonction a levé TypeError (cellule 12, ligne 3)", []),
    ("obtenu : NoneType, attendu `np.ndarray`", []),
    ("la valeur « the same » est citée", []),
    ("jacobienne_logistique(x) returned None", ["returned"]),
])
def test_the_scanner_sees_prose_only(text, english):
    assert english_words(text) == english


def test_the_scanner_catches_an_english_frame_and_missing_accents():
    assert problems("t", "f(...) a levé ValueError : x (line 58)")
    assert problems("t", "Ecrivez la derivee")
    assert not problems("t", "Écrivez la dérivée de f(x) = x² en x")


# ----------------------------------------------------------------------------- the catalogue

def _filled(template: str) -> dict[str, Any]:
    return {f: "7" for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_catalogue_entry_is_french():
    found = []
    for key, template in CATALOGUES["fr"].items():
        base = key.split("@")[0]
        text = render(Message(base, _filled(template)), "fr", hidden=key.endswith("@hidden"))
        found += problems(f"messages.FR[{key!r}]", text)
    _assert_clean(found)


def test_every_english_catalogue_entry_is_english():
    """The other way round: no French word leaks into what an English student reads."""
    french = re.compile(r"\b(?:le|la|les|est|pas|une|des|votre|vos|ligne|cellule|levé|réussi|échoué|"
                        r"vérifications?|attendu|formule|réponse|dans|ou|à)\b", re.IGNORECASE)
    found = []
    for key, template in CATALOGUES["en"].items():
        text = render(Message(key.split("@")[0], _filled(template)), "en", hidden=key.endswith("@hidden"))
        if french.search(prose(text)) or re.search(r"[àâçéèêëîïôûùüÿœ]", text):
            found.append(f"messages.EN[{key!r}]: {text!r}")
    _assert_clean(found)


# ----------------------------------------------------------------------------- assignments' texts

def _hint_texts(check: Any, language: str) -> Iterable[str]:
    """The hints of a check's known wrong answers, as a student of ``language`` reads them (a
    hint written only in English would be shown in English: it is scanned so)."""
    for hint in getattr(check, "hints", ()):
        yield hint.in_language(language)


@pytest.mark.parametrize("assignment_id", FRENCH)
def test_titles_check_names_and_hints_are_french(assignment_id):
    assignment = load_assignment(assignment_id)
    found = problems(f"{assignment_id} title", assignment.title)
    for q in assignment.questions:
        found += problems(f"{assignment_id} question {q.id}", q.title)
    for c in assignment.checks:
        found += problems(f"{assignment_id} check {c.id}", c.name)
        for hint in _hint_texts(c, assignment.language):
            found += problems(f"{assignment_id} check {c.id} hint", hint)
    _assert_clean(found)


def _docstrings_and_comments(source: str) -> Iterable[str]:
    """The prose of a Python text: its comments, and its docstrings without their indented
    (code) lines. Other strings are code or values."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.string.lstrip("# ")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    body_nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef)))]
    strings = []
    for node in body_nodes:
        for stmt in node.body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                strings.append(stmt.value.value)
    for text in strings:
        yield "\n".join(line for line in text.splitlines() if not line.startswith("    "))


def _starter_texts(assignment_id: str) -> Iterable[tuple[str, str]]:
    starter = ROOT / "assignments" / assignment_id / "starter"
    for path in sorted(starter.iterdir()):
        if path.suffix == ".py":
            for text in _docstrings_and_comments(path.read_text(encoding="utf-8")):
                yield path.name, text
        elif path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            for i, cell in enumerate(nb["cells"], start=1):
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                if cell["cell_type"] == "markdown":
                    yield f"{path.name} cell {i}", "\n".join(
                        line for line in source.splitlines() if not line.startswith("    "))
                else:
                    for text in _docstrings_and_comments(source):
                        yield f"{path.name} cell {i}", text


@pytest.mark.parametrize("assignment_id", FRENCH)
def test_starters_are_french(assignment_id):
    found = []
    for where, text in _starter_texts(assignment_id):
        for line in _FENCED.sub(" ", text).splitlines():
            found += problems(f"{assignment_id} {where}", line)
    _assert_clean(found)


def test_the_bundle_readme_and_the_notebook_intro_are_french():
    from autograder.notebook import INTRO
    from autograder.packaging import STUDENT_README

    found = []
    for where, text in (("packaging.STUDENT_README", STUDENT_README["fr"]), ("notebook.INTRO", INTRO["fr"])):
        for line in _FENCED.sub(" ", text).splitlines():
            found += problems(where, line)
    _assert_clean(found)


# ----------------------------------------------------------------------------- helpers and parser

#: wrong answers of every form: each property helper and the formula comparator say why they
#: are refused, and what they say is scanned
WRONG_ANSWERS: tuple[Any, ...] = (
    None, True, 3, -2.5, float("nan"), "", "   ", "x +* 2", "exp(", "foo(x)", "x[0]", "lambda: 1",
    "x if x else 1", "'texte'", "x == 1", "[x, x]", "x.shape", "x ^ 2", "2x", "exp", "sum(x, x, x)",
    "log(x) @ ones(7)", [], [1.0], [1.0, 2.0, 3.0], [[1.0, 2.0], [3.0]], [["a"]], {}, {"x": 1},
    {"x>=0": 2, "x<0": "y"}, np.zeros(0), np.zeros(3), np.ones((2, 2)), np.full(3, np.nan),
    np.array([[1.0, 2.0], [3.0, 4.0]]) * 1e9, ["exp(", "x"], ["", ""], ("x", "y"),
)


def _expected_for(assignment, references, check, args, case):
    if check.expect == "value":
        return check.expected_value
    if check.expect == "reference" and references is not None:
        return references.answer(check, args, case=case)
    return None


def _cases(assignment, check) -> list[tuple]:
    cases = [tuple(c) for c in check.cases] if check.call else [()]
    if check.call and check.generate:
        name, _ = check.generate
        generator = getattr(assignment.helpers, name)
        cases += [tuple(a) for a in generator(np.random.default_rng(0), 2)]
    return [c for c in cases if c][:3] or [()]


def _judged(assignment, references, check) -> Iterable[str]:
    rng = np.random.default_rng(1)
    for case, args in enumerate(_cases(assignment, check)):
        expected = _expected_for(assignment, references, check, args, case)
        for answer in WRONG_ANSWERS:
            verdict = judge(check, answer, expected, args=args, helpers=assignment.helpers, rng=rng)
            assert isinstance(verdict, Comparison)
            if verdict.message is not None:
                text = render(verdict.message, assignment.language, hidden=check.hidden)
                # the student's own text, shown as it is where it is the value ("x if x else 1,
                # expected 3"): a value, not prose
                yield text.replace(answer, " ") if isinstance(answer, str) and answer.strip() else text


@pytest.mark.parametrize("assignment_id", FRENCH)
def test_wrong_answers_are_refused_in_french(assignment_id):
    """Every check (comparators, properties of the helpers, the formula parser) judges the
    battery of wrong answers: what it says is scanned."""
    from autograder.references import References

    assignment = load_assignment(assignment_id)
    references = References(assignment)
    found, seen = [], set()
    for check in assignment.checks:
        for text in _judged(assignment, references, check):
            if text not in seen:
                seen.add(text)
                found += problems(f"{assignment_id} {check.id}", text)
    assert len(seen) > 20  # the battery reached the helpers' messages, not only one refusal
    _assert_clean(found)


@pytest.mark.parametrize("assignment_id", FRENCH)
def test_helpers_string_literals_are_french(assignment_id):
    """The texts a helper returns, read from its source: those the battery of wrong answers
    does not reach too (an f-string counts by its literal parts)."""
    source = (ROOT / "assignments" / assignment_id / "checks" / "helpers.py").read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        for sub in ast.walk(node.value):
            if isinstance(sub, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "7" for v in sub.values)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and " " in sub.value:
                text = sub.value
            else:
                continue
            found += problems(f"{assignment_id} helpers.py:{sub.lineno}", text)
    _assert_clean(found)


# ----------------------------------------------------------------------------- graded submissions

def _report_texts(results) -> Iterable[str]:
    from autograder.report.gradescope import gradescope_json
    from autograder.report.text import check_report

    yield check_report(results)
    data = gradescope_json(results)
    yield str(data.get("output", ""))
    for test in data.get("tests", []):
        yield str(test.get("name", ""))
        yield str(test.get("output", ""))


def _scan_results(where: str, results) -> list[str]:
    found = []
    for text in _report_texts(results):
        for line in text.splitlines():
            found += problems(where, line)
    return found


def _broken_files(assignment, folder: Path) -> list[Path]:
    """A syntax error; a function whose numpy call raises; a formula that does not parse; the
    same exception raised from a notebook cell."""
    starter = (assignment.root / "starter" / assignment.starter).read_text(encoding="utf-8")
    formula = next(c.target for c in assignment.checks if c.kind == "formula" and not c.call)
    function = next(c.target for c in assignment.public_checks if c.call)
    syntax = folder / "syntaxe.py"
    syntax.write_text(starter + "\n\ndef oups(:\n    pass\n", encoding="utf-8")
    raises = folder / "exception.py"
    raises.write_text(starter + f"\n\ndef {function}(*args):\n    import numpy as np\n"
                      "    return np.arange(3).reshape(2, 2)\n", encoding="utf-8")
    bad_formula = folder / "formule.py"
    bad_formula.write_text(starter + f"\n\n{formula} = 'exp(x +* 2'\n", encoding="utf-8")
    notebook = json.loads((assignment.root / "starter" / (Path(assignment.starter).stem + ".ipynb"))
                          .read_text(encoding="utf-8"))
    notebook["cells"].insert(-1, {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": f"def {function}(*args):\n    import numpy as np\n"
                                            "    return np.arange(3).reshape(2, 2)\n"})
    # and a cell that does not parse, at the top: the cell numbers of the others stay the same
    notebook["cells"].insert(1, {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                 "source": "def oups(:\n    pass\n"})
    cell_path = folder / "cellule.ipynb"
    cell_path.write_text(json.dumps(notebook), encoding="utf-8")
    # a function that ends its process
    other = [c.target for c in assignment.public_checks if c.call and c.target != function][0]
    died = folder / "processus.py"
    died.write_text(starter + f"\n\ndef {other}(*args):\n    import os\n    os._exit(3)\n", encoding="utf-8")
    return [syntax, raises, bad_formula, cell_path, died]


@pytest.mark.parametrize("assignment_id", FRENCH)
def test_graded_submissions_read_in_french(assignment_id, sandbox, tmp_path):
    from autograder.grading import grade
    from autograder.references import References
    from autograder.validation import example_files

    assignment = load_assignment(assignment_id)
    references = References(assignment)
    paths = [p for p, _ in example_files(assignment)] + _broken_files(assignment, tmp_path)
    found = []
    for path in paths:
        results = grade(assignment, path, sandbox=sandbox, references=references, key=path.stem)
        found += _scan_results(f"{assignment_id} {path.name}", results)
    _assert_clean(found)


def test_an_exception_names_its_frame_in_french(sandbox, tmp_path):
    """"a levé ValueError : <numpy's text> (ligne N)" in a file, "(cellule C, ligne N)" in a
    notebook: the exception's name and message as they are, everything around them French."""
    from autograder.grading import grade

    assignment = load_assignment("ift6135-devoir3")
    _, raises, _, notebook, _ = _broken_files(assignment, tmp_path)
    for path, frame in ((raises, r"\(ligne \d+\)"), (notebook, r"\(cellule \d+, ligne 3\)")):
        results = grade(assignment, path, sandbox=sandbox, public_only=True)
        feedback = [c.feedback for c in results.checks if "ValueError" in c.feedback]
        assert feedback, [c.feedback for c in results.checks]
        assert re.search(r"a levé ValueError : cannot reshape array of size 3 into shape \(2,\s?2\) " + frame,
                         feedback[0]), feedback[0]


def test_the_notebook_cell_is_the_one_the_student_sees(sandbox, tmp_path):
    from autograder.grading import grade

    assignment = load_assignment("ift6135-devoir3")
    *_, notebook, _ = _broken_files(assignment, tmp_path)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    number = len(cells) - 1  # the inserted cell, before the last (check()) one; markdown cells count
    results = grade(assignment, notebook, sandbox=sandbox, public_only=True)
    feedback = next(c.feedback for c in results.checks if "ValueError" in c.feedback)
    assert f"(cellule {number}, ligne 3)" in feedback


def test_an_english_assignment_stays_english(sandbox, tmp_path):
    from autograder.grading import grade

    from autograder.references import References

    assignment = load_assignment(ENGLISH_ASSIGNMENT)
    references = References(assignment)
    _, raises, bad_formula, notebook, died = _broken_files(assignment, tmp_path)
    texts = []
    for path in (raises, bad_formula, notebook, died):
        results = grade(assignment, path, sandbox=sandbox, references=references)
        texts += list(_report_texts(results))
    joined = "\n".join(texts)
    assert re.search(r"raised ValueError: cannot reshape array of size 3 into shape \(2,\s?2\) \(line \d+\)", joined)
    assert re.search(r"\(cell \d+, line 3\)", joined)
    assert "exit code 3" in joined
    assert "cannot read the formula" in joined
    assert not re.search(r"\b(?:ligne|cellule|levé|formule illisible|votre)\b", joined)


def test_python_and_the_sandbox_are_translated_around_their_own_words(sandbox, tmp_path):
    """Python's syntax error, the process's end, the autograd ban's refusal: each in French."""
    from autograder.grading import grade

    assignment = load_assignment("ift6135-devoir3")
    *_, notebook, died = _broken_files(assignment, tmp_path)
    results = grade(assignment, notebook, sandbox=sandbox, public_only=True)
    assert any("cellule 2, ligne 1" in cause and "syntaxe invalide" in cause for cause in results.causes), results.causes
    results = grade(assignment, died, sandbox=sandbox, public_only=True)
    assert any("(code de sortie 3)" in c.feedback for c in results.checks)

    gan = load_assignment("ift6135-a22-generatifs")
    results = grade(gan, gan.root / "examples" / "erreurs_gan.py", sandbox=sandbox, public_only=True)
    refused = [c.feedback for c in results.checks if "différentiation automatique est interdite" in c.feedback]
    assert any("enregistrement des gradients (torch.enable_grad" in f and "au chargement du fichier (ligne " in f
               for f in refused), refused


@pytest.mark.parametrize("text, french", [
    ("expected ':'", "il manque ':'"),
    ("invalid syntax. Perhaps you forgot a comma?", "syntaxe invalide ; manque-t-il une virgule ?"),
    ("'(' was never closed", "'(' n'est jamais refermé"),
    ("unterminated string literal (detected at line 5)", "une chaîne de caractères n'est jamais refermée (il manque un guillemet)"),
    ("expected an indented block after 'if' statement on line 12", "bloc indenté attendu après la ligne 12"),
    ("something Python will say one day", "message de Python : « something Python will say one day »"),
])
def test_python_syntax_errors_in_french(text, french):
    from autograder.messages import python_syntax

    assert render(python_syntax(text), "fr") == french
    assert not english_words(render(python_syntax(text), "fr"))


def test_autograd_refused_while_a_cell_ran_names_the_cell(sandbox, tmp_path):
    """The ban stops a notebook's cell that differentiates at the top level: the functions it
    would have given are refused, naming that cell as the student sees it, in French."""
    from autograder.grading import grade

    gan = load_assignment("ift6135-a22-generatifs")
    notebook = json.loads((gan.root / "starter" / "generatifs.ipynb").read_text(encoding="utf-8"))
    # the starter's cell of champ_vitesse_r1, which now switches gradients on before defining it
    index = next(i for i, c in enumerate(notebook["cells"])
                 if c["cell_type"] == "code" and "def champ_vitesse_r1" in "".join(c["source"]))
    notebook["cells"][index]["source"] = ("import torch\n\n"
                                          "torch.set_grad_enabled(True)\n\n"
                                          "def champ_vitesse_r1(*args):\n    return 0.0\n")
    path = tmp_path / "gan.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    cell = index + 1
    results = grade(gan, path, sandbox=sandbox, public_only=True)
    refused = [c.feedback for c in results.checks if "différentiation automatique est interdite" in c.feedback]
    assert any(f"à l'exécution de la cellule {cell} (ligne 3)" in f for f in refused), \
        [c.feedback for c in results.checks]
