"""What an assignment is, as frozen values: its questions, checks, limits and where its solution is.

No loading here: :mod:`autograder.assignment` reads an assignment folder, and
:mod:`autograder.otter` an otter source, into these values. Both loaders depend on this module
and neither on the other, so the model has no import of either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from autograder.checks import Check
from autograder.errors import ConfigError
from autograder.sandbox import Limits


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    points: float
    graded: str  # "auto" or "hand"


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    language: str
    root: Path
    starter: str
    questions: tuple[Question, ...]
    checks: tuple[Check, ...]
    helpers: ModuleType | None
    solution_dir: Path | None
    limits: Limits = Limits()
    preload: tuple[str, ...] = ("numpy", "torch")
    hidden_visibility: str = "after_due_date"
    #: how many sets of generated inputs the class shares (0: a set of its own per submission)
    variants: int = 16
    settings: dict = field(default_factory=dict)

    @property
    def auto_points(self) -> float:
        return sum(q.points for q in self.questions if q.graded == "auto")

    @property
    def hand_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.graded == "hand")

    @property
    def hand_points(self) -> float:
        return sum(q.points for q in self.hand_questions)

    @property
    def public_checks(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.hidden)

    @property
    def hidden_paths(self) -> list[Path]:
        """What the student's process must never read: hidden checks and the solution."""
        paths = [self.root / "checks" / "hidden.yaml"]
        if self.solution_dir is not None:
            paths.append(self.solution_dir)
        return paths

    @property
    def solution_file(self) -> Path | None:
        if self.solution_dir is None:
            return None
        path = self.solution_dir / self.starter
        return path if path.exists() else None

    def sandbox_python(self) -> str | None:
        """The Python its sandbox servers run; None: the grader's own. (An otter assignment whose
        requirements ours lacks has an environment of its own: :mod:`autograder.otter.environment`.)"""
        return None

    def require_solution(self) -> Path:
        """The solution file, or a ConfigError that says where it was looked for and how to give it.

        An assignment folder copied away from its repository has no ``solutions/`` beside it:
        the message names the place looked at and the ``--solution`` option.
        """
        path = self.solution_file
        if path is not None:
            return path
        looked = (self.solution_dir or default_solution_dir(self.root, self.id)) / self.starter
        raise ConfigError(f"no solution for {self.id}: {looked} does not exist; give the folder that holds "
                          f"{self.starter} with --solution DIR")


def default_solution_dir(root: Path, assignment_id: str) -> Path:
    """Where an assignment's solution is when none is given: ``solutions/<id>/`` beside ``assignments/``."""
    return root.parent.parent / "solutions" / assignment_id
