"""The documentation's commands work as written: docs/authoring.md's tutorial is run, command by
command, in an empty folder, with the installed `autograder`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "authoring.md"


def tutorial_commands() -> list[str]:
    """The lines of the bash block right after the marker comment in docs/authoring.md."""
    text = TUTORIAL.read_text(encoding="utf-8")
    match = re.search(r"<!-- the commands of this block are run.*?-->\n```bash\n(.*?)```", text, re.DOTALL)
    assert match, "the tutorial's command block is gone from docs/authoring.md"
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_authoring_tutorial_runs_as_written(tmp_path):
    commands = tutorial_commands()
    assert commands[0].startswith("autograder new") and any(c.startswith("autograder build") for c in commands)
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    for command in commands:
        r = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{command}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    assert (tmp_path / "demo-autograder.zip").exists() and (tmp_path / "demo-students.zip").exists()
