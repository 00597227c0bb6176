"""One grading: submission + checks + sandbox -> :class:`Results`.

The order matters for the trust boundary: the requests (names, arguments) go to the sandbox
first; the answers come back as plain data; only then are references computed and compared,
here, in the grader. Hidden checks' feedback is rendered without expected values.
"""

from __future__ import annotations

import re

import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from autograder.answers import wrong_answer
from autograder.assignment import Assignment
from autograder.checks import (Check, also_id, case_prefix, draw_key, draws_kept, judge, matched_hint, needs_rng,
                               seed_for)
from autograder.compare import Comparison, fail
from autograder.errors import SubmissionError
from autograder.load_errors import load_failures, not_run_reason
from autograder.messages import Message, autograd_refusal, process_death, render
from autograder.plaindata import read_only
from autograder.references import References
from autograder.results import CheckResult, QuestionScore, Results
from autograder.sandbox import Answer, Outcome, Request, Sandbox, check_hidden_unreadable, detect_isolation
from autograder.submission import Submission, load_submission


def sandbox_for(assignment: Assignment, *, isolation: str = "auto", workers: int = 1, slot: int = 0) -> Sandbox:
    """The sandbox an assignment runs in: its preloads and limits, the isolation asked for;
    ``slot`` picks its uids (see :class:`~autograder.sandbox.Sandbox`)."""
    return Sandbox(workers=workers, isolation=detect_isolation(isolation), preload=assignment.preload,
                   limits=assignment.limits, slot=slot, python=assignment.sandbox_python())


class Plans:
    """What each check asks, per set of draws: its inputs and requests, made once and kept.

    A batch keeps one per process, so a shared set of draws (see
    :func:`autograder.checks.draw_key`) is drawn and encoded once, not once per submission.
    Kept inputs are shared by every submission that gets them: their arrays are made read-only,
    so that a helper that edits its ``args`` fails loudly instead of changing later gradings.
    """

    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        self._memo: dict[tuple[str, str | None], tuple[list[tuple], list[Request]]] = {}

    def get(self, check: Check, draw: str | None) -> tuple[list[tuple], list[Request]]:
        """``check``'s inputs and requests for the set of draws ``draw`` (a :func:`draw_key`).
        Kept unless the draws are one submission's own (``variants: 0``)."""
        key = (check.id, draw if check.generate else None)
        plan = self._memo.get(key)
        if plan is None:
            seed = seed_for(self.assignment.id, check.draw or check.id, draw) if check.generate else 0
            inputs = check.inputs(self.assignment.helpers, seed)
            plan = (inputs, check.requests(inputs))
            if draws_kept(check, self.assignment.variants):
                read_only(inputs)
                self._memo[key] = plan
        return plan


class Verdicts:
    """The verdicts a batch has reached (each check's result, feedback included), by check, set
    of draws and the exact answer lines.

    Submissions that get the same set of draws (``variants``) and answer a check with the same
    lines get the same verdict, and in a class most do: every right answer is the same bytes.
    A verdict is a function of the check's inputs, its references and the answers, except
    where a property's helper draws numbers of its own (``rng``, seeded per submission): those
    are judged every time, as are draws of one submission alone (``variants: 0``) and answers
    the sandbox made up (a timeout). The lines are compared whole, so no answer can pass for
    another. Past ``limit`` bytes of lines kept, nothing more is added.
    """

    def __init__(self, limit: int = 64 * 1024 * 1024) -> None:
        self.limit = limit
        self.size = 0
        self._memo: dict[tuple, CheckResult] = {}

    def key(self, check: Check, number: str, reqs: list, outcome: Outcome, draw: str,
            *, cells: tuple[int, ...] = ()) -> tuple | None:
        """What the result of ``check`` (``number``, its place in the list) depends on here, or
        None when it is not to be kept: see the class's docstring. An error raised in a
        notebook's chunk is reported with the cell's number (``cells``), which its line does not
        hold: then the cells are part of the key."""
        lines = []
        in_chunk = False
        for req in reqs:
            answer = outcome.answers.get(req.id)
            if answer is None or not answer.wire:
                return None
            lines.append(answer.wire)
            # an error is a plain Answer (decoded already); a value's line is not read here
            in_chunk = in_chunk or (type(answer) is Answer and answer.error_chunk is not None)
        return (check.id, number, draw if check.generate else None, cells if in_chunk else None, *lines)

    def get(self, key: tuple) -> CheckResult | None:
        return self._memo.get(key)

    def put(self, key: tuple, result: CheckResult) -> None:
        size = sum(len(part) for part in key if type(part) is bytes)
        if self.size + size <= self.limit:
            self._memo[key] = result
            self.size += size


