"""One grading's plan: what is asked of the submission, once, and with which inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.assignment import load_assignment
from autograder.checks import load_checks, seed_for
from autograder.errors import ConfigError
from autograder.grading import grade


class _Spy:
    """A sandbox that records the requests it is handed, then runs them in the real one."""

    def __init__(self, box):
        self.box, self.isolation, self.requests = box, box.isolation, []

    def run(self, **job):
        self.requests += job["requests"]
        return self.box.run(**job)


def test_a_value_read_by_several_checks_is_asked_for_once(sandbox):
    assignment = load_assignment("ift6135-h23-hw1")
    readers: dict[str, int] = {}
    for check in assignment.checks:
        if not check.call:
            readers[check.target] = readers.get(check.target, 0) + 1
    shared = [name for name, n in readers.items() if n > 1]
    assert "Q4C_MATRICES_P" in shared  # three checks read it: valid, complete, well-formed
    spy = _Spy(sandbox)
    results = grade(assignment, assignment.solution_file, sandbox=spy, key="spy")
    reads = [r.name for r in spy.requests if not r.call]
    assert sorted(reads) == sorted(set(reads)), "each name is read once"
    assert results.score == results.max_score  # and every check that reads it got the value


def test_checks_with_the_same_draw_get_the_same_inputs():
    assignment = load_assignment("ift6135-a22-generatifs")
    by_id = {c.id: c for c in assignment.checks}
    sharing = [by_id[i] for i in ("q4.4-points", "q4.5-j-etoile", "q4.6-valeurs-propres")]
    assert {c.draw for c in sharing} == {"gammas"}

    def drawn(check, key):
        fixed = len(check.cases)
        return check.inputs(assignment.helpers, seed_for(assignment.id, check.draw or check.id, key))[fixed:]

    assert drawn(sharing[0], "alice") == drawn(sharing[1], "alice") == drawn(sharing[2], "alice")
    assert drawn(sharing[0], "alice") != drawn(sharing[0], "bob")  # still drawn per submission


def test_generate_takes_only_the_keys_it_knows(tmp_path: Path):
    path = tmp_path / "hidden.yaml"
    path.write_text("- {id: a, question: q1, points: 1, name: n, call: f,\n"
                    "   generate: {using: g, count: 3, seed: 4}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="generate takes using, count and draw, not seed"):
        load_checks(path, hidden=True, hidden_visibility="visible")
