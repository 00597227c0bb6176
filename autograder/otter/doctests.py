"""Judge a doctest case in the grader, from what the sandbox sent back.

otter runs each case with ``doctest.DocTestRunner(verbose=True)`` and no option flags, so an
example passes when ``OutputChecker.check_output(want, got, 0)`` (plus the example's own
``# doctest:`` directives) accepts the output, or, for an example expected to raise, the
exception line; ``IGNORE_EXCEPTION_DETAIL`` gets its second chance. :func:`judge_examples`
replays that logic on the sandbox's report: the expected output never left the grader.

numpy 2 changed scalar reprs (``np.True_``, ``np.float64(2.5)`` where numpy 1 printed ``True``,
``2.5``), so most test files written before it fail correct answers under otter with numpy 2.
When the plain comparison fails, both texts are compared again with numpy-2 scalar reprs
rewritten as numpy 1 printed them (:func:`numpy1_reprs`); tests written for either pass.
"""

from __future__ import annotations

import doctest
import re
from textwrap import indent
from typing import Any

#: otter's DocTestRunner option flags
OTTER_OPTIONFLAGS = 0
_CHECKER = doctest.OutputChecker()
_NUMPY_REPR = re.compile(r"\bnp\.(True_|False_)(?![\w(])|\bnp\.([A-Za-z_][A-Za-z0-9_]*)\(")
_INTEGER = re.compile(r"^(u?int(8|16|32|64)?|u?intc|u?intp|u?longlong|u?short|u?byte|u?long)$")
_FLOAT = re.compile(r"^(float(16|32|64|96|128)?|half|single|double|longdouble)$")
_COMPLEX = re.compile(r"^(complex(64|128|192|256)?|csingle|cdouble|clongdouble)$")


def numpy1_reprs(text: str) -> str:
    """``[np.float64(2.5), np.True_]`` -> ``[2.5, True]``: numpy-2 scalar reprs as numpy 1 wrote them."""
    if "np." not in text:
        return text
    out = []
    i = 0
    while True:
        m = _NUMPY_REPR.search(text, i)
        if m is None:
            break
        out.append(text[i:m.start()])
        if m.group(1):
            out.append("True" if m.group(1) == "True_" else "False")
            i = m.end()
            continue
        close = _closing_paren(text, m.end())
        legacy = _legacy(m.group(2), text[m.end():close]) if close >= 0 else None
        if legacy is None:
            out.append(m.group(0))
            i = m.end()
        else:
            out.append(legacy)
            i = close + 1
    out.append(text[i:])
    return "".join(out)


def _closing_paren(text: str, start: int) -> int:
    depth = 0
    quote = None
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
        elif ch == "\n":
            return -1
        i += 1
    return -1


def _legacy(name: str, inner: str) -> str | None:
    if name in ("bool", "bool_"):
        return inner
    if _INTEGER.match(name):
        return inner
    if _FLOAT.match(name):
        return inner[1:-1] if len(inner) > 1 and inner[0] == inner[-1] == "'" else inner
    if _COMPLEX.match(name):
        value = inner[1:-1] if len(inner) > 1 and inner[0] == inner[-1] == "'" else inner
        try:
            return repr(complex(value.replace(" ", "")))
        except ValueError:
            return f"({value})"
    if name in ("str_", "bytes_"):
        return inner
    if name in ("datetime64", "timedelta64"):
        return f"numpy.{name}({inner})"
    return None


def check_output(want: str, got: str, flags: int) -> bool:
    return _CHECKER.check_output(want, got, flags) or (
        ("np." in got or "np." in want) and _CHECKER.check_output(numpy1_reprs(want), numpy1_reprs(got), flags))


def _flags(example: doctest.Example) -> int:
    flags = OTTER_OPTIONFLAGS
    for flag, on in (example.options or {}).items():
        flags = flags | flag if on else flags & ~flag
    return flags


def skipped(example: doctest.Example) -> bool:
    return bool(_flags(example) & doctest.SKIP)


def _spoof(got: str) -> str:
    """doctest's ``_SpoofOut.getvalue``: output always ends with a newline."""
    return got + "\n" if got and not got.endswith("\n") else got


def judge_examples(examples: tuple, results: Any) -> tuple[bool, str]:
    """(passed, doctest-style report of the failures) for one case's examples."""
    if not isinstance(results, list) or len(results) != len(examples):
        return False, "the sandbox did not report every example of this case"
    reports = []
    for example, result in zip(examples, results):
        if skipped(example):
            continue
        ok, report = _judge_example(example, result if isinstance(result, dict) else {})
        if not ok:
            reports.append(report)
    return not reports, "\n".join(reports)


def _judge_example(example: doctest.Example, result: dict) -> tuple[bool, str]:
    flags = _flags(example)
    header = "Failed example:\n" + indent(example.source, "    ")
    got = result.get("got")
    if not isinstance(got, str):
        return False, header + "No output was reported for this example.\n"
    if result.get("refused"):
        return False, header + "Refused: " + str(result["refused"])[:500] + "\n"
    if result.get("tampered"):
        return False, header + "Refused: the submission replaced sys.stdout or sys.displayhook while the test ran.\n"
    if result.get("truncated"):
        return False, header + "The example printed more output than the grader keeps.\n"
    got = _spoof(got)
    exception = result.get("exception")
    if not isinstance(exception, dict):
        if check_output(example.want, got, flags):
            return True, ""
        return False, header + _CHECKER.output_difference(example, got, flags)
    exc_msg = str(exception.get("msg", ""))
    if example.exc_msg is None:
        return False, header + "Exception raised:\n" + indent(exc_msg or str(exception.get("type", "")), "    ")
    if check_output(example.exc_msg, exc_msg, flags):
        return True, ""
    if flags & doctest.IGNORE_EXCEPTION_DETAIL and check_output(
            _strip_exception_details(example.exc_msg), _strip_exception_details(exc_msg), flags):
        return True, ""
    return False, header + _CHECKER.output_difference(example, exc_msg, flags)


def _strip_exception_details(msg: str) -> str:
    """doctest's ``_strip_exception_details`` (IGNORE_EXCEPTION_DETAIL)."""
    start, end = 0, len(msg)
    i = msg.find("\n")
    if i >= 0:
        end = i
    i = msg.find(":", 0, end)
    if i >= 0:
        end = i
    i = msg.rfind(".", 0, end)
    if i >= 0:
        start = i + 1
    return msg[start:end]