def prepare(assignment: Assignment, plans: Plans, references: References, submission_keys: Iterable[str]) -> None:
    """Draw now the shared sets of inputs these submissions get, encode their requests and
    compute their references (fixed cases included).

    A batch calls this once, before its grading processes fork: they inherit all of it instead
    of each computing it again, and the work fills the second the torch server takes to start.
    Only the sets the batch uses are made (a few submissions regraded need a few, whatever
    ``variants`` says); with ``variants: 0`` draws are per submission, so only fixed cases are.
    """
    draws = sorted({draw_key(assignment.id, key, assignment.variants) for key in submission_keys}
                   if assignment.variants > 0 else ())
    for check in assignment.checks:
        if check.generate and not draws:
            continue
        for draw in draws if check.generate else [None]:
            inputs, reqs = plans.get(check, draw)
            # cached properties, computed now: the encodings the sandbox sends (a request asked for
            # two checks goes out of its group: that copy too)
            for req in reqs:
                for sent in (req, req.ungrouped) if req.group is not None else (req,):
                    sent.encoded, sent.question  # noqa: B018
            if check.expect == "reference":
                for case, args in enumerate(inputs):
                    references.answer(check, args, case=case, draw=draw)


def grade(assignment: Assignment, submission: Submission | str | Path, *, sandbox: Sandbox,
          references: References | None = None, plans: Plans | None = None, public_only: bool = False,
          key: str | None = None, verdicts: Verdicts | None = None) -> Results:
    """Grade one submission. A broken or hostile submission is graded too: 0 where it fails.
    A batch passes its ``plans``, ``references`` and ``verdicts``, kept from one to the next.

    >>> grade(load_assignment("ift6135-h20-hw1"), "alice.py", sandbox=box).score
    """
    started = time.monotonic()
    checks = assignment.public_checks if public_only else assignment.checks
    if not public_only:
        check_hidden_unreadable(sandbox.isolation, assignment.hidden_paths)
    if not isinstance(submission, Submission):
        try:
            submission = load_submission(submission, starter=assignment.starter, key=key)
        except SubmissionError as e:
            reason = render(e.message, assignment.language) if e.message is not None else str(e)
            return invalid_results(assignment, key or Path(submission).stem, reason, checks=checks, started=started)
    if references is None and any(c.expect == "reference" for c in checks):
        references = References(assignment)
    plans = plans or Plans(assignment)
    draw = draw_key(assignment.id, submission.key, assignment.variants)
    plan = []
    requests = []
    #: several checks often ask the same question (read a value, call a function on the same
    #: arguments): it is asked, and its answer sent back, once
    first: dict[tuple, int] = {}
    same_as: dict[str, str] = {}
    for check in checks:
        inputs, reqs = plans.get(check, draw)
        plan.append((check, inputs, reqs))
        for req in reqs:
            if type(req) is Request:
                at = first.get(req.question)
                if at is not None:
                    same_as[req.id] = requests[at].id
                    if requests[at].group is not None and requests[at].group != req.group:
                        # asked for two checks: the failure of one must not skip it for the other
                        requests[at] = requests[at].ungrouped
                    continue
                first[req.question] = len(requests)
            requests.append(req)
    # every reference, computed before any of the student's code runs: the solution is
    # imported (as root, on Gradescope) while nothing of theirs can have touched anything
    expected = [[_expected(check, args, references, case=index, draw=draw) for index, args in enumerate(inputs)]
                for check, inputs, _ in plan]
    outcome = sandbox.run(files=submission.files, main=submission.main, chunks=list(submission.chunks),
                          requests=requests, limits=assignment.limits)
    if same_as:
        answers = dict(outcome.answers)
        answers.update({rid: answers[first] for rid, first in same_as.items() if first in answers})
        outcome = replace(outcome, answers=answers)
    lang = assignment.language
    failures = load_failures(outcome, submission, language=lang, exec_seconds=assignment.limits.exec)
    results = []
    for number, (check, inputs, reqs), wanted in zip(_numbers(checks), plan, expected):
        # a generator is made only for a helper that takes one (~20 us each: a tenth of a
        # grading process's time on devoir3 when every property got one)
        rng = (np.random.default_rng(seed_for(assignment.id, check.id + "/judge", submission.key))
               if needs_rng(check, assignment.helpers) else None)
        known = None
        if verdicts is not None and rng is None and draws_kept(check, assignment.variants):
            known = verdicts.key(check, number, reqs, outcome, draw, cells=submission.cells)
        result = verdicts.get(known) if known is not None else None
        if result is None:
            verdict, case = _judge_check(check, inputs, reqs, wanted, outcome, assignment, rng, cells=submission.cells)
            feedback = "" if verdict.ok else render(verdict.message, lang, hidden=check.hidden)
            hint = _hint(check, case, inputs, reqs, wanted, outcome, assignment) if not verdict.ok else None
            if hint is not None:
                # a known mistake: its hint goes with the failure, on its own line (never a value of the
                # reference: the author wrote it), and so wherever the feedback is shown
                feedback += "\n" + render(Message("hint", {"text": hint}), lang)
            wrong = None
            # what was answered, for the class report: made once per distinct answer (the verdict,
            # and this with it, is kept for the next submission that answers the same). Not for an
            # otter request: what comes back is a run of test cases, not an answer
            if not verdict.ok and case is not None and type(reqs[case]) is Request:
                wrong = wrong_answer(check, case, reqs[case], outcome.answers[reqs[case].id], feedback=feedback,
                                     hint=hint)
            result = CheckResult(
                id=check.id, question=check.question, name=check.name, number=number,
                score=round(check.points * verdict.earned, 6), max_score=check.points, hidden=check.hidden,
                visibility=check.visibility, passed=verdict.ok, feedback=feedback or render(Message("ok"), lang),
                wrong_answer=wrong, hint=hint or "",
            )
            if known is not None:
                verdicts.put(known, result)
        # after the verdict kept for the next submission: the same answer ("missing") is not run
        # here, where a cell raised, and an ordinary failure there, where none did
        why = "" if result.passed else not_run_reason(reqs, outcome, failures)
        if why:
            result = replace(result, feedback=render(Message("not_run", {"reason": why}), lang), not_run=why,
                             wrong_answer=None)
        results.append(result)
    return Results(
        assignment_id=assignment.id, assignment_title=assignment.title, language=lang,
        submission=submission.key, checks=tuple(results), questions=_question_scores(assignment, results),
        status=_status(outcome), notes=tuple(_notes(outcome, submission, lang)),
        causes=tuple(failure.cause for failure in failures),
        output=_output(outcome, lang), isolation=sandbox.isolation.describe(lang),
        execution_time=round(time.monotonic() - started, 4), metadata=dict(submission.metadata),
    )


