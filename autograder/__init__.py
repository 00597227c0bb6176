"""Auto-grader for deep-learning course assignments.

Student code runs in a separate, restricted process (``sandbox``); only plain data comes back
and is compared here (``compare``), against references computed from the solution.

Names are imported lazily: the sandbox worker imports this package too, and must stay light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "check": "autograder.student",
    "load_assignment": "autograder.assignment",
    "load_submission": "autograder.submission",
    "grade": "autograder.grading",
    "grade_batch": "autograder.batch",
    "validate": "autograder.validation",
    "Sandbox": "autograder.sandbox",
    "Limits": "autograder.sandbox",
    "detect_isolation": "autograder.sandbox",
    "Results": "autograder.results",
    "Comparison": "autograder.compare",
    "AutograderError": "autograder.errors",
    "UsageError": "autograder.errors",
    "ConfigError": "autograder.errors",
    "SubmissionError": "autograder.errors",
    "SandboxError": "autograder.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
