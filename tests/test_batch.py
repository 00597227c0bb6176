"""TA batch grading: Gradescope exports, parallel, resumable, gradebook and regrade diff."""

from __future__ import annotations

import csv
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.assignment import load_assignment
from autograder.batch import grade_batch
from autograder.inputs import discover

ROOT = Path(__file__).resolve().parent.parent
H20 = ROOT / "assignments" / "ift6135-h20-hw1"
EXAMPLES = H20 / "examples"
FAKE_PEOPLE = [("Ada Exemple", "20260001"), ("Blaise Test", "20260002"), ("Cora Fictive", "20260003"),
               ("Dana Imaginaire", "20260004"), ("Émile Fauxnom", "20260005"), ("Flora Inventée", "20260006")]


def make_export(folder: Path, *, hostile_entries: bool = False) -> Path:
    """A Gradescope "Export Submissions" folder of fake students (generated, nobody real)."""
    export = folder / "assignment_424242_export"
    export.mkdir(parents=True)
    plan = [("perfect.py", "hw1.py"), ("handout_answers.py", "hw1.py"), ("broken.py", "hw1.py"),
            ("conv_mistakes.py", "hw1.py"), ("perfect.py", "notebook"), ("starter.py", "hw1.py")]
    lines = []
    for i, ((example, as_name), (name, sid)) in enumerate(zip(plan, FAKE_PEOPLE)):
        sub_id = 9000 + i
        sub = export / f"submission_{sub_id}"
        sub.mkdir()
        text = (EXAMPLES / example).read_text()
        if as_name == "notebook":
            cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
                     for c in text.split("\n\n") if c.strip()]
            (sub / "hw1.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                       "cells": cells}))
        else:
            (sub / as_name).write_text(text)
        (sub / "notes.txt").write_text("extra file the student uploaded")
        submitters = [f"  - :name: {name}\n    :sid: '{sid}'\n    :email: {sid}@example.org\n"]
        if i == 1:  # a group submission
            submitters.append("  - :name: Gus Groupe\n    :sid: '20269999'\n    :email: 20269999@example.org\n")
        lines.append(f"submission_{sub_id}:\n  :submitters:\n{''.join(submitters)}"
                     f"  :created_at: 2026-02-0{4 + (i % 3)} 22:{10 + i}:00.000000000 -05:00\n"
                     f"  :score: 0.0\n  :status: processed\n")
    (export / "submission_metadata.yml").write_text("".join(lines))
    return export


def zip_export(export: Path, dest: Path, *, hostile: bool = False) -> Path:
    with zipfile.ZipFile(dest, "w") as z:
        for path in sorted(export.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(export.parent).as_posix())
        if hostile:
            z.writestr(f"{export.name}/submission_9002/../../../escaped.py", "X = 1\n")
            link = zipfile.ZipInfo(f"{export.name}/submission_9003/link.py")
            link.external_attr = 0o120777 << 16
            z.writestr(link, "/etc/passwd")
    return dest


def test_discover_reads_gradescope_metadata(tmp_path):
    export = make_export(tmp_path)
    refs = discover([export], starter="hw1.py", unpack_to=tmp_path / "x")
    assert [r.id for r in refs] == [str(9000 + i) for i in range(6)]
    group = refs[1].metadata["submitters"]
    assert [p["name"] for p in group] == ["Blaise Test", "Gus Groupe"]
    assert group[0]["sid"] == "20260002" and group[0]["email"] == "20260002@example.org"
    assert refs[0].metadata["created_at"].startswith("2026-02-04T22:10:00")


@pytest.mark.parametrize("metadata, said", [
    ("submission_1: [unclosed\n", "not valid YAML"),
    ("- just\n- a list\n", "expected submission folders as keys, found a list"),
    (b"\xff\xfe:", "not valid YAML"),
])
def test_a_broken_metadata_file_is_one_clear_line(tmp_path, metadata, said):
    export = make_export(tmp_path)
    target = export / "submission_metadata.yml"
    target.write_bytes(metadata if isinstance(metadata, bytes) else metadata.encode())
    r = subprocess.run([sys.executable, "-m", "autograder", "grade", "ift6135-h20-hw1", str(export),
                        "--out", str(tmp_path / "out"), "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and said in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_export_zip_with_hostile_entries_reports_those_submissions_only(tmp_path, sandbox):
    export = make_export(tmp_path / "src")
    archive = zip_export(export, tmp_path / "export.zip", hostile=True)
    out = tmp_path / "out"
    outcome = grade_batch(load_assignment("ift6135-h20-hw1"), [archive], out=out, jobs=1)
    by_id = {r.submission: r for r in outcome.results}
    assert not (tmp_path / "escaped.py").exists() and not (out / "escaped.py").exists()
    assert by_id["9002"].status == "invalid" and "outside its folder" in by_id["9002"].notes[0]
    assert by_id["9003"].status == "invalid" and "symbolic link" in by_id["9003"].notes[0]
    assert by_id["9000"].score == 70 and by_id["9004"].score == 70, "the others are graded as usual"


def test_gradebook_columns_and_lateness(tmp_path):
    export = make_export(tmp_path / "src")
    out = tmp_path / "out"
    outcome = grade_batch(load_assignment("ift6135-h20-hw1"), [export], out=out, jobs=2,
                          due=__import__("datetime").datetime.fromisoformat("2026-02-05T00:00:00-05:00"),
                          formats=("xlsx", "parquet"))
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    header = list(rows[0])
    assert header[:7] == ["submission_id", "names", "student_ids", "emails", "submitted_at", "hours_late", "late"]
    assert header[-4:] == ["auto_total", "auto_max", "hand_max", "status"]
    assert "q5" in header and "q1.1 (hand)" in header and all(r["q1.1 (hand)"] == "" for r in rows)
    by_id = {r["submission_id"]: r for r in rows}
    assert by_id["9001"]["names"] == "Blaise Test; Gus Groupe"
    assert by_id["9000"]["late"] == "False" and by_id["9001"]["late"] == "True"
    assert float(by_id["9001"]["hours_late"]) == pytest.approx(22 + 11 / 60, abs=0.01)
    assert float(by_id["9004"]["auto_total"]) == 70, "a notebook among .py files"
    assert by_id["9002"]["status"] == "error"
    assert (out / "grades.xlsx").exists() and (out / "grades.parquet").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submissions"] == 6
    assert (out / "report.html").read_text(encoding="utf-8").count("<img") >= 2
    assert outcome.graded == 6 and outcome.reused == 0


def test_mixed_inputs_and_stable_ids(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(EXAMPLES / "perfect.py", folder / "alice.py")
    shutil.copy(EXAMPLES / "broken.py", folder / "bob.py")
    (folder / "carol").mkdir()
    shutil.copy(EXAMPLES / "handout_answers.py", folder / "carol" / "hw1.py")
    with zipfile.ZipFile(tmp_path / "dave.zip", "w") as z:
        z.write(EXAMPLES / "conv_mistakes.py", "dave/hw1.py")
    single = tmp_path / "alice.py"
    shutil.copy(EXAMPLES / "starter.py", single)
    refs = discover([folder, tmp_path / "dave.zip", single], starter="hw1.py", unpack_to=tmp_path / "x")
    assert [r.id for r in refs] == ["alice", "bob", "carol", "dave", "alice-2"]
    outcome = grade_batch(load_assignment("ift6135-h20-hw1"), [folder, tmp_path / "dave.zip", single],
                          out=tmp_path / "out", jobs=2)
    assert [r.score for r in outcome.results] == [70, 0, 64, 52, 0]


def _cli_grade(inputs, out, *extra):
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", "ift6135-h20-hw1", *map(str, inputs),
                             "--out", str(out), "--quiet", *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _scores(out: Path) -> dict[str, tuple]:
    return {row["submission_id"]: (row["auto_total"], row["status"])
            for row in csv.DictReader((out / "grades.csv").open(encoding="utf-8"))}


def test_killed_half_way_then_resumed_equals_uninterrupted(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    names = ["perfect", "handout_answers", "conv_mistakes", "broken", "starter"]
    for i in range(30):
        shutil.copy(EXAMPLES / f"{names[i % 5]}.py", folder / f"s{i:02d}.py")
    reference = tmp_path / "uninterrupted"
    assert _cli_grade([folder], reference, "--jobs", "2").wait(timeout=600) == 0
    out = tmp_path / "interrupted"
    proc = _cli_grade([folder], out, "--jobs", "2")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 8:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # power loss: no cleanup of any kind
    proc.wait()
    done_before = len(list((out / "results").glob("*.json")))
    assert 0 < done_before < 30, "killed half-way"
    for path in (out / "results").glob("*.json"):
        json.loads(path.read_text())  # every result file that exists is complete
    resumed = _cli_grade([folder], out, "--jobs", "2")
    assert resumed.wait(timeout=600) == 0, resumed.stderr.read()
    assert _scores(out) == _scores(reference)
    again = subprocess.run([sys.executable, "-m", "autograder", "grade", "ift6135-h20-hw1", str(folder), "--out",
                            str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "graded 0, kept 30" in again.stdout


def test_regrade_after_a_check_changed_writes_a_diff(tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(H20, work / "assignments" / "ift6135-h20-hw1")
    shutil.copytree(ROOT / "solutions" / "ift6135-h20-hw1", work / "solutions" / "ift6135-h20-hw1")
    assignment_dir = work / "assignments" / "ift6135-h20-hw1"
    subs = [EXAMPLES / "handout_answers.py", EXAMPLES / "perfect.py"]
    out = tmp_path / "out"
    first = grade_batch(load_assignment(assignment_dir), subs, out=out, jobs=1)
    assert [r.score for r in first.results] == [64, 70]
    # the course fixes a check: the naive softmax is now accepted on large inputs
    hidden = assignment_dir / "checks" / "hidden.yaml"
    hidden.write_text(hidden.read_text().replace("cases: [[[1000.0, 1001.0, 1002.0]], [[-1000.0, -1000.5]], "
                                                 "[[800.0, 0.0, -800.0]]]", "cases: [[[1.0, 2.0, 3.0]]]"))
    second = grade_batch(load_assignment(assignment_dir), subs, out=out, jobs=1)
    assert second.graded == 2 and second.reused == 0, "results from other checks are stale"
    assert second.changes == [("handout_answers", "q2.1", 1.0, 2.0)]
    rows = list(csv.DictReader((out / "regrade_diff.csv").open()))
    assert rows == [{"submission_id": "handout_answers", "names": "", "question": "q2.1", "old": "1.0",
                     "new": "2.0", "change": "1.0"}]
    third = grade_batch(load_assignment(assignment_dir), subs, out=out, jobs=1, force=True)
    assert third.graded == 2 and third.changes == []


def test_unknown_format_is_a_usage_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "autograder", "grade", "ift6135-h20-hw1", str(EXAMPLES / "perfect.py"),
                        "--out", str(tmp_path), "--format", "docx"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "invalid choice: 'docx'" in r.stderr


def test_grading_processes_share_the_sandbox_servers_one_channel_each(tmp_path, monkeypatch):
    from autograder import batch

    assignment = load_assignment("td-gradients")
    for i in range(8):
        shutil.copy(assignment.solution_file, tmp_path / f"student{i}.py")
    log = tmp_path / "claims.txt"
    real_claim = batch._Worker.claim

    def claim(self, channel):
        real_claim(self, channel)
        shared = self.sandbox._pools["light"]._server is not None
        with open(log, "a") as f:  # written by each forked grading process
            f.write(f"{channel} {shared} {gc.get_freeze_count() > 0}\n")

    monkeypatch.setattr(batch._Worker, "claim", claim)
    outcome = grade_batch(assignment, [tmp_path], out=tmp_path / "out", jobs=2)
    assert all(r.score == r.max_score for r in outcome.results)
    claims = [line.split() for line in log.read_text().splitlines()]
    if not claims or claims[0][1] == "False":
        pytest.skip("this kernel refuses a PID namespace per channel: each process has its own sandbox")
    # every process got a channel of its own on the servers the parent started: none started its own
    assert sorted(int(c) for c, _, _ in claims) == list(range(batch.SUBMISSIONS_PER_JOB * 2))
    assert all(shared == "True" for _, shared, _ in claims)
    # what they inherited is out of their collector's sight (no full collection copies it), and
    # the parent's heap is back in it once the batch is over
    assert all(frozen == "True" for _, _, frozen in claims)
    assert gc.get_freeze_count() == 0
