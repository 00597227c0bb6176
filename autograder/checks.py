"""How an assignment declares its checks, and how one check judges the answers it gets.

Checks are data, in ``assignments/<id>/checks/public.yaml`` and ``hidden.yaml``. Each says
what to ask the submission, how to compare, and how many points it is worth::

    - id: q6.1-size              # unique in the assignment
      question: q6.1             # a question of assignment.yaml
      points: 3
      name: Output size of the last layer
      read: q6_output_dim        # read a name ...
      compare: integer

    - id: q5-full
      question: q5
      points: 2
      name: Full convolution on random vectors
      call: conv1d               # ... or call a function
      cases: [[[1, 2, 3, 4], [1, 0, 2], full]]   # fixed argument lists (the handout's example)
      generate: {using: conv_vectors, count: 4}  # more, drawn at grade time (helpers.py);
                                                 # checks with the same `draw: name` share them
      compare: {kind: close, rtol: 1.0e-9}

``compare`` is ``close``, ``integer``, ``exact``, ``eigenvalues``, ``shape`` (with ``shape:``),
``keys`` (with ``keys:``), ``property`` (with ``using:``, a function of ``checks/helpers.py``,
and optional ``given:``) or ``formula`` (with ``variables:`` and optional ``allowed:``).
``expect`` is ``reference`` (the solution's answer to the same request: the default for
hidden checks), ``{value: ...}`` (a fact stated in the handout), or ``none``. Public checks
run on students' machines, where there is no solution, so they may not use ``reference``.

A check may list known wrong answers, each with a hint in the assignment's language (both
languages welcome), shown with the failure: at once on a public check, on a hidden one when its
feedback is shown (``hidden_visibility``)::

    hints:
      - {value: 24, hint: {en: "24 is the side of the feature map, not its dimension", fr: "..."}}
      - {when: flipped_twice, hint: {en: "you flipped the kernel twice", fr: "..."}}

``value`` matches an answer within ``rtol``/``atol`` (a formula by equivalence, a string as
``exact`` does); ``when`` names a function of ``checks/helpers.py`` that gets the failing answer
(and ``args``, ``given``, ``expected`` if it asks) and returns True where the hint applies.
The first hint that matches is shown; a hint is never looked for on a passing answer.

A property function gets the plain answer (and, if it asks for them by name, ``args``,
``given``, ``expected``, ``rng`` and ``also``: the answers of the names the check's ``also:``
lists, read or called with the same arguments, to check that two answers agree) and returns ``True``, ``False``, a failure message or a
:class:`~autograder.compare.Comparison`; a generator gets a seeded ``numpy.random.Generator`` and a count and returns a list
of argument lists. Both run in the grader, never in the student's process.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

from autograder import compare as cmp
from autograder.errors import ConfigError
from autograder.messages import Message
from autograder.sandbox import Request

KINDS = (*cmp.COMPARATORS, "property", "formula")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_CHECK_FIELDS = {"id", "question", "points", "name", "read", "call", "cases", "generate", "convert",
                 "compare", "expect", "forbid_autograd", "timeout", "visibility", "hints", "also"}
_HINT_FIELDS = {"value", "when", "hint", "rtol", "atol"}
#: a hint is one sentence (the catalogue shortens longer parameters)
HINT_CHARS = 160


@dataclass(frozen=True)
class Hint:
    """A known wrong answer (``value``, or a helper ``when`` that recognises it) and what to tell
    the student who gave it, by language."""

    text: dict[str, str]
    value: Any = None
    when: str | None = None
    rtol: float = cmp.DEFAULT_RTOL
    atol: float = cmp.DEFAULT_ATOL

    def in_language(self, language: str) -> str:
        return self.text.get(language) or next(iter(self.text.values()))


@dataclass(frozen=True)
class Check:
    id: str
    question: str
    points: float
    name: str
    target: str
    call: bool
    hidden: bool
    cases: tuple[tuple, ...] = ((),)
    generate: tuple[str, int] | None = None
    #: checks with the same draw name get the same generated inputs (default: their own id)
    draw: str | None = None
    convert: str = "numpy"
    kind: str = "close"
    options: dict = field(default_factory=dict)
    expect: str = "reference"
    expected_value: Any = None
    forbid_autograd: bool = False
    timeout: float | None = None
    visibility: str = "visible"
    hints: tuple[Hint, ...] = ()
    #: other answers a property compares this one with (its ``also``), asked the same way: read,
    #: or called with each case's arguments
    also: tuple[str, ...] = ()

    def inputs(self, helpers: ModuleType | None, seed: int) -> list[tuple]:
        """The argument lists for this grading: the fixed cases, then the generated ones."""
        cases = list(self.cases) if self.call else [()]
        if self.generate:
            name, count = self.generate
            rng = np.random.default_rng(seed)
            generated = _helper(helpers, name, self.id)(rng, count)
            cases += [tuple(args) for args in generated]
        return cases

    def requests(self, inputs: list[tuple]) -> list[Request]:
        """One request per case, in the order of ``inputs``; then those of ``also`` (outside the
        group: a missing other answer must not skip this one's cases)."""
        own = [Request(id=f"{self.id}#{i}", name=self.target, call=self.call, args=args, convert=self.convert,
                       forbid_autograd=self.forbid_autograd, timeout=self.timeout, group=self.id)
               for i, args in enumerate(inputs)]
        others = [Request(id=also_id(self, i, name), name=name, call=self.call, args=args, convert=self.convert,
                          forbid_autograd=self.forbid_autograd, timeout=self.timeout)
                  for i, args in enumerate(inputs) for name in self.also]
        return own + others


def also_id(check: Check, case: int, name: str) -> str:
    """The id of the request for ``name``, an answer ``check`` compares its ``case``-th with."""
    return f"{check.id}#{case}@{name}"


def seed_for(assignment_id: str, check_id: str, key: str) -> int:
    """Same key, same inputs: a regrade draws exactly what the first grading drew.
    (``check_id`` is the check's ``draw`` name when it has one; ``key`` is a :func:`draw_key`.)"""
    digest = hashlib.sha256(f"{assignment_id}\0{check_id}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def draw_key(assignment_id: str, submission_key: str, variants: int) -> str:
    """Which set of generated inputs a submission gets: one of ``variants`` sets, picked by a
    hash of its key, or (``variants`` 0) a set of its own.

    Shared sets let a batch draw each set, encode it and compute its references once instead of
    once per submission. They cost no safety: the set is picked by the submission id, which a
    student does not know before submitting (Gradescope gives each submission a new one), and
    hidden checks never show their inputs.
    """
    if variants <= 0:
        return submission_key
    digest = hashlib.sha256(f"{assignment_id}\0{submission_key}".encode()).digest()
    return f"variant {int.from_bytes(digest[:8], 'little') % variants}"


def draws_kept(check: Check, variants: int) -> bool:
    """Whether ``check``'s inputs are those of other submissions too (fixed cases, or a shared
    set of draws), so that what is made of them may be kept for the next submission."""
    return variants > 0 or not check.generate


def judge(check: Check, answer: Any, expected: Any, *, args: tuple, helpers: ModuleType | None,
          rng: np.random.Generator | None, also: dict[str, Any] | None = None) -> cmp.Comparison:
    """Compare one answer with what was expected, by the check's comparator (``also``: the
    check's other answers, by name, for a property that compares them; None where one is missing)."""
    opts = dict(check.options)
    if check.kind == "property":
        return _run_property(check, helpers, answer, args=args, expected=expected, rng=rng, given=opts.get("given", {}),
                             also=also or {})
    if check.kind == "formula":
        from autograder.expressions import equivalent, variables_from_config

        # no rng: the points come from the formulas themselves (same verdict for the same answer);
        # tolerances only when the check sets them: equivalent's defaults are made for exact algebra
        tolerances = {name: opts[name] for name in ("rtol", "atol") if name in opts}
        return equivalent(answer, expected, variables=variables_from_config(opts.get("variables", {})),
                          allowed=opts.get("allowed"), **tolerances)
    if check.kind == "shape":
        return cmp.shape(answer, opts["shape"])
    if check.kind == "keys":
        return cmp.keys(answer, opts["keys"])
    return cmp.COMPARATORS[check.kind](answer, expected, **opts)


def matched_hint(check: Check, answer: Any, *, args: tuple, expected: Any, helpers: ModuleType | None,
                 language: str) -> str | None:
    """The hint of the first known wrong answer ``answer`` is (see the module's docstring), in
    ``language``; None when it is none of them. Called on failing answers only.

    >>> matched_hint(check, 24, args=(), expected=None, helpers=None, language="en")
    '24 is the side of the feature map, not its dimension'
    """
    for hint in check.hints:
        if hint.when is not None:
            func = _helper(helpers, hint.when, check.id)
            accepted = _parameters(func)
            context = {"args": args, "given": check.options.get("given", {}), "expected": expected}
            try:
                hit = func(answer, **{k: v for k, v in context.items() if k in accepted})
            except (TypeError, ValueError, KeyError, IndexError, ArithmeticError, AttributeError):
                # an answer of another form than the mistake's is not that mistake
                continue
            if not isinstance(hit, (bool, np.bool_)):
                raise ConfigError(f"hint helper {hint.when!r} of check {check.id!r} returned {hit!r}; "
                                  "it must return True or False")
        else:
            hit = _same_answer(check, answer, hint)
        if hit:
            return hint.in_language(language)
    return None


def _same_answer(check: Check, answer: Any, hint: Hint) -> bool:
    """Whether ``answer`` is the hint's wrong value: a formula by equivalence, text as ``exact``
    compares it, anything else within the hint's tolerance."""
    if isinstance(hint.value, str) or isinstance(answer, str):
        if not (isinstance(hint.value, str) and isinstance(answer, str)):
            return False
        if check.kind == "formula":
            from autograder.expressions import equivalent, variables_from_config

            return equivalent(answer, hint.value,
                              variables=variables_from_config(check.options.get("variables", {}))).ok
        return cmp.exact(answer, hint.value).ok
    try:
        return cmp.close(answer, hint.value, rtol=hint.rtol, atol=hint.atol).ok
    except (TypeError, ValueError):
        return False


def check_hints(checks: list[Check], helpers: ModuleType | None, *, language: str, where: Path) -> None:
    """What :func:`load_checks` cannot see alone: each hint's helper exists and each hint is
    written in the assignment's language."""
    for check in checks:
        for hint in check.hints:
            if hint.when is not None and not callable(getattr(helpers, hint.when, None)):
                raise ConfigError(f"{where}: check {check.id}: hint uses {hint.when!r}, which checks/helpers.py "
                                  "does not define")
            if language not in hint.text:
                raise ConfigError(f"{where}: check {check.id}: a hint has no text in {language!r}, the "
                                  f"assignment's language (it has {', '.join(sorted(hint.text))})")


def needs_rng(check: Check, helpers: ModuleType | None) -> bool:
    """Whether judging ``check`` draws random numbers: a property whose helper takes ``rng``."""
    return check.kind == "property" and "rng" in _parameters(_helper(helpers, check.options["using"], check.id))


def _run_property(check: Check, helpers: ModuleType | None, answer: Any, **context: Any) -> cmp.Comparison:
    func = _helper(helpers, check.options["using"], check.id)
    accepted = _parameters(func)
    kwargs = {k: v for k, v in context.items() if k in accepted}
    try:
        verdict = func(answer, **kwargs)
    except (TypeError, ValueError, KeyError, IndexError, ArithmeticError, AttributeError) as e:
        # the answer had an unexpected form (a string where a dict was due...): it fails, and says
        # so in the student's language around Python's own message
        return cmp.fail("property_error", type=type(e).__name__, message=str(e)[:200])
    if isinstance(verdict, cmp.Comparison):
        return verdict
    if isinstance(verdict, (bool, np.bool_)):
        return cmp.PASS if verdict else cmp.fail("property_failed")
    if isinstance(verdict, str):
        return cmp.fail("property_message", text=verdict)
    raise ConfigError(f"property {check.options['using']!r} of check {check.id!r} returned {verdict!r}; "
                      "it must return True, False, a message or a Comparison")


@functools.lru_cache(maxsize=1024)
def _parameters(func: Callable) -> frozenset[str]:
    """The names a helper accepts (inspect.signature costs more than most helpers' calls)."""
    return frozenset(inspect.signature(func).parameters)


def _helper(helpers: ModuleType | None, name: str, check_id: str) -> Callable:
    func = getattr(helpers, name, None) if helpers else None
    if not callable(func):
        raise ConfigError(f"check {check_id!r} uses {name!r}, which checks/helpers.py does not define")
    return func


def load_checks(path: Path, *, hidden: bool, hidden_visibility: str) -> list[Check]:
    """Read one checks file; every mistake is a ConfigError naming the file and the check."""
    import yaml

    from autograder import yamldata

    if not path.exists():
        return []
    try:
        raw = yamldata.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML ({e.__class__.__name__}: {str(e).splitlines()[0]})") from None
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: expected a list of checks")
    return [_parse_check(entry, path, hidden=hidden, hidden_visibility=hidden_visibility) for entry in raw]


def _parse_check(entry: Any, path: Path, *, hidden: bool, hidden_visibility: str) -> Check:
    where = f"{path.name}: check {entry.get('id', '?') if isinstance(entry, dict) else '?'}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping")
    unknown = set(entry) - _CHECK_FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("id", "question", "points", "name"):
        if required not in entry:
            raise ConfigError(f"{where}: missing '{required}'")
    if ("read" in entry) == ("call" in entry):
        raise ConfigError(f"{where}: give exactly one of 'read' or 'call'")
    compare = entry.get("compare", "close")
    options = dict(compare) if isinstance(compare, dict) else {"kind": compare}
    kind = options.pop("kind", "close")
    if kind not in KINDS:
        raise ConfigError(f"{where}: unknown comparator {kind!r} (choose from {', '.join(KINDS)})")
    if kind == "property" and "using" not in options:
        raise ConfigError(f"{where}: a property check needs 'using: <function in helpers.py>'")
    if kind == "shape" and "shape" not in options or kind == "keys" and "keys" not in options:
        raise ConfigError(f"{where}: comparator {kind!r} needs '{kind}:'")
    # hidden properties get the reference too (a property may compare with it); public ones cannot
    default_expect = "none" if kind in ("shape", "keys") or (kind == "property" and not hidden) else "reference"
    expect = entry.get("expect", default_expect)
    expected_value = None
    if isinstance(expect, dict) and "value" in expect:
        expected_value = expect["value"]
        expect = "value"
    if expect not in ("reference", "value", "none"):
        raise ConfigError(f"{where}: expect must be 'reference', 'none' or {{value: ...}}")
    if not hidden and expect == "reference":
        raise ConfigError(f"{where}: a public check cannot compare with the reference solution "
                          "(students run public checks without it); use a property, shape, keys or a stated value")
    generate = entry.get("generate")
    if generate is not None:
        if not isinstance(generate, dict) or "using" not in generate:
            raise ConfigError(f"{where}: generate needs 'using: <function in helpers.py>'")
        unknown = set(generate) - {"using", "count", "draw"}
        if unknown:
            raise ConfigError(f"{where}: generate takes using, count and draw, not {', '.join(sorted(unknown))}")
        draw = str(generate["draw"]) if "draw" in generate else None
        generate = (str(generate["using"]), int(generate.get("count", 10)))
    else:
        draw = None
    cases = entry.get("cases", [] if "call" in entry else [[]])
    if not isinstance(cases, list) or not all(isinstance(c, list) for c in cases):
        raise ConfigError(f"{where}: cases must be a list of argument lists")
    if "call" in entry and not cases and not generate:
        raise ConfigError(f"{where}: a function check needs cases or generate")
    visibility = entry.get("visibility", hidden_visibility if hidden else "visible")
    if visibility not in VISIBILITIES:
        raise ConfigError(f"{where}: visibility must be one of {', '.join(VISIBILITIES)}")
    convert = entry.get("convert", "numpy")
    if convert not in ("numpy", "torch", "list"):
        raise ConfigError(f"{where}: convert must be numpy, torch or list")
    try:
        points = float(entry["points"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: points must be a number") from None
    hints = _parse_hints(entry.get("hints", []), where, expected_value if expect == "value" else None,
                         compared_by_value=expect == "value")
    also = entry.get("also", [])
    if not isinstance(also, list) or not all(isinstance(name, str) and name.isidentifier() for name in also):
        raise ConfigError(f"{where}: also must be a list of answer names (read, or called with the same arguments)")
    if also and kind != "property":
        raise ConfigError(f"{where}: also gives other answers to a property; comparator {kind!r} takes none")
    return Check(
        id=str(entry["id"]), question=str(entry["question"]), points=points, name=str(entry["name"]),
        target=str(entry.get("call") or entry.get("read")), call="call" in entry, hidden=hidden,
        cases=tuple(tuple(c) for c in cases), generate=generate, draw=draw, convert=convert, kind=kind, options=options,
        expect=expect, expected_value=expected_value, forbid_autograd=bool(entry.get("forbid_autograd", False)),
        timeout=entry.get("timeout"), visibility=visibility, hints=hints, also=tuple(also),
    )


def _parse_hints(raw: Any, where: str, expected_value: Any, *, compared_by_value: bool) -> tuple[Hint, ...]:
    from autograder.messages import LANGUAGES

    if not isinstance(raw, list):
        raise ConfigError(f"{where}: hints must be a list of {{value: ..., hint: {{en: ..., fr: ...}}}} "
                          "or {when: <function in helpers.py>, hint: ...}")
    hints = []
    for number, entry in enumerate(raw, start=1):
        at = f"{where}: hint {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{at}: expected a mapping with value or when, and hint")
        unknown = set(entry) - _HINT_FIELDS
        if unknown:
            raise ConfigError(f"{at}: unknown field(s) {', '.join(sorted(unknown))} (a hint takes value or when, "
                              "hint, and rtol/atol with value)")
        if ("value" in entry) == ("when" in entry):
            raise ConfigError(f"{at}: give exactly one of 'value' (a known wrong answer) or 'when' (a function "
                              "in helpers.py that recognises it)")
        text = entry.get("hint")
        if not isinstance(text, dict) or not text or not all(
                lang in LANGUAGES and isinstance(t, str) and t.strip() for lang, t in text.items()):
            raise ConfigError(f"{at}: hint must map languages ({', '.join(LANGUAGES)}) to non-empty texts, "
                              f"not {text!r}")
        if any(len(t.strip()) > HINT_CHARS for t in text.values()):
            raise ConfigError(f"{at}: a hint is one sentence of at most {HINT_CHARS} characters")
        if "when" in entry and ({"rtol", "atol"} & set(entry)):
            raise ConfigError(f"{at}: rtol and atol go with value, not when")
        when = entry.get("when")
        if when is not None:
            when = str(when).removeprefix("helpers.")
        try:
            tolerances = {k: float(entry[k]) for k in ("rtol", "atol") if k in entry}
        except (TypeError, ValueError):
            raise ConfigError(f"{at}: rtol and atol must be numbers") from None
        hint = Hint(text={lang: t.strip() for lang, t in text.items()}, value=entry.get("value"), when=when,
                    **tolerances)
        if compared_by_value and when is None and _same_answer(Check("", "", 0, "", "", False, False), expected_value,
                                                             hint):
            # the right answer would never be "matched" (hints are looked for on failures only),
            # so this is a typo that would hide the hint
            raise ConfigError(f"{at}: the value {hint.value!r} is the expected value, not a wrong answer")
        hints.append(hint)
    return tuple(hints)


def load_helpers(path: Path) -> ModuleType | None:
    """Import the assignment's trusted ``checks/helpers.py`` (generators and properties)."""
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"autograder_helpers_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        # the course's own code: one line naming the file and the line, not a traceback
        where = f" (line {e.lineno})" if isinstance(e, SyntaxError) and e.lineno else ""
        raise ConfigError(f"{path} raised {type(e).__name__} when imported{where}: {e}") from e
    return module


def case_prefix(args: tuple) -> Message:
    return Message("case", {"args": ", ".join(_short_repr(a) for a in args)})


def _short_repr(value: Any) -> str:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."
