from __future__ import annotations

import subprocess
import sys

import autograder


def test_public_names_resolve():
    for name in autograder.__all__:
        assert getattr(autograder, name) is not None


def test_importing_the_package_stays_light():
    # the sandbox worker imports the package; it must not pull in grading code or assignments
    code = ("import sys, autograder, autograder._worker; "
            "heavy = [m for m in ('autograder.grading', 'autograder.references', 'autograder.checks', 'yaml', 'scipy')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