def _judge_check(check: Check, inputs: list[tuple], reqs: list, expected: list, outcome: Outcome,
                 assignment: Assignment, rng: np.random.Generator | None,
                 *, cells: tuple[int, ...] = ()) -> tuple[Comparison, int | None]:
    """The verdict, and the case whose answer failed the check (None: passed, or no answer came).
    ``cells``: the notebook cell of each chunk (``Submission.cells``), to say where an error was raised."""
    for case, (args, req, wanted) in enumerate(zip(inputs, reqs, expected)):
        answer = outcome.answers.get(req.id)
        if answer is None:
            reason = render(Message(f"reason_{(outcome.problem or 'died').split(':')[0]}"), assignment.language)
            return fail("no_answer", reason=reason), None
        if not answer.ok:
            return Comparison(False, _error_message(check, args, answer, cells=cells)), case
        also = {name: _value_of(outcome.answers.get(also_id(check, case, name))) for name in check.also}
        verdict = judge(check, answer.value, wanted, args=args, helpers=assignment.helpers, rng=rng, also=also)
        if not verdict.ok and answer.value is None:
            # a function without its return (or a value left None): said so, not "shape ()"; the
            # verdict (and its points) stands
            none = (Message("returned_none", {"call": f"{check.target}(...)"}) if check.call
                    else Message("value_none", {"name": check.target}))
            return Comparison(False, none, fraction=verdict.fraction), case
        if not verdict.ok:
            if check.call and args and verdict.message is not None:
                # two messages, each shortened on its own: long inputs never cut off the reason
                return Comparison(False, Message("case_message", {
                    "case": case_prefix(args), "text": verdict.message})), case
            return verdict, case
    return Comparison(True), None


