"""What a grading produced, as frozen values. No I/O here: writers live in ``report/``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WrongAnswer:
    """What a submission answered where a check failed, kept compact for the teaching team's class
    report (never shown to the student: a hidden check's answer was given on a hidden input).

    Two submissions with the same ``digest`` gave the same answer, byte for byte, to the same
    question on the same input (whichever check asked it): that is what clusters a class's
    wrong answers and finds the unusual ones several submissions share.
    """

    #: 16 hex digits of a hash of what was asked (a name, or a call with its exact arguments)
    #: and of the answer's bytes
    digest: str
    #: a short, display-only rendering: numbers rounded, arrays by shape and first values,
    #: strings (formulas) as typed, truncated; for an error, the failed check's feedback
    preview: str
    #: the call raised, the name was missing, the call timed out...: no value was given
    error: bool = False
    #: the fixed case that failed, as a call ("conv_output_size(256, 8, 2, 0, 1)"); empty for a
    #: value read, or a generated case (its input is hidden and differs between sets of draws)
    asked: str = ""
    #: the failing case had generated inputs: only submissions of the same set of draws can share it
    generated: bool = False
    #: the hint of a known wrong answer this one matches (attached by the check, issue 14)
    hint: str | None = None


@dataclass(frozen=True)
class CheckResult:
    id: str
    question: str
    name: str
    number: str
    score: float
    max_score: float
    hidden: bool
    visibility: str
    #: a check can be worth 0 points (a public form check) and still fail
    passed: bool
    #: already in the assignment's language; for hidden checks it reveals no expected value
    feedback: str = ""
    #: what was answered, when the check failed on an answer (not for a missing answer, nor a pass)
    wrong_answer: WrongAnswer | None = None
    #: the hint of the known wrong answer given (``hints:`` of the check), rendered; already the
    #: last line of ``feedback``, so it is shown wherever the feedback is and only there
    hint: str = ""
    #: why the check could not run, rendered ("the submission did not load", "cell 7 did not run
    #: to the end"); empty when it ran. A check not run scores 0, as a failed one
    not_run: str = ""


@dataclass(frozen=True)
class QuestionScore:
    id: str
    title: str
    points: float
    graded: str
    #: None for questions graded by hand (their score is not ours to give)
    score: float | None


@dataclass(frozen=True, repr=False)
class Results:
    assignment_id: str
    assignment_title: str
    language: str
    submission: str
    checks: tuple[CheckResult, ...]
    questions: tuple[QuestionScore, ...]
    #: "graded", "error" (the file raised or did not parse), "timeout", "crashed", "invalid"
    status: str
    notes: tuple[str, ...] = ()
    #: what kept the submission, or part of it, from loading, one line each, rendered: the file
    #: does not parse, a cell raised, the notebook is not a notebook. Reports show them first
    causes: tuple[str, ...] = ()
    output: str = ""
    isolation: str = ""
    execution_time: float = 0.0
    late: bool = False
    metadata: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # short: check() returns this, and a notebook shows the repr of a cell's last value
        passed = sum(c.passed for c in self.checks)
        return (f"<Results {self.assignment_id}/{self.submission}: {passed}/{len(self.checks)} checks passed, "
                f"{self.score:g}/{sum(c.max_score for c in self.checks):g} points, {self.status}>")

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.checks), 6)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions if q.graded == "auto")

    @property
    def hand_points(self) -> float:
        return sum(q.points for q in self.questions if q.graded == "hand")
