"""One grading's plan: what is asked of the submission, once, and with which inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.assignment import load_assignment
import dataclasses

import numpy as np

from autograder.checks import draw_key, load_checks, seed_for
from autograder.errors import ConfigError
from autograder.grading import Plans, grade
from autograder.references import References


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
    assert drawn(sharing[0], "alice") != drawn(sharing[0], "bob")  # another set of draws, other inputs


def test_a_class_shares_a_few_sets_of_draws_picked_by_submission_id():
    keys = [f"student{i}" for i in range(400)]
    sets = {draw_key("a", k, 16) for k in keys}
    assert len(sets) == 16  # every set is used, and no more
    assert [draw_key("a", k, 16) for k in keys] == [draw_key("a", k, 16) for k in keys]  # a regrade: the same
    assert draw_key("a", "student1", 16) != draw_key("b", "student1", 16) or draw_key("a", "student2", 16) != draw_key("b", "student2", 16)
    assert {draw_key("a", k, 0) for k in keys} == set(keys)  # variants: 0, a set per submission


class _Recorder:
    """A sandbox that answers 0 to everything (so each answer is compared with its reference)
    and keeps each run's requests."""

    def __init__(self):
        from autograder.sandbox import Isolation

        self.isolation, self.runs = Isolation("rlimits"), []

    def run(self, **job):
        from autograder.sandbox import Answer, Outcome

        self.runs.append(job["requests"])
        return Outcome(answers={r.id: Answer(value=0.0) for r in job["requests"]})


def _generated(requests):
    return {r.id: r.args for r in requests if r.call and r.args}


def test_submissions_of_one_set_get_the_same_inputs_drawn_and_answered_once(monkeypatch):
    assignment = load_assignment("ift6135-devoir3")
    same = [k for k in (f"s{i}" for i in range(200)) if draw_key(assignment.id, k, 16) == draw_key(assignment.id, "s0", 16)][:2]
    other = next(k for k in (f"t{i}" for i in range(200)) if draw_key(assignment.id, k, 16) != draw_key(assignment.id, "s0", 16))
    box, plans, refs = _Recorder(), Plans(assignment), References(assignment)
    computed = []
    real = References._compute
    monkeypatch.setattr(References, "_compute", lambda self, check, args: computed.append(check.id) or real(self, check, args))
    monkeypatch.setattr("autograder.grading.check_hidden_unreadable", lambda *a: None)
    grade(assignment, assignment.solution_file, sandbox=box, references=refs, plans=plans, key=same[0])
    after_first = len(computed)
    grade(assignment, assignment.solution_file, sandbox=box, references=refs, plans=plans, key=same[1])
    assert after_first and len(computed) == after_first  # the references of a set: computed once
    grade(assignment, assignment.solution_file, sandbox=box, references=refs, plans=plans, key=other)
    assert len(computed) > after_first  # another set: its own references
    first, second, third = (_generated(r) for r in box.runs)
    assert first and first.keys() == second.keys()
    assert all(first[i] is second[i] for i in first)  # the same objects: drawn once
    # (another set may ask a few calls fewer: a draw that happens to equal another is asked once)
    assert any(not np.array_equal(np.asarray(first[i][0]), np.asarray(third[i][0])) for i in first.keys() & third.keys())


def test_kept_inputs_are_read_only():
    assignment = load_assignment("ift6135-devoir3")
    check = next(c for c in assignment.checks if c.generate)
    plans = Plans(assignment)
    inputs, requests = plans.get(check, "variant 3")
    arrays = [a for args in inputs for a in args if isinstance(a, np.ndarray)]
    assert arrays and not any(a.flags.writeable for a in arrays)
    assert plans.get(check, "variant 3")[1] is requests  # kept: the same requests next time


def test_variants_zero_draws_for_each_submission(monkeypatch):
    assignment = dataclasses.replace(load_assignment("ift6135-devoir3"), variants=0)
    box, plans = _Recorder(), Plans(assignment)
    monkeypatch.setattr("autograder.grading.check_hidden_unreadable", lambda *a: None)
    for key in ("s0", "s0", "s1"):
        grade(assignment, assignment.solution_file, sandbox=box, references=References(assignment), plans=plans, key=key)
    first, again, other = (_generated(r) for r in box.runs)
    assert all(np.array_equal(np.asarray(first[i][0]), np.asarray(again[i][0])) for i in first)  # a regrade
    assert any(not np.array_equal(np.asarray(first[i][0]), np.asarray(other[i][0])) for i in first)


@pytest.mark.parametrize("value", [-1, "many", 2.5, 10**9])
def test_variants_must_be_a_sensible_whole_number(tmp_path: Path, value):
    import shutil

    root = tmp_path / "assignments" / "demo"
    shutil.copytree(load_assignment("ift6135-h20-hw1").root, root)
    config = root / "assignment.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("\nquestions:", f"\nvariants: {value!r}\nquestions:", 1),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match="variants must be a whole number"):
        load_assignment(root)