def _value_of(answer: Answer | None) -> Any:
    # an other answer that is missing or raised is None to the property: it says what it needs
    return answer.value if answer is not None and answer.ok else None


def _hint(check: Check, case: int | None, inputs: list[tuple], reqs: list, expected: list, outcome: Outcome,
          assignment: Assignment) -> str | None:
    """The hint of the known wrong answer the failing case gave, if it is one (see
    :func:`autograder.checks.matched_hint`); None for an error, a missing answer, or no hint."""
    if not check.hints or case is None:
        return None
    answer = outcome.answers.get(reqs[case].id)
    if answer is None or not answer.ok or answer.value is None:
        return None  # None has its own message ("returned None"): no mistake's hint fits it
    return matched_hint(check, answer.value, args=inputs[case], expected=expected[case], helpers=assignment.helpers,
                        language=assignment.language)


def _expected(check: Check, args: tuple, references: References | None, *, case: int, draw: str) -> Any:
    if check.expect == "reference":
        return references.answer(check, args, case=case, draw=draw)
    if check.expect == "value":
        return check.expected_value
    return None


#: what plaindata says of a dict whose keys are not strings (the student's process converts answers)
_PLAIN_KEYS = re.compile(r"dict keys must be strings, got (\w+)")


def _error_message(check: Check, args: tuple, answer: Answer, *, cells: tuple[int, ...] = ()) -> Message:
    call = f"{check.target}(...)" if check.call else check.target
    kind = answer.error_type
    if kind == "missing":
        return Message("missing", {"name": check.target})
    if kind == "not_callable":
        return Message("not_callable", {"name": check.target, "found": answer.error_message})
    if kind == "timeout":
        return Message("timeout_in_call", {"call": call, "seconds": answer.error_message})
    if kind == "died":
        return Message("died_in_call", {"call": call, "reason": process_death(answer.error_message)})
    if kind == "autograd_forbidden":
        return Message("autograd_forbidden", {"call": call, "message": autograd_refusal(answer.error_message, cells=cells)})
    if kind == "bad_data":
        return Message("bad_data", {"message": answer.error_message})
    if kind == "too_large":
        return Message("answer_too_large", {"call": call, "size": answer.error_message})
    if kind == "PlainDataError":
        # the conversion of what the student gave into plain data refused it: not their code raising
        keys = _PLAIN_KEYS.fullmatch(answer.error_message)
        if keys:
            return Message("not_plain_keys", {"call": call, "type": keys.group(1)})
        if "nested too deeply" in answer.error_message:
            return Message("not_plain_deep", {"call": call})
    where = _where_raised(answer, cells)
    if not answer.error_message.strip():  # raise NotImplementedError: no "raised NotImplementedError: "
        return Message("error_in_call_bare", {"call": call, "type": kind, "where": where})
    return Message("error_in_call", {"call": call, "type": kind, "message": answer.error_message, "where": where})


