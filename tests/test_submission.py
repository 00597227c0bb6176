"""Loading submissions: every bad input is one clear SubmissionError, never a traceback."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from autograder.errors import SubmissionError
from autograder.submission import load_submission
from hostile import HOSTILE, REASONS  # tests/hostile.py: files a student could send


def test_py_file(tmp_path):
    p = tmp_path / "alice.py"
    p.write_text("X = 1\n")
    sub = load_submission(p, starter="hw1.py")
    assert sub.key == "alice" and sub.main == "alice.py" and sub.chunks == ("X = 1\n",)


def test_zip_picks_the_starter_name_and_keeps_helper_modules(tmp_path):
    z = tmp_path / "bob.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("bob/hw1.py", "from util import Y\nX = Y\n")
        f.writestr("bob/util.py", "Y = 2\n")
        f.writestr("bob/other/notes.py", "Z = 3\n")
        f.writestr("__MACOSX/bob/._hw1.py", "junk")
    sub = load_submission(z, starter="hw1.py")
    assert sub.main == "hw1.py" and set(sub.files) == {"hw1.py", "util.py"}


def test_zip_entry_outside_its_folder_is_refused(tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("../../etc/cron.d/x.py", "X = 1\n")
    with pytest.raises(SubmissionError, match="outside the submission"):
        load_submission(z, starter="hw1.py")


def test_zip_symlink_is_refused(tmp_path):
    z = tmp_path / "link.zip"
    info = zipfile.ZipInfo("hw1.py")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(z, "w") as f:
        f.writestr(info, "/etc/passwd")
    with pytest.raises(SubmissionError, match="symbolic link"):
        load_submission(z, starter="hw1.py")


def test_zip_bomb_is_refused(tmp_path):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as f:
        f.writestr("hw1.py", "#" * (60 * 1024 * 1024))
    with pytest.raises(SubmissionError, match="too much data"):
        load_submission(z, starter="hw1.py")


def test_not_a_zip(tmp_path):
    z = tmp_path / "fake.zip"
    z.write_bytes(b"not a zip at all")
    with pytest.raises(SubmissionError, match="not a readable zip"):
        load_submission(z, starter="hw1.py")


def test_symlinked_file_is_refused(tmp_path):
    (tmp_path / "real.py").write_text("X = 1\n")
    os.symlink(tmp_path / "real.py", tmp_path / "hw1.py")
    with pytest.raises(SubmissionError, match="symbolic link"):
        load_submission(tmp_path / "hw1.py", starter="hw1.py")


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    p = tmp_path / "hw1.py"
    p.write_text("X = 1\n")
    p.chmod(0)
    with pytest.raises(SubmissionError, match="cannot be read"):
        load_submission(p, starter="hw1.py")


def test_wrong_suffix(tmp_path):
    p = tmp_path / "hw1.txt"
    p.write_text("X = 1\n")
    with pytest.raises(SubmissionError, match="expected a .py, .ipynb or .zip"):
        load_submission(p, starter="hw1.py")


def test_not_utf8(tmp_path):
    p = tmp_path / "hw1.py"
    p.write_bytes(b"X = '\xff\xfe'\n")
    with pytest.raises(SubmissionError, match="not UTF-8"):
        load_submission(p, starter="hw1.py")


def test_folder_with_two_candidates_is_ambiguous(tmp_path):
    (tmp_path / "a.py").write_text("X = 1\n")
    (tmp_path / "b.py").write_text("X = 2\n")
    with pytest.raises(SubmissionError, match="cannot tell which file"):
        load_submission(tmp_path, starter="hw1.py")


def _notebook(*cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": t, "source": s, "metadata": {}, **({"outputs": [], "execution_count": None}
                                                                          if t == "code" else {})}
                      for t, s in cells]}


def test_notebook_cells_and_magics(tmp_path):
    p = tmp_path / "hw1.ipynb"
    p.write_text(json.dumps(_notebook(("markdown", "# Q1"), ("code", "%matplotlib inline\nX = 1\n!pip install foo"),
                                      ("code", "%%bash\necho hi"), ("code", ["Y = X + 1\n", "Y"]))))
    sub = load_submission(p, starter="hw1.py")
    assert sub.main == "hw1.py"
    assert len(sub.chunks) == 2
    assert "pass  # dropped: %matplotlib inline" in sub.chunks[0]
    assert any(n.key == "note_cell_magic" and n.params["magic"] == "%%bash" for n in sub.notes)


def test_check_calls_are_dropped_silently(tmp_path):
    """The starter notebook's own check cell, and a student's extra check("q5") calls: replaced by
    pass (in the grader they could only fail), with no note to the student."""
    p = tmp_path / "hw1.ipynb"
    p.write_text(json.dumps(_notebook(("code", "X = 1\ncheck('q1')"), ("code", "import autograder\nr = check()"),
                                      ("code", "from autograder import check\ncheck()"))))
    sub = load_submission(p, starter="hw1.py")
    assert sub.notes == ()
    assert sub.chunks[0].splitlines() == ["X = 1", "pass  # dropped: check('q1')"]
    assert all(line.startswith("pass  # dropped") for chunk in sub.chunks[1:] for line in chunk.splitlines())


@pytest.mark.parametrize("content, match", [
    ("{not json", "invalid JSON"),
    ('{"hello": 1}', "not a Jupyter notebook"),
    ('{"nbformat": 3, "cells": []}', "not supported"),
])
def test_broken_notebooks(tmp_path, content, match):
    p = tmp_path / "hw1.ipynb"
    p.write_text(content)
    with pytest.raises(SubmissionError, match=match):
        load_submission(p, starter="hw1.py")


# --- hostile files: every failure to parse one is that submission's SubmissionError ----------


#: refused before as well; they stay in the batch test, beside the others
_REFUSED_BEFORE = {"notebook_top_level_is_a_list", "notebook_cells_is_a_dict", "notebook_invalid_utf8",
                   "zip_directories_only"}


@pytest.mark.parametrize("trap", [name for name in HOSTILE if name not in _REFUSED_BEFORE])
def test_hostile_file_is_one_line_submission_error_not_a_crash(tmp_path, trap):
    path = HOSTILE[trap](tmp_path)
    with pytest.raises(SubmissionError) as caught:
        load_submission(path, starter="hw1.py")
    text = str(caught.value)
    assert REASONS[trap] in text and "\n" not in text
    assert caught.value.message is not None, "rendered in the assignment's language"


def test_notebook_nested_100k_levels_is_invalid_not_a_crash(tmp_path):
    for trap in ("notebook_nested_100k_lists", "notebook_nested_100k_dicts"):
        with pytest.raises(SubmissionError, match="nested too deeply"):
            load_submission(HOSTILE[trap](tmp_path), starter="hw1.py")


def test_zip_entry_with_a_bad_crc_is_invalid_not_a_crash(tmp_path):
    with pytest.raises(SubmissionError, match="Bad CRC-32"):
        load_submission(HOSTILE["zip_bad_crc"](tmp_path), starter="hw1.py")


def test_hostile_notebook_reason_is_in_french_for_a_french_assignment(tmp_path):
    from autograder.messages import render

    with pytest.raises(SubmissionError) as caught:
        load_submission(HOSTILE["notebook_nested_100k_dicts"](tmp_path), starter="hw1.py")
    assert render(caught.value.message, "fr").endswith("notebook invalide (imbrication trop profonde)")


def test_zip_with_20k_entries_is_refused_before_its_directory_is_parsed(tmp_path, monkeypatch):
    from autograder import submission

    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(20_000):
            z.writestr(zipfile.ZipInfo(f"{i:x}"), b"")

    def parse(*args, **kwargs):
        raise AssertionError("the whole central directory was parsed")

    monkeypatch.setattr(submission.zipfile, "ZipFile", parse)
    with pytest.raises(SubmissionError, match="20000 entries, more than the 500 allowed"):
        load_submission(path, starter="hw1.py")


def test_folder_of_600_files_is_refused_not_read_whole(tmp_path):
    (tmp_path / "hw1.py").write_text("X = 1\n")
    for i in range(600):
        (tmp_path / f"helper{i}.py").write_text("Y = 2\n")
    with pytest.raises(SubmissionError, match="more than 500 files in the folder"):
        load_submission(tmp_path, starter="hw1.py")


def test_fifo_named_hw1_py_is_refused_not_read_forever(tmp_path):
    import threading

    fifo = tmp_path / "hw1.py"
    os.mkfifo(fifo)
    outcome = []

    def load():
        try:
            load_submission(fifo, starter="hw1.py")
        except SubmissionError as e:
            outcome.append(str(e))

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # blocked opening the FIFO: let it go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
        pytest.fail("the grader blocked reading a FIFO")
    assert outcome == ["hw1.py: not a regular file"]
