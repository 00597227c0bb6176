"""otter-grader compatibility: grade otter assignments unchanged, in our sandbox.

An otter assignment (an autograder zip made by ``otter generate``/``otter assign``, a folder of
otter test files, or a notebook whose tests live in its metadata) is loaded as an ordinary
:class:`~autograder.assignment.Assignment` whose checks are otter test files, so ``grade``,
``check``, ``run`` and the batch command work on it as on a native assignment.

Where each part runs (the trust boundary, as in the rest of the grader):

- grader: finding the tests (:mod:`~autograder.otter.loader`), parsing them with otter's own
  parser when otter-grader is installed and resolving points by otter's rules
  (:mod:`~autograder.otter.testfiles`), comparing doctest output with the expected output
  (doctest's ``OutputChecker``, otter's option flags, numpy-2 reprs accepted for numpy-1 ones:
  :mod:`~autograder.otter.doctests`), the checks, scores and messages
  (:mod:`~autograder.otter.model`), and the environment the assignment's requirements are
  installed in, once, before any student code (:mod:`~autograder.otter.environment`);
- sandbox child, beside the student's code: running one test file's cases, each under its own
  alarm, and sending back what they printed or raised as plain data —
  :mod:`~autograder.otter.runner`; and ``import otter`` for the student's notebook —
  :mod:`~autograder.otter.stub`.

Those two sandbox-side modules use the standard library and numpy only, and this package's
``__init__`` stays import-free so the sandbox worker can import them cheaply.

What is supported, what the isolation closes and what it does not: ``README.md`` beside this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["is_otter_source", "load_otter_assignment"]


def is_otter_source(ref: Any) -> bool:
    """True when ``ref`` names an otter source (zip, folder of otter tests, notebook with tests)."""
    from autograder.otter.loader import is_otter_source as check

    return check(Path(str(ref)))


def load_otter_assignment(ref: Any):
    """Load an otter source as an :class:`~autograder.assignment.Assignment` (see :mod:`.model`)."""
    from autograder.otter.model import load_otter_assignment as load

    return load(Path(str(ref)))
