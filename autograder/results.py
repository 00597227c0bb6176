"""What a grading produced, as frozen values. No I/O here: writers live in ``report/``."""

from __future__ import annotations

from dataclasses import dataclass, field


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
