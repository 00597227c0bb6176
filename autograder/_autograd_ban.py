"""The "derive by hand" guard, in the student's process: automatic differentiation refused while
a function marked ``forbid_autograd`` runs, and named from the function's own source.

Imported by :mod:`autograder._worker` only; standard library (and torch, if the student's
process has it) only.
"""

from __future__ import annotations

import ast
import collections
import re
import sys
import textwrap
import types
from typing import Any

#: attributes whose use in a function marked "derive by hand" is refused, read from its source
AUTOGRAD_ATTRIBUTES = frozenset(
    {"backward", "autograd", "functorch", "jacrev", "jacfwd", "hessian", "vjp", "jvp",
     "grad_and_value", "make_dual", "vhp", "hvp", "requires_grad_"}
)


#: every name the scan below reports contains one of these words ("func" for torch.func and functorch)
_MAY_NAME_AUTOGRAD = re.compile("|".join(sorted(AUTOGRAD_ATTRIBUTES | {"func", "jax"})))


class AutogradBanned(BaseException):
    """Raised when a function that must be derived by hand reaches automatic differentiation."""


class AutogradBan:
    """Make every road to torch's autograd raise while a "derive by hand" function runs.

    Backward passes (``.backward()``, ``torch.autograd.grad``, ``torch.func.grad``/``vjp``/
    ``jacrev``, ``torch.autograd.functional``) all go through the engine object; forward mode
    (``jacfwd``, ``jvp``) goes through ``make_dual``. Both are replaced by guards. A function
    that puts the originals back is caught when the call returns.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.installed = False
        #: what reading each function's source found, by code object (read once per job)
        self.scanned: dict = {}
        #: the submission's sources by the filename their code was compiled under
        self.sources: dict[str, str] = {}
        #: per file: its tree (until fully indexed) and its definitions by first line
        self._defs: dict[str, tuple[ast.AST | None, dict[int, ast.AST]]] = {}

    def static_use(self, func: Any) -> str:
        """What the function's own source uses of autograd ('' when clean), from one parse per file."""
        code = getattr(func, "__code__", None)
        if code is None:
            return ""
        if code not in self.scanned:
            lines = self._source_lines(code)
            if lines is not None and lines.isascii() and not _MAY_NAME_AUTOGRAD.search(lines):
                # nothing the parse below could find is written there (most functions): no parse.
                # ASCII only: other letters can spell the same identifiers (NFKC), so those parse
                self.scanned[code] = ""
                return ""
            node = _parse_alone(lines)
            if node is None:
                node = self._definition(code.co_filename, code.co_firstlineno)
            self.scanned[code] = _autograd_use(node) if node is not None else _source_uses_autograd(func)
        return self.scanned[code]

    def _source_lines(self, code: types.CodeType) -> str | None:
        """The lines the function's code spans in its source (None when the source is unknown)."""
        source = self.sources.get(code.co_filename)
        if source is None:
            return None
        return "".join(source.splitlines(keepends=True)[code.co_firstlineno - 1:_last_line(code)])

    def _definition(self, filename: str, line: int) -> ast.AST | None:
        if filename not in self._defs:
            try:
                tree = ast.parse(self.sources.get(filename, ""))
            except SyntaxError:
                tree = ast.Module(body=[], type_ignores=[])
            self._defs[filename] = (tree, _statement_definitions(tree))
        tree, defs = self._defs[filename]
        if line not in defs and tree is not None:
            # a lambda inside some expression: only then is every node of the file visited
            defs.update((at, node) for at, node in _all_definitions(tree) if at not in defs)
            self._defs[filename] = (None, defs)
        return defs.get(line)

    def active(self, enabled: bool) -> "AutogradBan":
        self.enabled = enabled
        if enabled:
            self._install()
        return self

    def __enter__(self) -> None:
        if self.enabled:
            for mod in ("jax", "functorch"):
                if mod in sys.modules and mod != "functorch":
                    raise AutogradBanned(f"{mod} is not allowed here")

    def __exit__(self, exc_type, exc, tb) -> None:
        was = self.enabled
        self.enabled = False
        if was and self.installed and not self._intact():
            raise AutogradBanned("the function tampered with the autograd guard")

    def _install(self) -> None:
        if self.installed or "torch" not in sys.modules:
            return
        import torch
        from torch.autograd import forward_ad
        from torch.autograd.variable import Variable

        ban = self
        real_engine = Variable._execution_engine

        class GuardedEngine:
            def __getattr__(self, attr):
                if ban.enabled:
                    raise AutogradBanned(f"automatic differentiation ({attr})")
                return getattr(real_engine, attr)

        real_make_dual = forward_ad.make_dual

        def guarded_make_dual(*args, **kwargs):
            if ban.enabled:
                raise AutogradBanned("forward-mode automatic differentiation")
            return real_make_dual(*args, **kwargs)

        self.engine = GuardedEngine()
        self.make_dual = guarded_make_dual
        Variable._execution_engine = self.engine
        forward_ad.make_dual = guarded_make_dual
        self.torch = torch
        self.installed = True

    def _intact(self) -> bool:
        from torch.autograd import forward_ad
        from torch.autograd.variable import Variable

        return Variable._execution_engine is self.engine and forward_ad.make_dual is self.make_dual


