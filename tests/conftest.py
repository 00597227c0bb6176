from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.sandbox import Isolation, Limits, Sandbox, detect_isolation

ROOT = Path(__file__).resolve().parent.parent
#: Gradescope's results.json schema, vendored from ../shared/gradescope/ so that a fresh clone runs
#: every test that validates against it
SCHEMA = ROOT / "tests" / "fixtures" / "results.schema.json"


@pytest.fixture(scope="session")
def sandbox():
    """The strongest isolation this machine allows (bwrap here and in CI), one warm worker."""
    with Sandbox(workers=1, limits=Limits(wall=30, call=3, exec=10)) as box:
        yield box


@pytest.fixture(scope="session")
def rlimits_sandbox():
    with Sandbox(workers=1, isolation=Isolation("rlimits"), limits=Limits(wall=30, call=3, exec=10)) as box:
        yield box


@pytest.fixture(scope="session")
def user_sandbox():
    if os.geteuid() != 0:
        pytest.skip("the 'user' isolation mode needs root")
    try:
        isolation = detect_isolation("user")
    except Exception as e:  # noqa: BLE001 - the reason is shown in the skip
        pytest.skip(f"user mode unavailable: {e}")
    with Sandbox(workers=1, isolation=isolation, limits=Limits(wall=30, call=3, exec=10)) as box:
        yield box


@pytest.fixture(scope="session")
def schema():
    import json

    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture
def torch_float64():
    """torch's default dtype set to float64 for one test, and put back after it."""
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)
