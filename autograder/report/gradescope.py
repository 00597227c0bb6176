"""Gradescope's ``results.json`` (schema: shared/gradescope/results.schema.json)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import fields
from pathlib import Path

from autograder.messages import Message, render
from autograder.results import CheckResult, QuestionScore, Results, WrongAnswer


#: the layout of ``extra_data.record``; 2: each failed check keeps what was answered (``wrong_answer``)
RECORD_FORMAT = 2


def gradescope_json(results: Results, *, hidden_answers: bool = False) -> dict:
    """One test per check; hidden checks carry the assignment's hidden visibility.

    What the submission answered where a check failed goes into ``extra_data`` (which Gradescope
    does not show), for the class report; a hidden check's, only with ``hidden_answers`` (a
    batch's own result files, on the teaching team's machine). A results.json written on
    Gradescope keeps none: it is handed back to the student's next run as a previous result, and
    an answer to a hidden input says something of that input.
    """
    lang = results.language
    tests = []
    for c in results.checks:
        tests.append({
            "name": c.name,
            "number": c.number,
            "score": c.score,
            "max_score": c.max_score,
            "status": "passed" if c.passed else "failed",
            "visibility": c.visibility,
            "output": c.feedback,
            "tags": [c.question] + (["hidden"] if c.hidden else []),
        })
    hand = results.hand_points
    parts = ", ".join(q.id for q in results.questions if q.graded == "hand") or "-"
    # what kept the submission from loading comes first: it is why the tests below failed
    lines = list(results.causes)
    lines.append(render(Message("output_header", {"score": _fmt(results.score), "max_score": _fmt(results.max_score),
                                                  "hand": _fmt(hand), "parts": parts}), lang))
    if results.late:
        lines.append(render(Message("late", {"late": results.metadata.get("late_due_date", "")}), lang))
    lines += list(results.notes)
    if results.isolation:
        lines.append(render(Message("output_isolation", {"mode": results.isolation}), lang))
    if results.output:
        lines += ["", render(Message("output_stdout", {"n": len(results.output.encode())}), lang), results.output]
    return {
        "score": results.score,
        "execution_time": results.execution_time,
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        # the outputs quote what the student's code raised or printed: shown as plain text, never
        # read as markdown or HTML (Gradescope's default, simple_format, keeps some tags and links)
        "output_format": "text",
        "test_output_format": "text",
        "tests": tests,
        "extra_data": {
            "assignment": results.assignment_id,
            "submission": results.submission,
            "status": results.status,
            "late": results.late,
            "questions": {q.id: q.score for q in results.questions},
            "hand_graded_points": hand,
            # everything needed to rebuild the Results (gradebook, report) without grading again
            "record": _record(results, hidden_answers=hidden_answers),
        },
    }


def _record(results: Results, *, hidden_answers: bool) -> dict:
    # field by field, not dataclasses.asdict: that deep-copies every value and is the slowest
    # part of writing a result
    data = {f.name: getattr(results, f.name) for f in fields(results)}
    data["checks"] = [_check_record(c, hidden_answers=hidden_answers) for c in results.checks]
    data["questions"] = [{f.name: getattr(q, f.name) for f in fields(q)} for q in results.questions]
    data["notes"] = list(results.notes)
    data["causes"] = list(results.causes)
    data["metadata"] = json.loads(json.dumps(results.metadata, default=str))
    return data


def _check_record(c: CheckResult, *, hidden_answers: bool) -> dict:
    data = {f.name: getattr(c, f.name) for f in _CHECK_FIELDS}
    wrong = c.wrong_answer
    data["wrong_answer"] = (None if wrong is None or (c.hidden and not hidden_answers)
                            else {f.name: getattr(wrong, f.name) for f in _WRONG_FIELDS})
    return data


_CHECK_FIELDS = fields(CheckResult)
_WRONG_FIELDS = fields(WrongAnswer)


def read_results_json(data: dict) -> Results:
    """The Results a results.json of ours was written from (KeyError/TypeError if it is not ours)."""
    record = dict(data["extra_data"]["record"])
    record["checks"] = tuple(_read_check(c) for c in record["checks"])
    record["questions"] = tuple(QuestionScore(**q) for q in record["questions"])
    record["notes"] = tuple(record.get("notes", ()))
    record["causes"] = tuple(record.get("causes", ()))
    return Results(**record)


def _read_check(data: dict) -> CheckResult:
    wrong = data.get("wrong_answer")
    # results written before answers were kept have none (the check's verdict stands)
    return CheckResult(**{**data, "wrong_answer": WrongAnswer(**wrong) if wrong is not None else None})


def write_gradescope_json(results: Results, path: Path) -> Path:
    """Write atomically: a reader never sees half a file, even if we are killed mid-write.
    (Gradescope's results.json: no hidden check's answer, see :func:`gradescope_json`.)"""
    return write_json_atomic(gradescope_json(results), path)


def write_json_atomic(data: dict, path: Path, *, durable: bool = True) -> Path:
    """Write JSON so that a reader sees the old file or the new one, never half of one.

    ``durable`` also survives power loss (fsync). A batch passes False: a result lost to a
    power cut is unreadable JSON, which the next run regrades anyway.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    # errors="replace": a lone surrogate a student's code raised or printed ("\\ud800") has no
    # UTF-8 form; it is written as "?" rather than ending the batch
    with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as f:
        # dumps, not dump: only dumps uses the C encoder (5 ms less per result of a batch)
        f.write(json.dumps(data, indent=None if not durable else 1, ensure_ascii=False, allow_nan=False))
        if durable:
            f.flush()
            os.fsync(f.fileno())
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; a results file or report is meant to be read
    os.replace(tmp, path)
    return path


def _fmt(x: float) -> str:
    return f"{x:g}"
