"""The "derive by hand" guard, in the student's process: automatic differentiation unavailable in
the process that grades the functions marked ``forbid_autograd``, and named from a function's
own source.

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
from typing import Any, Callable

#: attributes whose use in a function marked "derive by hand" is refused, read from its source
AUTOGRAD_ATTRIBUTES = frozenset(
    {"backward", "autograd", "functorch", "jacrev", "jacfwd", "hessian", "vjp", "jvp",
     "grad_and_value", "make_dual", "vhp", "hvp", "requires_grad_"}
)


#: every name the scan below reports contains one of these words ("func" for torch.func and functorch)
_MAY_NAME_AUTOGRAD = re.compile("|".join(sorted(AUTOGRAD_ATTRIBUTES | {"func", "jax"})))


class AutogradBanned(BaseException):
    """Raised when a function that must be derived by hand reaches automatic differentiation."""


def banned_in(error: BaseException) -> AutogradBanned | None:
    """The refusal behind ``error``, if one is in its chain (the student's code, or torch's,
    may have caught it and raised something else)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, AutogradBanned):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


class AutogradBan:
    """Make automatic differentiation unavailable in this process, for good, and name it in
    a function's source.

    The functions a check marks ``forbid_autograd`` are graded in a process of their own
    (see ``autograder.sandbox``), in which :meth:`install` runs before the first line of the
    submission. From then on nothing of the student's, at import, in the call or in the
    conversion of what it returns, finds a working autograd: there is no "on" to switch back
    to, and nothing real is kept for a guard to restore (see :func:`install_guards`).
    :meth:`traces` says whether the process shows signs of a way around it anyway.
    """

    def __init__(self) -> None:
        #: what reading each function's source found, by code object (read once per job)
        self.scanned: dict = {}
        #: the submission's sources by the filename their code was compiled under
        self.sources: dict[str, str] = {}
        #: per file: its tree (until fully indexed) and its definitions by first line
        self._defs: dict[str, tuple[ast.AST | None, dict[int, ast.AST]]] = {}
        self.traces: Callable[[], str] = lambda: ""

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

    def install(self, spots: list[tuple[dict, Any]] | None = None) -> None:
        """Ban automatic differentiation in this process from now on (call it before any
        student code runs): the audit hook first, then torch's entry points (held at
        ``spots``, see :func:`locate_entry_points`)."""
        sys.addaudithook(_audit_hook())
        self.traces = install_guards(spots)


