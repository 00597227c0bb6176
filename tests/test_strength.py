"""Check strength: wrong variants of the solution, graded like a class, and the ones that survive.

The whole measure of the five assignments runs with `autograder validate --strength` (about a
minute); here, the skeleton of `autograder new` (three questions, a few seconds) shows each kind
of variant, a weak check caught, and an equivalent variant set aside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.assignment import load_assignment
from autograder.authoring import assign, new_assignment
from autograder.strength import make_variants, measure, strength_table

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    new_assignment("demo", language="en", root=root)
    return root


def _weakened(root: Path, old: str, new: str) -> Path:
    """A copy of the demo whose source has ``old`` replaced by ``new``, assigned without the
    full-marks check (a weak check still gives the solution full marks)."""
    source = root / "assignments" / "demo" / "source.py"
    text = source.read_text()
    assert old in text
    copy = root.parent / f"{root.name}-weak"
    (copy / "assignments" / "demo").mkdir(parents=True, exist_ok=True)
    (copy / "assignments" / "demo" / "source.py").write_text(text.replace(old, new))
    assign(copy / "assignments" / "demo" / "source.py", root=copy)
    return copy


def test_variants_of_every_kind_are_made(demo):
    assignment = load_assignment(demo / "assignments" / "demo")
    names = {(v.question, v.name) for v in make_variants(assignment)}
    by_question = {q: " | ".join(n for qq, n in names if qq == q) for q in ("q1", "q2", "q3")}
    for kind in ("off by one (+1)", "off by one (-1)", "doubled", "halved", "negated"):
        assert kind in by_question["q1"], kind  # a value
    for kind in ("the input returned unchanged", "arguments swapped", "constant 0.0 +1", "maximum -> minimum"):
        assert kind in by_question["q2"], kind  # a function
    for kind in ("right for x > 0 only", "right only near the origin", "factor (1 + 1e-7)",
                 "undefined (NaN) where the reference is not", "sign flipped", "term"):
        assert kind in by_question["q3"], kind  # a formula, written with the names the check allows
    assert all("abs(" not in v.source.split("SIGMA_PRIME =")[1].splitlines()[0]
               for v in make_variants(assignment) if v.question == "q3")


def test_each_variant_is_the_solution_with_one_answer_changed(demo):
    assignment = load_assignment(demo / "assignments" / "demo")
    solution = assignment.solution_file.read_text().splitlines()
    for variant in make_variants(assignment):
        changed = variant.source.splitlines()
        differ = [i for i, (a, b) in enumerate(zip(solution, changed)) if a != b]
        assert differ or len(changed) != len(solution), variant.name
        compile(variant.source, variant.name, "exec")


def test_a_check_that_never_tries_negative_inputs_lets_a_wrong_relu_survive(demo):
    weak = _weakened(demo, "#   generate: {using: random_arrays, count: 5}\n",
                     "#   cases: [[[1.0, 2.0]], [[0.5]]]\n")
    rows = {row.question: row for row in measure(load_assignment(weak / "assignments" / "demo"))}
    survivors = [v.name for v in rows["q2"].survivors]
    assert "relu: the input returned unchanged" in survivors
    assert rows["q2"].share < 0.95
    assert rows["q1"].share == 1.0


def test_an_equivalent_variant_is_set_aside_with_its_reason(demo):
    rows = {row.question: row for row in measure(load_assignment(demo / "assignments" / "demo"))}
    assert rows["q2"].equivalent == 1 and not rows["q2"].survivors and rows["q2"].share == 1.0
    assert rows["q1"].killed == rows["q1"].made > 0


def test_the_table_has_one_row_per_question_starting_with_its_id(demo):
    rows = measure(load_assignment(demo / "assignments" / "demo"))
    table = strength_table(rows).splitlines()
    assert [line.split()[0] for line in table[1:]] == ["q1", "q2", "q3"]
    assert all("%" in line for line in table[1:])


def test_validate_strength_exits_1_and_names_a_weak_question(demo):
    weak = _weakened(demo, "#   generate: {using: random_arrays, count: 5}\n", "#   cases: [[[1.0, 2.0]]]\n")
    r = subprocess.run([sys.executable, "-m", "autograder", "validate", "demo", "--strength", "--diffs"],
                       cwd=weak, capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "WEAK demo/q2" in r.stdout and "survives: relu: the input returned unchanged" in r.stdout
    assert "+    return x" in r.stdout  # the survivor's diff
