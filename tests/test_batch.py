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
from hostile import HOSTILE, REASONS  # tests/hostile.py: files a student could send

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
    assert by_id["9002"].status == "invalid" and "outside its folder" in by_id["9002"].causes[0]
    assert by_id["9003"].status == "invalid" and "symbolic link" in by_id["9003"].causes[0]
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

    def claim(self, channel, **kwargs):
        real_claim(self, channel, **kwargs)
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


# --- one file never aborts a class batch ---------------------------------------------------



def test_a_class_of_hostile_files_still_gets_its_gradebook_summary_and_report(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(EXAMPLES / "perfect.py", folder / "perfect.py")
    for make in HOSTILE.values():
        make(folder)
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "autograder", "grade", "ift6135-h20-hw1", str(folder), "--out", str(out),
                        "--jobs", "2", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, "each route is refused as such"
    rows = {row["submission_id"]: row for row in csv.DictReader((out / "grades.csv").open(encoding="utf-8"))}
    assert float(rows["perfect"]["auto_total"]) == 70 and rows["perfect"]["status"] == "graded"
    for trap in HOSTILE:
        assert rows[trap]["status"] == "invalid", trap
        note = json.loads((out / "results" / f"{trap}.json").read_text())["output"]
        assert REASONS[trap] in note, (trap, note)
    assert json.loads((out / "summary.json").read_text())["submissions"] == len(HOSTILE) + 1
    assert "notebook_nested_100k_dicts" in (out / "report.html").read_text(encoding="utf-8")


def test_a_grader_bug_on_one_submission_is_its_result_not_the_batchs(tmp_path, monkeypatch, capfd):
    from autograder import batch

    for name in ("alice", "bob"):
        shutil.copy(EXAMPLES / "perfect.py", tmp_path / f"{name}.py")
    real_grade = batch.grade

    def buggy(assignment, path, **kwargs):
        if Path(path).stem == "bob":
            raise RuntimeError("no such key \x1b]0;owned\x07\x1b[2J in the grader")
        return real_grade(assignment, path, **kwargs)

    monkeypatch.setattr(batch, "grade", buggy)
    out = tmp_path / "out"
    inputs = [tmp_path / "alice.py", tmp_path / "bob.py"]
    outcome = grade_batch(load_assignment("ift6135-h20-hw1"), inputs, out=out, jobs=1)
    by_id = {r.submission: r for r in outcome.results}
    assert by_id["alice"].score == 70
    assert by_id["bob"].status == "invalid" and by_id["bob"].causes[0].startswith(
        "internal error while grading this submission: RuntimeError: no such key")
    assert (out / "grades.csv").exists() and (out / "summary.json").exists() and (out / "report.html").exists()
    err = capfd.readouterr().err
    assert "Traceback" in err and "RuntimeError: no such key" in err and "\x1b" not in err and "\x07" not in err
    # fixed, the next run grades it again (and keeps alice's)
    monkeypatch.setattr(batch, "grade", real_grade)
    again = grade_batch(load_assignment("ift6135-h20-hw1"), inputs, out=out, jobs=1)
    assert (again.graded, again.reused) == (1, 1) and [r.score for r in again.results] == [70, 70]


def test_export_zip_entry_with_a_bad_crc_marks_that_submission_only(tmp_path):
    export = make_export(tmp_path / "src")
    archive = zip_export(export, tmp_path / "export.zip")
    data = bytearray(archive.read_bytes())
    entry = f"{export.name}/submission_9003/hw1.py".encode()
    at = data.find(entry)  # its name in its local header, followed by the extra field, then the data
    extra = int.from_bytes(data[at - 2:at], "little")
    data[at + len(entry) + extra] ^= 0x01  # the first stored byte (stored, not compressed): its CRC no longer matches
    archive.write_bytes(bytes(data))
    refs = {r.id: r for r in discover([archive], starter="hw1.py", unpack_to=tmp_path / "x")}
    assert "cannot be unpacked (BadZipFile: Bad CRC-32" in refs["9003"].problem
    assert refs["9000"].problem is None and refs["9000"].metadata["submitters"][0]["name"] == "Ada Exemple"


# --- submission_metadata.yml is trusted only where the TA put it ----------------------------

def _planted_metadata(key: str, *, name: str = "Alice Victime", sid: str = "20260001") -> str:
    return (f"{key!r}:\n  :submitters:\n  - :name: {name}\n    :sid: '{sid}'\n    :email: {sid}@example.org\n"
            f"  :created_at: 2020-01-01 00:00:00.000000000 -05:00\n")


@pytest.mark.parametrize("key", ["../alice", "ABSOLUTE"])
def test_metadata_planted_in_a_students_folder_of_a_class_folder_is_ignored(tmp_path, key, capfd):
    folder = tmp_path / "class"
    for name, example in (("alice", "perfect.py"), ("mallory", "starter.py")):
        (folder / name).mkdir(parents=True)
        shutil.copy(EXAMPLES / example, folder / name / "hw1.py")
    key = str(folder / "alice") if key == "ABSOLUTE" else key
    (folder / "mallory" / "submission_metadata.yml").write_text(_planted_metadata(key))
    refs = discover([folder], starter="hw1.py", unpack_to=tmp_path / "x")
    assert [(r.id, r.path, r.metadata) for r in refs] == [("alice", folder / "alice", {}),
                                                         ("mallory", folder / "mallory", {})]
    assert "mallory/submission_metadata.yml ignored" in capfd.readouterr().err


@pytest.mark.parametrize("top", ["", "mallory/"])
def test_metadata_at_the_top_of_a_students_own_zip_is_ignored(tmp_path, top, capfd):
    archive = tmp_path / "mallory.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(EXAMPLES / "starter.py", f"{top}hw1.py")
        z.writestr(f"{top}submission_metadata.yml", _planted_metadata("submission_1"))  # back-dated, Alice's name
        z.write(EXAMPLES / "perfect.py", f"{top}submission_1/hw1.py")
    refs = discover([archive], starter="hw1.py", unpack_to=tmp_path / "x")
    assert [(r.id, r.path, r.metadata) for r in refs] == [("mallory", archive, {})]
    assert "submission_metadata.yml is ignored" in capfd.readouterr().err


def test_export_key_that_leaves_the_export_is_refused_never_another_students_work(tmp_path):
    export = make_export(tmp_path / "src")
    alice = tmp_path / "src" / "alice"
    alice.mkdir()
    shutil.copy(EXAMPLES / "perfect.py", alice / "hw1.py")
    (export / "submission_9999").symlink_to(alice)
    metadata = export / "submission_metadata.yml"
    metadata.write_text(metadata.read_text() + "".join(_planted_metadata(key, name="Mallory Pirate") for key in (
        "../alice", str(alice), "submission_9000/../../alice", "submission_9999", "submission_metadata.yml")))
    refs = discover([export], starter="hw1.py", unpack_to=tmp_path / "x")
    honest = [r for r in refs if not r.id.startswith("refused")]
    refused = [r for r in refs if r.id.startswith("refused")]
    assert [r.id for r in honest] == [str(9000 + i) for i in range(6)], "every student is still there, once"
    assert honest[1].metadata["submitters"][1]["name"] == "Gus Groupe" and honest[0].problem is None
    assert honest[0].metadata["created_at"].startswith("2026-02-04T22:10:00")
    assert len(refused) == 5 and len({r.id for r in refs}) == len(refs)
    for ref in refused:
        assert ref.problem.startswith("submission_metadata.yml: key ") and " refused: " in ref.problem
        assert ref.metadata == {} and alice not in (ref.path, ref.path.resolve())
    assert not any("Mallory" in json.dumps(r.metadata) for r in refs)


def test_yaml_alias_bomb_in_export_metadata_is_one_clear_line(tmp_path):
    export = make_export(tmp_path)
    # a small one (9**5 submitters): the 477-byte original grows past 10 GB
    bomb = "a: &a [{':name': x}, {':name': x}, {':name': x}, {':name': x}, {':name': x}, {':name': x}, " \
           "{':name': x}, {':name': x}, {':name': x}]\n"
    for level, (name, below) in enumerate(zip("bcde", "abcd")):
        bomb += f"{name}: &{name} [{', '.join(['*' + below] * 9)}]\n"
    bomb += "submission_9000:\n  :submitters: *e\n"
    (export / "submission_metadata.yml").write_text(bomb)
    r = subprocess.run([sys.executable, "-m", "autograder", "grade", "ift6135-h20-hw1", str(export),
                        "--out", str(tmp_path / "out"), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "submission_metadata.yml: refused: YAML aliases (*name) are not accepted here (line 2" in r.stderr


def test_export_metadata_larger_than_its_cap_is_one_clear_line(tmp_path, monkeypatch):
    from autograder import inputs
    from autograder.errors import UsageError

    export = make_export(tmp_path)
    monkeypatch.setattr(inputs, "MAX_METADATA_BYTES", 1000)
    with pytest.raises(UsageError, match=r"submission_metadata.yml: \d+ bytes, more than the 1000 an export's"):
        discover([export], starter="hw1.py", unpack_to=tmp_path / "x")


def test_a_file_name_of_253_bytes_is_graded_not_a_crash(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    long = folder / ("é" * 125 + ".py")  # 253 bytes: its result's file name would be 257
    shutil.copy(EXAMPLES / "perfect.py", long)
    shutil.copy(EXAMPLES / "perfect.py", folder / "bob.py")
    outcome = grade_batch(load_assignment("ift6135-h20-hw1"), [folder], out=tmp_path / "out", jobs=1)
    assert [r.score for r in outcome.results] == [70, 70]
    assert all(len(r.submission.encode()) <= 100 for r in outcome.results)


def test_lone_surrogate_in_a_students_exception_and_output_is_graded_not_a_crash(tmp_path):
    student = tmp_path / "hw1.py"
    student.write_text('def softmax(x, axis=-1):\n    raise ValueError("bad \\ud800 text")\n\nprint("\\udcff out")\n')
    out = tmp_path / "out"
    outcome = grade_batch(load_assignment("ift6135-h20-hw1"), [student], out=out, jobs=1)
    assert outcome.results[0].status == "graded"
    data = json.loads((out / "results" / "hw1.json").read_text(encoding="utf-8"))
    assert any("raised ValueError: bad ? text" in t["output"] for t in data["tests"])
    assert (out / "grades.csv").exists() and (out / "summary.json").exists() and (out / "report.html").exists()


# --------------------------------------------------------------------------- user mode, side by side

def test_user_mode_jobs_side_by_side_run_as_different_uids_and_cannot_kill_each_other(tmp_path):
    """Gradescope's mode, two jobs at once (no namespaces): a submission that kill(-1)s its uid
    over and over, and one that is honest but slow. Each job runs as a uid of its own, so the
    honest one keeps its full marks (it used to be 'killed by signal 9')."""
    if os.geteuid() != 0:
        pytest.skip("the user mode needs root")
    from autograder.errors import SandboxError
    from autograder.sandbox import _pool_users, detect_isolation

    if len(_pool_users()) < 2:
        pytest.skip("setup.sh makes the pool of sandbox users")
    try:
        detect_isolation("user")
    except SandboxError as e:
        pytest.skip(f"user mode unavailable here: {e}")
    # as on Gradescope: hidden checks and the solution closed to the sandbox users
    for part in ("assignments", "solutions"):
        shutil.copytree(ROOT / part / "td-gradients", tmp_path / "course" / part / "td-gradients")
    subprocess.run(["chmod", "-R", "go-rwx", str(tmp_path / "course")], check=True)
    assignment = load_assignment(tmp_path / "course" / "assignments" / "td-gradients")
    solution = assignment.solution_file.read_text()
    # the honest ones sleep in every call of every check a little: they are still running while the
    # hostile one, beside them, kills everything its uid can reach
    slow = solution.replace("import numpy as np", "import numpy as np\nimport time\ntime.sleep(1.5)", 1)
    assert slow != solution
    hostile = ("import os, signal, time, json\nuids = []\n"
               "for _ in range(3000):\n    try:\n        os.kill(-1, signal.SIGKILL)\n    except OSError:\n        pass\n"
               "    time.sleep(0.001)\n")
    (tmp_path / "in").mkdir()
    for i in range(3):
        (tmp_path / "in" / f"honest{i}.py").write_text(slow)
    (tmp_path / "in" / "killer.py").write_text(hostile)
    outcome = grade_batch(assignment, [tmp_path / "in"], out=tmp_path / "out", jobs=2, isolation="user")
    scores = {r.submission: r.score for r in outcome.results}
    assert all(scores[f"honest{i}"] == assignment.auto_points for i in range(3)), scores
    assert scores["killer"] == 0


def test_the_progress_rate_is_the_average_since_the_start_not_a_burst():
    from autograder.batch import _rate_text

    # two results arriving in the same millisecond at the start are not 5000 a second
    assert _rate_text(2, 30, 0.0004) == "-/s  ETA -:--:--"
    assert _rate_text(0, 30, 60.0) == "-/s  ETA -:--:--"
    assert _rate_text(10, 100, 4.0) == "2.5/s  ETA 0:00:36"
    assert _rate_text(30, 500, 600.0) == "0.1/s  ETA 2:36:40"


def test_a_loose_files_original_name_is_kept_in_the_gradebook(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "late").mkdir()
    shutil.copy(EXAMPLES / "perfect.py", tmp_path / "class" / "Ada Lovelace - hw1 (2).py")
    shutil.copy(EXAMPLES / "broken.py", tmp_path / "class" / "alice.py")
    shutil.copy(EXAMPLES / "starter.py", tmp_path / "late" / "alice.py")
    inputs = [tmp_path / "class", tmp_path / "late" / "alice.py"]
    grade_batch(load_assignment("ift6135-h20-hw1"), inputs, out=tmp_path / "out", jobs=1)
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open(encoding="utf-8")))
    assert [(row["submission_id"], row["file"]) for row in rows] == [
        ("Ada_Lovelace_-_hw1_2_", str(tmp_path / "class" / "Ada Lovelace - hw1 (2).py")),
        ("alice", str(tmp_path / "class" / "alice.py")),
        ("alice-2", str(tmp_path / "late" / "alice.py"))]
    record = json.loads((tmp_path / "out" / "results" / "alice-2.json").read_text())["extra_data"]["record"]
    assert record["metadata"]["file"] == str(tmp_path / "late" / "alice.py"), "kept with the result"


def test_an_export_zips_submission_is_named_by_the_zip_and_its_folder(tmp_path):
    archive = zip_export(make_export(tmp_path / "src"), tmp_path / "export.zip")
    outcome = grade_batch(load_assignment("ift6135-h20-hw1"), [archive], out=tmp_path / "out", jobs=2)
    assert outcome.results[0].metadata["file"] == "export/assignment_424242_export/submission_9000"


def test_an_output_folder_that_cannot_be_written_is_one_clear_error(tmp_path):
    from autograder.errors import UsageError

    (tmp_path / "a-file").write_text("x")
    with pytest.raises(UsageError, match=r"cannot write to the output folder .*: .*a-file is a file, not a folder"):
        grade_batch(load_assignment("ift6135-h20-hw1"), [EXAMPLES / "perfect.py"], out=tmp_path / "a-file" / "out")


def test_the_output_folder_inside_the_class_folder_is_never_graded(tmp_path):
    """`grade hw class/ --out class/grades`: a second run must not grade its own output folder."""
    assignment = load_assignment("ift6135-h20-hw1")
    shutil.copy(EXAMPLES / "perfect.py", tmp_path / "alice.py")
    shutil.copy(EXAMPLES / "handout_answers.py", tmp_path / "bob.py")
    for _ in range(2):
        outcome = grade_batch(assignment, [tmp_path], out=tmp_path / "grades", jobs=1, force=True)
        assert sorted(r.submission for r in outcome.results) == ["alice", "bob"]