def _refusal(what: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AutogradBanned(what)

    return refused


def _set_mode(what: str) -> Callable[..., None]:
    """A replacement for a grad-mode setter: switching it off again is allowed (``torch.no_grad``
    does so on exit), on is refused. It holds no reference to the real setter."""

    def set_mode(mode: Any, *args: Any, **kwargs: Any) -> None:
        if mode:
            raise AutogradBanned(what)

    return set_mode


class _RefusedEngine:
    """Stands where torch keeps its autograd engine (``Variable._execution_engine``): every
    backward pass (``.backward()``, ``torch.autograd.grad``, ``torch.func``) asks it for
    ``run_backward``. It wraps nothing: there is no real engine behind it to reach."""

    def __getattr__(self, attr: str) -> Any:
        raise AutogradBanned(f"automatic differentiation ({attr})")


def install_guards(spots: list[tuple[dict, Any]] | None = None) -> Callable[[], str]:
    """Switch gradient recording off in this (single-threaded) process and replace, wherever
    a loaded module holds them, every entry point that switches it back on, makes an engine
    or enters forward mode; drop torch's engine. ``spots``: where they are held, found by
    :func:`locate_entry_points` beforehand (found now if not given). Returns ``traces``: ''
    while the process shows no sign of automatic differentiation, else what it shows.

    What is *not* closable in-process (see docs/security.md): code that writes the process's
    memory directly (``/proc/self/mem``, numpy's array interface over a raw address), and
    C-level classes that torch does not expose by name but that a walk of
    ``type.__subclasses__`` finds (``_InferenceMode``, whose ``False`` turns recording back
    on). These leave traces: a graph recorded moves torch's per-thread sequence number, which
    nothing in Python sets back, and the answers of a process that shows one are not credited.
    Hiding that trace too means rewriting the grader's own objects in the process (reached
    through a signal handler's frame): deliberate tampering that this cannot see.
    """
    if "torch" not in sys.modules:
        try:
            import torch  # noqa: F401 - the process was to preload it; without torch there is nothing to ban
        except ImportError:
            return lambda: ""
    import torch
    from torch.autograd.variable import Variable

    C = torch._C
    replaced = _replacements(C)
    spots = locate_entry_points() if spots is None else spots
    C._set_grad_enabled(False)
    C._set_fwd_grad_enabled(False)
    Variable._execution_engine = _RefusedEngine()
    for namespace, key in spots:
        _swap(namespace, key, replaced)

    sequence = C._autograd._get_sequence_nr
    recording, forward = C.is_grad_enabled, C._is_fwd_grad_enabled
    baseline = sequence()

    def traces() -> str:
        if sequence() != baseline:
            return "an autograd graph was recorded"
        if recording() or forward():
            return "gradient recording was switched back on"
        return ""

    return traces


def locate_entry_points() -> list[tuple[dict, Any]]:
    """Where the loaded modules hold what :func:`install_guards` replaces, as (namespace, key):
    the value itself, or a list, set or tuple holding it (torch.fx keeps lists of
    side-effectful functions). A walk of every loaded module (~20 ms with torch's 1,100): the
    fork server does it once, and its children inherit the list. Modules imported later take
    what they import from torch's modules, where the replacements already are."""
    import torch

    originals = _replacements(torch._C)
    spots = []
    namespaces = [getattr(m, "__dict__", None) for m in list(sys.modules.values())] + [vars(torch._C._functorch)]
    for namespace in namespaces:
        if not isinstance(namespace, dict):
            continue
        for key, value in list(namespace.items()):
            if id(value) in originals or (type(value) in (list, tuple, set) and any(id(v) in originals for v in value)):
                spots.append((namespace, key))
    return spots


def _replacements(C: Any) -> dict[int, Any]:
    """Each entry point to replace (by identity), with its replacement."""
    replaced: dict[int, Any] = {
        id(C._set_grad_enabled): _set_mode("gradient recording (torch.enable_grad, set_grad_enabled)"),
        id(C._set_fwd_grad_enabled): _set_mode("forward-mode gradients"),
        id(C._enter_dual_level): _refusal("forward-mode automatic differentiation (dual numbers)"),
        id(C._ImperativeEngine): _refusal("a new autograd engine"),
        id(C._InferenceMode): _inference_mode(C._InferenceMode),
    }
    # the decrements too: torch.func calls them in a ``finally``, where anything else would
    # replace the refusal with an internal error
    for name in ("_grad_increment_nesting", "_grad_decrement_nesting", "_jvp_increment_nesting",
                 "_jvp_decrement_nesting", "_wrap_for_grad", "_unwrap_for_grad"):
        replaced[id(getattr(C._functorch, name))] = _refusal(f"torch.func ({name})")
    return replaced


def _inference_mode(real: type) -> Callable[..., Any]:
    """``torch.inference_mode()`` stays usable; leaving it (``inference_mode(False)``) would turn
    gradient recording back on."""

    def inference_mode(mode: Any = True, *args: Any, **kwargs: Any) -> Any:
        if not mode:
            raise AutogradBanned("gradient recording (inference_mode(False))")
        return real(mode, *args, **kwargs)

    return inference_mode


def _swap(namespace: dict, key: Any, replaced: dict[int, Any]) -> None:
    """Put the replacement where ``namespace[key]`` holds an original: as the value, or inside
    the list, set or tuple it is."""
    value = namespace.get(key)
    if id(value) in replaced:
        namespace[key] = replaced[id(value)]
    elif type(value) in (list, tuple, set):
        swapped = [replaced.get(id(v), v) for v in value]
        if type(value) is list:
            value[:] = swapped
        elif type(value) is set:
            value.clear()
            value.update(swapped)
        else:
            namespace[key] = tuple(swapped)


#: events refused once the ban is installed: other processes and threads (a new thread starts
#: with gradient recording on; a new process has its own torch), foreign function calls (C++'s
#: own switches), objects reached sideways (an original the replacements missed), sockets
_REFUSED_EVENTS = frozenset({
    "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.startfile",
    "subprocess.Popen", "pty.spawn", "_thread.start_new_thread",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "socket.__new__",
})
#: modules whose import is refused: other automatic differentiation libraries, foreign-function interfaces
_REFUSED_MODULES = frozenset({"jax", "jaxlib", "functorch", "autograd", "cffi", "_cffi_backend", "tensorflow"})


def _audit_hook() -> Callable[[str, tuple], None]:
    """The hook, with everything it uses bound now: an audit hook cannot be removed, and one
    that read a module's globals could be turned off by changing them."""
    refused_events, refused_modules, banned = _REFUSED_EVENTS, _REFUSED_MODULES, AutogradBanned

    def hook(event: str, args: tuple) -> None:
        if event in refused_events or event[:7] == "ctypes.":
            raise banned(f"{event} (not available where a function is derived by hand)")
        if event == "import" and args and str(args[0]).partition(".")[0] in refused_modules:
            raise banned(f"import {args[0]}")

    return hook


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
