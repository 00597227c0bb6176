"""What a submission answered where a check failed, kept compact for the class report.

A class report says *why* a question was hard by showing the wrong answers themselves ("31%
answered 24"). Results do not keep the answers (they can weigh megabytes); they keep, per
failed check, a :class:`~autograder.results.WrongAnswer`: a digest of the answer's bytes, to
count identical answers across a class, and a short preview, to show them. Made here, in the
grader, from plain data the sandbox already validated; shown only to the teaching team.

    >>> preview(np.arange(12.0).reshape(3, 4) / 7)
    'array (3, 4) float64 [0, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, …]'
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

import numpy as np

from autograder.checks import Check
from autograder.plaindata import Unsupported, to_plain
from autograder.results import WrongAnswer
from autograder.sandbox import Answer, Request

#: a preview longer than this is cut (a report shows many of them side by side)
PREVIEW_CHARS = 80
#: an error's preview is the check's feedback, a sentence: a little more room
ERROR_CHARS = 160
#: items shown of an array, a list or a dict
ITEMS = 6
#: nesting shown of lists and dicts before "…"
DEPTH = 3

#: the start of a value's line as the student's process writes it (``plaindata.dumps``): what
#: follows, up to the closing brace, is the value's bytes
_VALUE_AT = re.compile(rb'\{"id":"(?:[^"\\]|\\.){0,400}","value":')


def wrong_answer(check: Check, case: int, request: Request, answer: Answer, *, feedback: str,
                 hint: str | None = None) -> WrongAnswer:
    """The record of ``answer``, the answer to ``request`` (``check``'s case number ``case``)
    that failed the check; ``feedback`` is the check's rendered feedback (an error's preview).

    >>> wrong_answer(check, 0, request, answer, feedback="...").preview
    '24'
    """
    generated = bool(check.call) and case >= len(check.cases)
    # what was asked (the name, or the call and its exact arguments: a generated case's are those
    # of its set of draws), then what came back: the same digest is the same answer to the same
    # question, whichever check asked it (a form check and a hidden check often read one value)
    digest = hashlib.sha256(repr(request.question).encode())
    if answer.ok:
        digest.update(b"\0value\0" + _value_bytes(answer))
        shown = preview(answer.value)
    else:
        # an error's message may quote the student's code: the same message is the same answer
        digest.update(f"\0error\0{answer.error_type}\0{answer.error_message}\0{answer.error_line}"
                      .encode("utf-8", "replace"))
        shown = _clip(feedback, ERROR_CHARS)
    asked = ""
    if check.call and not generated:
        asked = _clip(f"{check.target}({', '.join(preview(a) for a in request.args)})", PREVIEW_CHARS)
    return WrongAnswer(digest=digest.hexdigest()[:16], preview=shown, error=not answer.ok, asked=asked,
                       generated=generated, hint=hint)


def preview(value: Any) -> str:
    """A short rendering of a plain-data answer: numbers to 4 significant digits, arrays as
    shape, dtype and first values, strings as typed (quoted, control characters escaped),
    at most :data:`PREVIEW_CHARS` characters."""
    return _clip(_preview(value, 0), PREVIEW_CHARS)


def _preview(value: Any, depth: int) -> str:
    kind = type(value)
    if value is None or kind is bool or isinstance(value, np.bool_):
        return str(bool(value)) if value is not None else "None"
    if kind is int or isinstance(value, np.integer):
        text = str(int(value))
        # a 4000-digit integer is one way to flood a report
        return text if len(text) <= 20 else f"{text[:8]}…({len(text)} digits)"
    if kind is float or isinstance(value, np.floating):
        return _number(float(value))
    if kind is complex or isinstance(value, np.complexfloating):
        return _complex(complex(value))
    if kind is str:
        # repr: quotes say it is a string (24 and "24" are different answers), and escapes
        # control and direction-changing characters
        return repr(value[:PREVIEW_CHARS])
    if kind is np.ndarray:
        return _array(value)
    if depth >= DEPTH:
        return "…"
    if kind is list or kind is tuple:
        items = [_preview(v, depth + 1) for v in value[:ITEMS]]
        more = f", … ({len(value)} items)" if len(value) > ITEMS else ""
        return f"[{', '.join(items)}{more}]"
    if kind is dict:
        items = [f"{k[:20]!r}: {_preview(v, depth + 1)}" for k, v in list(value.items())[:ITEMS]]
        more = f", … ({len(value)} keys)" if len(value) > ITEMS else ""
        return f"{{{', '.join(items)}{more}}}"
    if isinstance(value, Unsupported):
        return f"<{value.type_name[:40]}>"
    return f"<{kind.__name__[:40]}>"  # nothing else comes out of plaindata.from_plain


def _array(a: np.ndarray) -> str:
    if a.ndim == 0:
        return _preview(a[()], DEPTH)
    values = [_preview(v, DEPTH) for v in a.flat[:ITEMS]]
    more = ", …" if a.size > ITEMS else ""
    return f"array {tuple(a.shape)} {a.dtype} [{', '.join(values)}{more}]"


def _number(x: float) -> str:
    if math.isnan(x) or math.isinf(x):
        return str(x)
    return f"{x:.4g}"


def _complex(c: complex) -> str:
    sign = "-" if c.imag < 0 or (c.imag == 0 and math.copysign(1.0, c.imag) < 0) else "+"
    return f"({_number(c.real)}{sign}{_number(abs(c.imag))}j)"


def _value_bytes(answer: Answer) -> bytes:
    """The answer's value as it came, byte for byte (the line without its request id: a request
    asked for two checks comes back once, under the first one's id)."""
    wire = answer.wire
    match = _VALUE_AT.match(wire) if wire else None
    if match is not None and wire.endswith(b"}"):
        return wire[match.end():-1]
    # an answer the grader made itself (a test double) has no line: its value, encoded
    return json.dumps(to_plain(answer.value), sort_keys=True).encode()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
