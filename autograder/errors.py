"""The exception tree. Each error says whose fault it is, and carries the CLI's exit code.

    AutograderError            base; never raised itself
    ├── UsageError             who ran the command: missing file, unknown assignment, bad flag (2)
    ├── ConfigError            the course author: an assignment or check file is wrong (3)
    ├── SubmissionError        the student: not a .py/.ipynb/.zip, bad notebook JSON, unsafe zip (4)
    └── SandboxError           the platform: the sandbox cannot start or isolate (5)

Library code raises these; only ``cli.main`` catches them, prints one line and exits. What
student code raises is not an error of the grader: it becomes feedback on a check.
"""

from __future__ import annotations


class AutograderError(Exception):
    exit_code = 1


class UsageError(AutograderError):
    exit_code = 2


class ConfigError(AutograderError):
    exit_code = 3


class SubmissionError(AutograderError):
    """``message`` (an ``autograder.messages.Message``) renders the reason in the assignment's language."""

    exit_code = 4

    def __init__(self, text: str, message: object = None) -> None:
        super().__init__(text)
        self.message = message


class SandboxError(AutograderError):
    exit_code = 5