def _source_uses_autograd(func: Any) -> str:
    """Read the function's own source for automatic differentiation; '' when clean.

    Only what reaches autograd counts (``x.backward()``, ``torch.autograd``, ``torch.func``,
    ``functorch``, ``jax``, their imports): a local variable that happens to be called
    ``jacobian`` is fine. The runtime guard is the real enforcement; this names the line.
    """
    import inspect

    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return ""
    try:
        tree = ast.parse(inspect.cleandoc("\n" + source) if source[:1].isspace() else source)
    except SyntaxError:
        return ""
    return _autograd_use(tree)


def _parse_alone(lines: str | None) -> ast.AST | None:
    """A function's lines alone, parsed: a few lines instead of the whole file (a file parse
    costs ~3 ms). None when they are unknown or do not parse on their own (then the file is)."""
    if lines is None:
        return None
    try:
        return ast.parse(textwrap.dedent(lines))
    except SyntaxError:
        return None


def _last_line(code: types.CodeType) -> int:
    """The last source line of a code object and of the functions defined inside it."""
    last = code.co_firstlineno
    if hasattr(code, "co_positions"):  # 3.11: end lines of multi-line expressions too
        last = max([last, *(end for _, end, _, _ in code.co_positions() if end is not None)])
    last = max([last, *(line for _, _, line in code.co_lines() if line is not None)])
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            last = max(last, _last_line(const))
    return last


def _lines_of(node: ast.AST) -> list[int]:
    """A definition's line and its decorators' lines: a code object starts at either."""
    return [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]


def _statement_definitions(tree: ast.AST) -> dict[int, ast.AST]:
    """Functions, and lambdas assigned by a statement, found without visiting every expression."""
    defs: dict[int, ast.AST] = {}
    queue = collections.deque(getattr(tree, "body", []))  # in source order, as ast.walk would
    while queue:
        node = queue.popleft()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for at in _lines_of(node):
                defs.setdefault(at, node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Lambda):
            defs.setdefault(node.value.lineno, node.value)
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, block, None)
            if isinstance(inner, list):
                queue.extend(inner)
    return defs


def _all_definitions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for at in _lines_of(node):
                yield at, node


def _autograd_use(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.module == "torch":
                modules += [f"torch.{a.name}" for a in node.names]
            for m in modules:
                if m.split(".")[0] in ("jax", "functorch") or m.startswith(("torch.autograd", "torch.func")):
                    return f"import {m}"
        elif isinstance(node, ast.Attribute):
            if node.attr in AUTOGRAD_ATTRIBUTES:
                return f".{node.attr}"
            if node.attr == "func" and isinstance(node.value, ast.Name) and node.value.id == "torch":
                return "torch.func"
        elif isinstance(node, ast.Name) and node.id in ("jax", "functorch"):
            return node.id
    return ""