def _where_raised(answer: Answer, cells: tuple[int, ...]) -> Message | str:
    """" (line 58)", or " (cell 12, line 3)" in a notebook (its chunks were compiled as
    ``<file>:cell<k>``: the worker says which); "" when the student's code is not in the traceback."""
    if not answer.error_line:
        return ""
    if answer.error_chunk is None:
        return Message("at_line", {"line": answer.error_line})
    chunk = answer.error_chunk
    # a kernel's history (check() in a notebook) has no cell numbers: its cells in the order they ran
    cell = cells[chunk] if chunk < len(cells) else chunk + 1
    return Message("at_cell_line", {"cell": cell, "line": answer.error_line})


def _numbers(checks: tuple[Check, ...]) -> list[str]:
    counts: dict[str, int] = {}
    numbers = []
    for c in checks:
        counts[c.question] = counts.get(c.question, 0) + 1
        numbers.append(f"{c.question.lstrip('qQ')}.{counts[c.question]}")
    return numbers


def _question_scores(assignment: Assignment, results: list[CheckResult]) -> tuple[QuestionScore, ...]:
    earned: dict[str, list[float]] = {}
    for r in results:
        earned.setdefault(r.question, []).append(r.score)
    return tuple(
        QuestionScore(id=q.id, title=q.title, points=q.points, graded=q.graded,
                      score=None if q.graded == "hand" else round(sum(earned.get(q.id, ())), 6))
        for q in assignment.questions
    )


def _status(outcome: Outcome) -> str:
    if "timeout" in outcome.incidents:
        return "timeout"
    if outcome.incidents:
        return "crashed"
    if outcome.exec_errors:
        return "error"
    return "graded"


def _notes(outcome: Outcome, submission: Submission, lang: str) -> list[str]:
    # what raised at load is not a note: it is a cause (see autograder.load_errors), shown first
    notes = []
    if outcome.problem:
        reason = render(Message(f"reason_{outcome.problem.split(':')[0]}"), lang)
        notes.append(render(Message("no_answer", {"reason": reason}), lang))
    notes += [render(note, lang) for note in submission.notes]
    return notes


def _output(outcome: Outcome, lang: str) -> str:
    if not outcome.output:
        return ""
    text = outcome.output
    if outcome.output_dropped:
        text += "\n" + render(Message("output_dropped", {"n": outcome.output_dropped}), lang)
    return text


def invalid_results(assignment: Assignment, key: str, reason: str, *, checks: tuple[Check, ...] | None = None,
                    started: float | None = None, cause: str | None = None) -> Results:
    """Results of a submission that could not be read: every check 0 and not run, the ``reason``
    its one cause ("could not be read: <reason>"; ``cause`` says it otherwise, for a grader's own error)."""
    checks = assignment.checks if checks is None else checks
    lang = assignment.language
    why = render(Message("not_run_did_not_load"), lang)
    feedback = render(Message("not_run", {"reason": why}), lang)
    results = [CheckResult(id=c.id, question=c.question, name=c.name, number=n, score=0.0, max_score=c.points,
                           hidden=c.hidden, visibility=c.visibility, passed=False, feedback=feedback, not_run=why)
               for c, n in zip(checks, _numbers(checks))]
    elapsed = 0.0 if started is None else round(time.monotonic() - started, 4)
    return Results(
        assignment_id=assignment.id, assignment_title=assignment.title, language=assignment.language,
        submission=key, checks=tuple(results), questions=_question_scores(assignment, results), status="invalid",
        causes=(cause or render(Message("cause_invalid", {"reason": reason}), lang),), execution_time=elapsed,
    )
