"""How strong an assignment's checks are: wrong variants of its solution, graded like a class.

For each auto-graded question, :func:`make_variants` writes submissions that are the solution
with one answer made wrong in one way; :func:`measure` grades them all through the normal batch
path (``grade_batch``), and a variant that still gets the question's full points *survives*.
A check that lets a wrong answer through is a check to fix (``autograder validate ID
--strength`` prints the table). Variants are generated, never written by hand:

- functions (and values defined by an expression): mutations of the solution's code, one
  site at a time: an arithmetic operator swapped, a constant +1, -1 or x2, a sign flipped, a
  transpose added or dropped, two arguments swapped, an axis changed, a term dropped, a
  comparison's boundary moved, a numpy function replaced by a neighbour, the input returned
  unchanged;
- values: off by one, doubled, halved, negated, transposed, a neighbouring shape;
- formulas (strings a ``formula`` check reads): a term dropped, a sign flipped, a function
  replaced, right for x > 0 only, right only near the origin, right up to a factor (1 + 1e-7),
  undefined (NaN) where the reference is not.

A variant that is really right (an equivalent mutant) is listed in ``assignments/<id>/
strength.yaml`` with the reason, and not counted::

    equivalent:
      - {question: q2.1, variant: "softmax: x.max() -> x.min()", reason: "any shift is exact"}

No mutation library is used: mutmut and cosmic-ray mutate a project's files on disk and run its
test suite once per mutant; here a mutant is one submission among hundreds graded in one batch,
and the operators above (answers, not code coverage) are what a course needs.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from autograder.assignment import Assignment
from autograder.errors import ConfigError

#: at most this many variants per answer (drawn evenly over the kinds of mutation)
PER_ANSWER = 40
#: numpy functions a mistake replaces by a neighbour
NEIGHBOURS = {"exp": "log", "log": "exp", "sin": "cos", "cos": "sin", "tanh": "sinh", "sinh": "tanh",
              "max": "min", "min": "max", "sum": "mean", "mean": "sum", "maximum": "minimum",
              "minimum": "maximum", "argmax": "argmin", "argmin": "argmax", "sqrt": "square", "abs": "negative",
              "sigma": "tanh", "sigmoid": "tanh", "floor": "ceil", "ceil": "floor", "outer": "multiply"}


@dataclass(frozen=True)
class Variant:
    """The solution with one answer made wrong: ``name`` says how (stable across runs). It is
    judged for every question whose checks read or call that answer."""

    questions: tuple[str, ...]
    answer: str
    name: str
    source: str

    @property
    def question(self) -> str:
        return self.questions[0]


@dataclass
class QuestionStrength:
    question: str
    made: int = 0
    killed: int = 0
    equivalent: int = 0
    #: of the variants killed, those a public check rejects too (what a student sees before submitting)
    public_killed: int = 0
    survivors: list[Variant] = field(default_factory=list)

    @property
    def share(self) -> float:
        counted = self.made - self.equivalent
        return 1.0 if counted == 0 else self.killed / counted

    @property
    def public_share(self) -> float:
        """The share of the counted variants some public check rejects."""
        counted = self.made - self.equivalent
        return 1.0 if counted == 0 else self.public_killed / counted

    @property
    def measured(self) -> bool:
        """Whether any variant was made for this question (none: its answers are of a kind the
        generator does not change, such as a dict a property checks)."""
        return self.made > 0


# --------------------------------------------------------------------------- making variants


def make_variants(assignment: Assignment) -> list[Variant]:
    """Every variant of the solution, per auto-graded question and answer it checks."""
    if assignment.solution_file is None:
        raise ConfigError(f"no solution for {assignment.id}: nothing to make variants of")
    text = assignment.solution_file.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    definitions = _definitions(tree)
    formulas = {c.target for c in assignment.checks if not c.call and c.kind == "formula"}
    module = _solution_module(assignment)
    auto = [q.id for q in assignment.questions if q.graded == "auto"]
    asked: dict[str, list[str]] = {}  # answer -> the auto questions whose checks ask for it
    for check in assignment.checks:
        if check.question in auto and check.question not in asked.setdefault(check.target, []):
            asked[check.target].append(check.question)
    variants: list[Variant] = []
    seen: set[str] = set()
    for answer, questions in sorted(asked.items(), key=lambda item: auto.index(item[1][0])):
        node = definitions.get(answer)
        if node is None:
            continue  # defined in a way this does not mutate (a loop, an import)
        value = getattr(node, "value", None)
        if answer in formulas and isinstance(value, ast.Constant):
            made = [(name, _replace_segment(text, value, repr(new)))
                    for name, new in _formula_variants(str(value.value), _allowed(assignment, answer),
                                                       signed=_signed(assignment, answer))]
        elif isinstance(node, ast.FunctionDef):
            made = _code_variants(text, node, matrices=_matrix_params(assignment, answer, node))
        else:
            made = [*_code_variants(text, node), *_string_variants(text, node),
                    *[(name, _splice(lines, node, new)) for name, new in _value_variants(node, getattr(module, answer, None))]]
        for name, source in _spread(made, PER_ANSWER):
            if source in seen or not _compiles(source):
                continue
            seen.add(source)
            variants.append(Variant(tuple(questions), answer, f"{answer}: {name}", source))
    return variants


def _definitions(tree: ast.Module) -> dict[str, ast.stmt]:
    found: dict[str, ast.stmt] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
    return found


def _matrix_params(assignment: Assignment, answer: str, node: ast.FunctionDef) -> set[str]:
    """The parameters the checks ever pass an array of 2 or more dimensions: transposing any
    other changes nothing (a vector's ``.T`` is itself), so it is no mistake to make."""
    names = [a.arg for a in node.args.args]
    found: set[str] = set()
    for check in assignment.checks:
        if check.call and check.target == answer:
            for args in check.inputs(assignment.helpers, 0):
                for name, arg in zip(names, args):
                    try:
                        if np.ndim(arg) >= 2:
                            found.add(name)
                    except (TypeError, ValueError):
                        continue  # a ragged list: not an array at all
    return found


def _solution_module(assignment: Assignment) -> Any:
    from autograder.references import References

    return References(assignment).load()


def _signed(assignment: Assignment, answer: str) -> set[str] | None:
    """The variables of ``answer``'s formula check that take both signs (domain ``real``): a
    formula right for x > 0 only, or undefined for x < 0, is a mistake only where x can be
    negative. None when the check does not say."""
    for check in assignment.checks:
        if check.target == answer and check.kind == "formula" and isinstance(check.options.get("variables"), dict):
            from autograder.expressions import variables_from_config

            declared = variables_from_config(check.options["variables"])
            return {name for name, variable in declared.items() if variable.domain == "real"}
    return None


def _allowed(assignment: Assignment, answer: str) -> list[str] | None:
    for check in assignment.checks:
        if check.target == answer and check.kind == "formula":
            return check.options.get("allowed")
    return None


def _spread(made: list[tuple[str, str]], limit: int) -> list[tuple[str, str]]:
    """At most ``limit`` of ``made``, taken evenly (deterministic); a name that comes again (the
    same constant twice in a line) is numbered: ``constant 32 +1 #2``."""
    counts: dict[str, int] = {}
    unique = []
    for name, source in made:
        counts[name] = counts.get(name, 0) + 1
        unique.append((name if counts[name] == 1 else f"{name} #{counts[name]}", source))
    if len(unique) <= limit:
        return unique
    step = len(unique) / limit
    return [unique[int(i * step)] for i in range(limit)]


def _splice(lines: list[str], node: ast.stmt, replacement: str) -> str:
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    indent = lines[start - 1][:len(lines[start - 1]) - len(lines[start - 1].lstrip())]
    body = "".join(indent + line + "\n" if line else "\n" for line in replacement.splitlines())
    return "".join(lines[:start - 1]) + body + "".join(lines[node.end_lineno:])


def _replace_segment(text: str, node: ast.AST, new: str) -> str:
    """``text`` with the source of ``node`` replaced by ``new`` (its lines and comments around kept:
    a survivor's diff shows the one change). Offsets are in UTF-8 bytes, as ast gives them."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line.encode()) for line in lines[:node.lineno - 1]) + node.col_offset
    end = sum(len(line.encode()) for line in lines[:node.end_lineno - 1]) + node.end_col_offset
    data = text.encode()
    return (data[:start] + new.encode() + data[end:]).decode()


def _compiles(source: str) -> bool:
    try:
        compile(source, "<variant>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


# --------------------------------------------------------------------------- code


class _Sites(ast.NodeVisitor):
    """Every place of a tree one mutation applies to, as (description, how to apply it)."""

    def __init__(self, params: list[str] | set[str]) -> None:
        self.sites: list[tuple[str, Callable[[ast.AST], ast.AST | None], ast.AST]] = []
        #: the names a transpose may be added to (matrices)
        self.params = params

    def add(self, node: ast.AST, what: str, make: Callable[[ast.AST], ast.AST | None]) -> None:
        self.sites.append((what, make, node))

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swaps = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
                 ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.MatMult: ast.Mult, ast.Mod: ast.FloorDiv}
        other = swaps.get(type(node.op))
        text = ast.unparse(node)
        if other is not None:
            self.add(node, f"{_short(text)}: {_sym(node.op)} -> {_sym(other())}",
                     lambda n, o=other: ast.BinOp(n.left, o(), n.right))
        if isinstance(node.op, (ast.Add, ast.Sub)):
            self.add(node, f"{_short(text)}: term {_short(ast.unparse(node.right))} dropped", lambda n: n.left)
            self.add(node, f"{_short(text)}: term {_short(ast.unparse(node.left))} dropped",
                     lambda n: n.right if isinstance(n.op, ast.Add) else ast.UnaryOp(ast.USub(), n.right))
        if isinstance(node.op, (ast.Mult, ast.Div, ast.MatMult)):
            self.add(node, f"{_short(text)}: sign flipped", lambda n: ast.UnaryOp(ast.USub(), n))
        if isinstance(node.op, ast.MatMult):
            self.add(node, f"{_short(text)}: operands swapped", lambda n: ast.BinOp(n.right, n.op, n.left))
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.USub):
            self.add(node, f"{_short(ast.unparse(node))}: sign dropped", lambda n: n.operand)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        for what, new in (("+1", value + 1), ("-1", value - 1), ("x2", value * 2)):
            if new != value:
                self.add(node, f"constant {value!r} {what}", lambda n, v=new: ast.Constant(v))

    def visit_Compare(self, node: ast.Compare) -> None:
        swaps = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                 ast.NotEq: ast.Eq}
        if len(node.ops) == 1 and type(node.ops[0]) in swaps:
            new = swaps[type(node.ops[0])]
            self.add(node, f"{_short(ast.unparse(node))}: boundary {_sym(node.ops[0])} -> {_sym(new())}",
                     lambda n, o=new: ast.Compare(n.left, [o()], n.comparators))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "T":
            self.add(node, f"{_short(ast.unparse(node))}: transpose dropped", lambda n: n.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _called(node)
        if name in NEIGHBOURS and isinstance(node.func, ast.Attribute):
            self.add(node, f"{name} -> {NEIGHBOURS[name]}",
                     lambda n, new=NEIGHBOURS[name]: ast.Call(ast.Attribute(n.func.value, new, ast.Load()),
                                                              n.args, n.keywords))
        if name in ("transpose",):
            self.add(node, "transpose dropped", lambda n: n.args[0] if n.args else None)
        if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
            self.add(node, f"{_short(ast.unparse(node))}: arguments swapped",
                     lambda n: ast.Call(n.func, [n.args[1], n.args[0], *n.args[2:]], n.keywords))
        for k, keyword in enumerate(node.keywords):
            if keyword.arg in ("axis", "dim") and isinstance(keyword.value, ast.Constant) \
                    and isinstance(keyword.value.value, int):
                for new in (keyword.value.value + 1, keyword.value.value - 1):
                    self.add(node, f"{name}: {keyword.arg}={keyword.value.value} -> {new}",
                             lambda n, k=k, new=new: ast.Call(n.func, n.args, [
                                 *n.keywords[:k], ast.keyword(n.keywords[k].arg, ast.Constant(new)),
                                 *n.keywords[k + 1:]]))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.params and isinstance(node.ctx, ast.Load):
            self.add(node, f"{node.id}: transposed", lambda n: ast.Attribute(n, "T", ast.Load()))


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _sym(op: ast.AST) -> str:
    return {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Pow: "**",
            ast.MatMult: "@", ast.Mod: "%", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
            ast.Eq: "==", ast.NotEq: "!="}.get(type(op), type(op).__name__)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _code_variants(text: str, node: ast.stmt, *, matrices: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(name, the whole mutated source) for each mutation site of a function or of an
    assignment's expression; ``matrices``: the parameters a transpose may be added to."""
    sites = _Sites(matrices)
    sites.visit(node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else node)
    made: list[tuple[str, str]] = []
    for what, make, place in sites.sites:
        new = make(copy.deepcopy(place))
        if new is None:
            continue
        replacement = ast.unparse(ast.fix_missing_locations(new))
        if not isinstance(new, (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript)):
            replacement = f"({replacement})"  # the text around keeps its precedence
        # named with its line: the same change elsewhere in the function is another variant
        line = _short(text.splitlines()[place.lineno - 1].strip(), 50)
        made.append((f"{what} in `{line}`" if isinstance(node, ast.FunctionDef) else what,
                     _replace_segment(text, place, replacement)))
    if isinstance(node, ast.FunctionDef) and node.args.args:
        body = node.body[1:] if ast.get_docstring(node) is not None and len(node.body) > 1 else node.body
        indent = " " * body[0].col_offset
        lines = text.splitlines(keepends=True)
        returned = "".join(lines[:body[0].lineno - 1]) + f"{indent}return {node.args.args[0].arg}\n" + \
            "".join(lines[node.end_lineno:])
        made.append(("the input returned unchanged", returned))
    return made


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> bool:
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return True
            if isinstance(value, list) and any(v is old for v in value):
                setattr(parent, name, [new if v is old else v for v in value])
                return True
    return False


# --------------------------------------------------------------------------- values


def _value_variants(node: ast.stmt, value: Any) -> list[tuple[str, str]]:
    """Literal wrong values next to the solution's: off by one, doubled, halved, negated,
    transposed, a neighbouring shape."""
    target = (node.targets[0] if isinstance(node, ast.Assign) else node.target)
    name = ast.unparse(target)
    made = []
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return made
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = value.item() if isinstance(value, np.generic) else value
        for what, new in (("off by one (+1)", v + 1), ("off by one (-1)", v - 1), ("doubled", v * 2),
                          ("halved", v / 2 if isinstance(v, float) else v // 2), ("negated", -v)):
            if new != v:
                made.append((what, f"{name} = {new!r}"))
        return made
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return made
    if array.size == 0 or not np.all(np.isfinite(array)):
        return made
    shown = lambda a: f"{name} = {np.asarray(a).tolist()!r}"  # noqa: E731 - a one-line formatter
    made += [("off by one (+1)", shown(array + 1)), ("doubled", shown(array * 2)), ("halved", shown(array / 2)),
             ("negated", shown(-array))]
    if array.ndim == 2 and array.shape[0] != array.shape[1]:
        made.append(("transposed", shown(array.T)))
    if array.ndim >= 1 and array.shape[0] > 1:
        made.append(("a neighbouring shape (last entry dropped)", shown(array[:-1])))
        made.append(("a sub-total (first entries only)", shown(array[: array.shape[0] // 2])))
    if array.ndim >= 1:
        made.append(("a neighbouring shape (an entry added)", shown(np.concatenate([array, array[-1:]]))))
    return made


# --------------------------------------------------------------------------- formulas


def _formula_variants(formula: str, allowed: list[str] | None, *,
                      signed: set[str] | None = None) -> list[tuple[str, str]]:
    """Wrong formulas next to ``formula``, written with the names the check allows (``None``:
    the names the formula itself uses, so that no variant is refused for a name alone).
    ``signed``: the variables that take both signs (None: any may); the variants right for
    x > 0 only and undefined for x < 0 are made with one of them, or not at all."""
    try:
        tree = ast.parse(formula.replace("^", "**"), mode="eval")
    except SyntaxError:
        return []
    names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not _is_called(tree, n)})
    variable = names[0] if names else "x"
    negative = [n for n in names if signed is None or n in signed]
    made = []
    for what, text in _code_variants_of_expression(tree):
        made.append((f"formula {what}", text))
    made += [
        ("formula right only near the origin", f"{formula} + ({variable})**4"),
        ("formula right up to a factor (1 + 1e-7)", f"({formula})*(1 + 1e-7)"),
    ]
    if negative:
        made += [
            ("formula right for x > 0 only", _substitute(tree, negative[0], f"(({negative[0]})**2)**0.5")),
            ("formula undefined (NaN) where the reference is not", f"{formula} + 0*({negative[0]})**0.5"),
        ]
    words = set(allowed) if allowed is not None else {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return [(what, text) for what, text in made if _uses_only(text, words)]


def _string_variants(text: str, node: ast.stmt) -> list[tuple[str, str]]:
    """Formula variants of each string a value holds that reads as a formula (a list of two
    definitions, a formula a property checks)."""
    made = []
    value = getattr(node, "value", None)
    for constant in [n for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)] if value else []:
        if not _is_formula(constant.value):
            continue
        for what, new in _formula_variants(constant.value, None):
            made.append((f"{what} in {constant.value!r}", _replace_segment(text, constant, repr(new))))
    return made


def _is_formula(text: str) -> bool:
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError):
        return False
    # a bare word ("full", a mode) or a number is not a formula
    return not isinstance(tree.body, (ast.Name, ast.Constant)) and any(isinstance(n, ast.Name) for n in ast.walk(tree))


def _code_variants_of_expression(tree: ast.Expression) -> list[tuple[str, str]]:
    sites = _Sites([])
    sites.visit(tree.body)
    made = []
    for index, (what, make, _) in enumerate(sites.sites):
        mutant = copy.deepcopy(tree)
        site = _Sites([])
        site.visit(mutant.body)
        _, _, place = site.sites[index]
        new = make(place)
        if new is None:
            continue
        if place is mutant.body:
            mutant.body = new
        elif not _replace(mutant, place, new):
            continue
        made.append((what, ast.unparse(ast.fix_missing_locations(mutant))))
    # a function replaced by another of the formula language (sigma -> tanh...)
    for call in [n for n in ast.walk(tree.body) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]:
        new = NEIGHBOURS.get(call.func.id)
        if new:
            mutant = copy.deepcopy(tree)
            for n in ast.walk(mutant):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == call.func.id:
                    n.func = ast.Name(new, ast.Load())
                    break
            made.append((f"{call.func.id} -> {new}", ast.unparse(mutant)))
    return made


def _is_called(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))


def _substitute(tree: ast.Expression, variable: str, text: str) -> str:
    replacement = ast.parse(text, mode="eval").body
    mutant = copy.deepcopy(tree)

    class Swap(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return copy.deepcopy(replacement) if node.id == variable else node

    return ast.unparse(Swap().visit(mutant))


def _uses_only(text: str, words: set[str]) -> bool:
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError:
        return False
    return all(n.id in words for n in ast.walk(tree) if isinstance(n, ast.Name))


# --------------------------------------------------------------------------- measuring


def equivalents(assignment: Assignment) -> dict[tuple[str, str], str]:
    """The variants marked really right in ``strength.yaml``: (question, variant) -> reason."""
    from autograder import yamldata

    path = assignment.root / "strength.yaml"
    if not path.exists():
        return {}
    data = yamldata.safe_load(path.read_text(encoding="utf-8")) or {}
    marked = {}
    for entry in data.get("equivalent") or []:
        if not isinstance(entry, dict) or not {"question", "variant", "reason"} <= entry.keys():
            raise ConfigError(f"{path}: each equivalent variant needs question, variant and reason")
        marked[(str(entry["question"]), str(entry["variant"]))] = str(entry["reason"])
    return marked


def measure(assignment: Assignment, *, jobs: int = 1, isolation: str = "auto",
            variants: list[Variant] | None = None) -> list[QuestionStrength]:
    """Grade every variant (one batch) and count, per question, those it kills."""
    from autograder.batch import grade_batch

    variants = make_variants(assignment) if variants is None else variants
    marked = equivalents(assignment)
    table = {q.id: QuestionStrength(q.id) for q in assignment.questions if q.graded == "auto"}
    if not variants:
        return list(table.values())
    points = {q.id: q.points for q in assignment.questions}
    with tempfile.TemporaryDirectory(prefix="strength-") as tmp:
        folder = Path(tmp) / "variants"
        folder.mkdir()
        names = {}
        for index, variant in enumerate(variants):
            key = f"v{index:05d}_{hashlib.sha1(variant.source.encode()).hexdigest()[:8]}"
            (folder / f"{key}{Path(assignment.starter).suffix}").write_text(variant.source, encoding="utf-8")
            names[key] = variant
        outcome = grade_batch(assignment, [folder], out=Path(tmp) / "out", jobs=jobs, isolation=isolation)
    for results in outcome.results:
        variant = names[results.submission]
        scores = {q.id: q.score or 0 for q in results.questions}
        for question in variant.questions:
            row = table[question]
            row.made += 1
            if (question, variant.name) in marked:
                row.equivalent += 1
            elif math.isclose(scores.get(question, 0), points[question], abs_tol=1e-9):
                row.survivors.append(variant)
            else:
                row.killed += 1
                if any(not c.passed for c in results.checks if not c.hidden and c.question == question):
                    row.public_killed += 1
    return list(table.values())


def strength_table(rows: list[QuestionStrength], *, diffs: dict[str, str] | None = None) -> str:
    """One row per question (its id first): variants made, killed, the share killed; then each
    survivor's name."""
    lines = [f"{'question':<14}{'made':>6}{'killed':>8}{'equiv.':>8}{'killed %':>10}{'public %':>10}  survivors"]
    for row in rows:
        survivors = "; ".join(v.name for v in row.survivors[:6]) + (" ..." if len(row.survivors) > 6 else "")
        share = f"{100 * row.share:>9.1f}%" if row.measured else f"{'n/a':>10}"
        public = f"{100 * row.public_share:>9.1f}%" if row.measured else f"{'n/a':>10}"
        lines.append(f"{row.question:<14}{row.made:>6}{row.killed:>8}{row.equivalent:>8}{share}{public}  {survivors}")
    return "\n".join(lines)


def survivor_diff(assignment: Assignment, variant: Variant) -> str:
    """What the variant changed, as a unified diff of the solution."""
    import difflib

    original = assignment.solution_file.read_text(encoding="utf-8").splitlines()
    changed = variant.source.splitlines()
    return "\n".join(line for line in difflib.unified_diff(original, changed, lineterm="", n=0)
                     if not line.startswith(("---", "+++")))


def iter_survivors(rows: list[QuestionStrength]) -> Iterator[Variant]:
    for row in rows:
        yield from row.survivors