def test_generate_takes_only_the_keys_it_knows(tmp_path: Path):
    path = tmp_path / "hidden.yaml"
    path.write_text("- {id: a, question: q1, points: 1, name: n, call: f,\n"
                    "   generate: {using: g, count: 3, seed: 4}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="generate takes using, count and draw, not seed"):
        load_checks(path, hidden=True, hidden_visibility="visible")


def test_a_call_asked_by_several_checks_is_made_once(sandbox):
    assignment = load_assignment("ift6135-devoir3")
    planned = [r.question for c in assignment.checks
               for r in Plans(assignment).get(c, draw_key(assignment.id, "spy", assignment.variants))[1]]
    assert len(planned) > len(set(planned)), "devoir3's checks do ask some calls twice"
    spy = _Spy(sandbox)
    results = grade(assignment, assignment.solution_file, sandbox=spy, key="spy")
    asked = [r.question for r in spy.requests]
    assert sorted(asked) == sorted(set(planned)), "each question (a read, a call on its arguments) asked once"
    assert results.score == results.max_score  # and every check that shares one got its answer


def test_a_shared_call_is_not_skipped_when_the_other_check_failed_first(sandbox, tmp_path: Path):
    from autograder.checks import Check

    base = load_assignment("ift6135-h20-hw1")
    question = next(q.id for q in base.questions if q.graded == "auto")
    first = Check(id="first", question=question, points=1, name="first", target="double", call=True, hidden=True,
                  cases=((-1.0,), (2.0,)), expect="value", expected_value=4.0)
    second = Check(id="second", question=question, points=1, name="second", target="double", call=True,
                   hidden=True, cases=((2.0,),), expect="value", expected_value=4.0)
    assignment = dataclasses.replace(base, checks=(first, second))
    spy = _Spy(sandbox)
    source = "def double(x):\n    if x < 0:\n        raise ValueError('negative')\n    return 2 * x\n"
    student = tmp_path / base.starter
    student.write_text(source, encoding="utf-8")
    results = grade(assignment, student, sandbox=spy, key="k")
    assert [r.call and r.args for r in spy.requests].count((2.0,)) == 1  # double(2.0) asked once
    by_id = {c.id: c for c in results.checks}
    assert not by_id["first"].passed and "negative" in by_id["first"].feedback
    assert by_id["second"].passed, by_id["second"].feedback  # not "skipped" because `first` failed


def _counting_references(monkeypatch) -> list:
    computed: list = []
    real = References._compute
    monkeypatch.setattr(References, "_compute", lambda self, check, args: computed.append(check.id) or real(self, check, args))
    monkeypatch.setattr("autograder.grading.check_hidden_unreadable", lambda *a: None)
    return computed


def test_prepared_sets_leave_nothing_to_compute_per_submission(monkeypatch):
    from autograder.grading import prepare

    assignment = load_assignment("ift6135-devoir3")
    plans, refs = Plans(assignment), References(assignment)
    computed = _counting_references(monkeypatch)
    keys = ["ana", "bo", "chloe", "dev"]
    prepare(assignment, plans, refs, keys)
    prepared = len(computed)
    assert prepared
    box = _Recorder()
    for key in keys:
        grade(assignment, assignment.solution_file, sandbox=box, references=refs, plans=plans, key=key)
    assert len(computed) == prepared
    # and every encoding the sandbox sends is made already
    asked = [r for run in box.runs for r in run]
    assert asked and [r.id for r in asked if "encoded" not in vars(r)] == []


def test_prepare_makes_only_the_sets_the_batch_uses(monkeypatch):
    from autograder.grading import prepare

    # 100000 sets: preparing them all would take hours
    assignment = dataclasses.replace(load_assignment("ift6135-devoir3"), variants=100_000)
    plans, refs = Plans(assignment), References(assignment)
    computed = _counting_references(monkeypatch)
    prepare(assignment, plans, refs, ["ana"])
    one = len(computed)
    prepare(assignment, plans, refs, ["ana"])
    assert len(computed) == one  # kept
    prepare(assignment, plans, refs, ["bo", "chloe"])
    assert one < len(computed) <= 3 * one


def test_a_judging_generator_is_made_only_for_a_helper_that_takes_one(monkeypatch):
    import inspect

    from autograder.checks import needs_rng

    assignment = load_assignment("ift6135-devoir3")
    properties = [c for c in assignment.checks if c.kind == "property"]
    takes = {c.id for c in properties
             if "rng" in inspect.signature(getattr(assignment.helpers, c.options["using"])).parameters}
    assert takes and len(takes) < len(properties), "devoir3 has both kinds of property helpers"
    assert {c.id for c in assignment.checks if needs_rng(c, assignment.helpers)} == takes
    made = []
    real = seed_for

    def spy(assignment_id, check_id, key):
        seed = real(assignment_id, check_id, key)
        if check_id.endswith("/judge"):  # the judging generator's seed (the others draw inputs)
            made.append((check_id, seed))
        return seed

    monkeypatch.setattr("autograder.grading.seed_for", spy)
    monkeypatch.setattr("autograder.grading.check_hidden_unreadable", lambda *a: None)
    plans, refs = Plans(assignment), References(assignment)
    for _ in range(2):
        grade(assignment, assignment.solution_file, sandbox=_Recorder(), references=refs, plans=plans, key="s1")
    assert len(made) == 2 * len(takes) and made[:len(takes)] == made[len(takes):]  # a regrade: the same draws


def _comparable(results):
    return [(c.id, c.score, c.passed, c.feedback) for c in results.checks], results.score, results.status


def test_a_batch_reuses_verdicts_only_for_the_same_answer_lines_and_grades_the_same(sandbox, monkeypatch):
    """devoir3's examples, all in one set of draws: judged once per distinct answer, and graded
    exactly as without the kept verdicts."""
    from autograder import grading
    from autograder.grading import Verdicts
    from autograder.validation import example_files

    assignment = load_assignment("ift6135-devoir3")
    keys = [k for k in (f"s{i}" for i in range(400)) if draw_key(assignment.id, k, 16) == draw_key(assignment.id, "s0", 16)]
    paths = [p for p, _ in example_files(assignment) if p.suffix == ".py"] + [assignment.solution_file]
    judged = []
    real = grading._judge_check
    monkeypatch.setattr(grading, "_judge_check", lambda check, *a, **k: judged.append(check.id) or real(check, *a, **k))
    plans, refs, verdicts = Plans(assignment), References(assignment), Verdicts()
    kept, counts = [], []
    for path, key in zip(paths, keys):
        before = len(judged)
        kept.append(grade(assignment, path, sandbox=sandbox, references=refs, plans=plans, key=key, verdicts=verdicts))
        counts.append(len(judged) - before)
    with_verdicts = len(judged)
    fresh = [grade(assignment, p, sandbox=sandbox, references=refs, plans=plans, key=k) for p, k in zip(paths, keys)]
    assert [_comparable(r) for r in kept] == [_comparable(r) for r in fresh]
    assert len(judged) - with_verdicts == len(paths) * len(assignment.checks)  # without: every check, every time
    # the solution, graded after "parfait" (right everywhere too), is judged only where its lines differ
    assert paths[-1] == assignment.solution_file and kept[-1].score == kept[-1].max_score
    assert counts[0] == len(assignment.checks) and counts[-1] < len(assignment.checks) / 4
    # a property whose helper draws numbers of its own is judged for each submission
    own_draws = [c.id for c in assignment.checks if grading.needs_rng(c, assignment.helpers)]
    assert own_draws and all(judged[:with_verdicts].count(c) == len(paths) for c in own_draws)


def test_no_verdict_is_kept_for_draws_of_one_submission_or_answers_the_sandbox_made_up(sandbox, monkeypatch):
    from autograder import grading
    from autograder.checks import draws_kept
    from autograder.grading import Verdicts
    from autograder.sandbox import Answer, Outcome

    assignment = load_assignment("ift6135-devoir3")
    generated = next(c for c in assignment.checks if c.generate and c.kind == "close")
    fixed = next(c for c in assignment.checks if not c.generate and c.call)
    verdicts = Verdicts()
    _, reqs = Plans(assignment).get(fixed, None)
    lines = Outcome(answers={r.id: Answer(value=1.0, wire=b'{"id": "%s", "value": 1.0}' % r.id.encode()) for r in reqs})
    made_up = Outcome(answers={r.id: Answer(error_type="timeout", error_message="10") for r in reqs})
    assert verdicts.key(fixed, "1.1", reqs, lines, "variant 1") is not None
    assert verdicts.key(fixed, "1.1", reqs, made_up, "variant 1") is None
    assert verdicts.key(fixed, "1.1", reqs, Outcome(answers={}), "variant 1") is None  # the run died
    assert not draws_kept(generated, 0) and draws_kept(generated, 16) and draws_kept(fixed, 0)
    # a fixed case's verdict does not depend on the set of draws; a generated one's does
    assert verdicts.key(fixed, "1.1", reqs, lines, "variant 1") == verdicts.key(fixed, "1.1", reqs, lines, "variant 2")
    small = Verdicts(limit=10)
    key = small.key(fixed, "1.1", reqs, lines, "variant 1")
    small.put(key, object())
    assert small.get(key) is None  # past its limit, nothing more is kept
    # variants: 0, the same submission twice: its generated checks are judged both times
    own = dataclasses.replace(assignment, variants=0)
    judged = []
    real = grading._judge_check
    monkeypatch.setattr(grading, "_judge_check", lambda check, *a, **k: judged.append(check.id) or real(check, *a, **k))
    plans, refs = Plans(own), References(own)
    for _ in range(2):
        grade(own, own.solution_file, sandbox=sandbox, references=refs, plans=plans, key="s1", verdicts=verdicts)
    assert all(judged.count(c.id) == 2 for c in own.checks if c.generate)
    assert all(judged.count(c.id) == 1 for c in own.checks if not c.generate and not grading.needs_rng(c, own.helpers))
