"""Hostile submissions, made on the spot: each writes one file a student could send, named after
its trap, that broke (or would break) the grader's parsing of submissions.

``HOSTILE[name](folder) -> path``; ``REASONS[name]`` is what its one-line refusal says.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path
from typing import Callable

NESTING = 100_000


def _notebook(cells: object, **top: object) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells, **top})


def _code_cell(source: object, **extra: object) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source, **extra}


def _write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _zip(folder: Path, name: str, entries: list[tuple[str | zipfile.ZipInfo, bytes]], *,
         compression: int = zipfile.ZIP_STORED) -> Path:
    path = folder / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that is the point
        with zipfile.ZipFile(path, "w", compression=compression) as z:
            for entry, data in entries:
                z.writestr(entry, data)
    return path


def _patch(path: Path, edit: Callable[[bytearray], None]) -> Path:
    data = bytearray(path.read_bytes())
    edit(data)
    path.write_bytes(bytes(data))
    return path


def _local_data(data: bytearray) -> int:
    """Where the first entry's data starts (after its local header, name and extra field)."""
    start = data.find(b"PK\x03\x04")
    name_length = int.from_bytes(data[start + 26:start + 28], "little")
    extra_length = int.from_bytes(data[start + 28:start + 30], "little")
    return start + 30 + name_length + extra_length


def zip_bad_crc(folder: Path) -> Path:
    path = _zip(folder, "zip_bad_crc.zip", [("hw1.py", b"X = 1\n" * 100)])

    def flip(data: bytearray) -> None:
        data[_local_data(data)] ^= 0x01  # the stored bytes change, their CRC does not

    return _patch(path, flip)


def _method(method: int, flag: int = 0) -> Callable[[bytearray], None]:
    def edit(data: bytearray) -> None:
        local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
        data[local + 8] = data[central + 10] = method
        data[local + 6] |= flag
        data[central + 8] |= flag
    return edit


def zip_deflate64_entry(folder: Path) -> Path:
    """Compression method 9 (Deflate64): zipfile raises NotImplementedError."""
    return _patch(_zip(folder, "zip_deflate64_entry.zip", [("hw1.py", b"X = 1\n")]), _method(9))


def zip_encrypted_entry(folder: Path) -> Path:
    """The encryption flag set: zipfile raises RuntimeError (a password is required)."""
    return _patch(_zip(folder, "zip_encrypted_entry.zip", [("hw1.py", b"X = 1\n")]), _method(0, flag=1))


def _corrupt(name: str, compression: int) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = _zip(folder, name, [("hw1.py", b"X = 1\n" * 1000)], compression=compression)

        def scramble(data: bytearray) -> None:
            at = _local_data(data) + 4
            data[at:at + 16] = bytes(b ^ 0xFF for b in data[at:at + 16])

        return _patch(path, scramble)
    return make


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "notebook_source_is_a_number": lambda f: _write(f, "notebook_source_is_a_number.ipynb", _notebook([_code_cell(5)])),
    "notebook_source_is_a_dict": lambda f: _write(f, "notebook_source_is_a_dict.ipynb",
                                                  _notebook([_code_cell({"a": "import os"})])),
    "notebook_source_is_a_list_of_numbers": lambda f: _write(f, "notebook_source_is_a_list_of_numbers.ipynb",
                                                             _notebook([_code_cell([1, 2])])),
    "notebook_nested_100k_lists": lambda f: _write(f, "notebook_nested_100k_lists.ipynb",
                                                   "[" * NESTING + "]" * NESTING),
    "notebook_nested_100k_dicts": lambda f: _write(f, "notebook_nested_100k_dicts.ipynb",
                                                   '{"a":' * NESTING + "1" + "}" * NESTING),
    "notebook_outputs_nested_5000_deep": lambda f: _write(
        f, "notebook_outputs_nested_5000_deep.ipynb",
        _notebook([_code_cell("X = 1\n", outputs="DEEP")]).replace('"DEEP"', "[" * 5000 + "]" * 5000)),
    "notebook_top_level_is_a_list": lambda f: _write(f, "notebook_top_level_is_a_list.ipynb", "[1, 2]"),
    "notebook_cells_is_a_dict": lambda f: _write(f, "notebook_cells_is_a_dict.ipynb", _notebook({"a": 1})),
    "notebook_cell_is_a_number": lambda f: _write(f, "notebook_cell_is_a_number.ipynb", _notebook([1, "x"])),
    "notebook_invalid_utf8": lambda f: _write(f, "notebook_invalid_utf8.ipynb", b'{"nbformat": 4, "\xff\xfe": 1}'),
    "notebook_lone_surrogate": lambda f: _write(f, "notebook_lone_surrogate.ipynb",
                                                _notebook([_code_cell("X = 1\n")]).replace("X = 1", "X = '\\ud800'")),
    "notebook_nul_in_source": lambda f: _write(f, "notebook_nul_in_source.ipynb", _notebook([_code_cell("X = 1\x00\n")])),
    "source_with_nul_bytes": lambda f: _write(f, "source_with_nul_bytes.py", b"X = 1\x00\n"),
    "zip_bad_crc": zip_bad_crc,
    "zip_directories_only": lambda f: _zip(f, "zip_directories_only.zip", [(zipfile.ZipInfo("a/"), b""),
                                                                           (zipfile.ZipInfo("a/b/"), b"")]),
    "zip_duplicate_name": lambda f: _zip(f, "zip_duplicate_name.zip", [("hw1.py", b"X = 1\n"), ("hw1.py", b"X = 2\n")]),
    "zip_deflate64_entry": zip_deflate64_entry,
    "zip_encrypted_entry": zip_encrypted_entry,
    "zip_corrupt_deflate": _corrupt("zip_corrupt_deflate.zip", zipfile.ZIP_DEFLATED),
    "zip_corrupt_bzip2": _corrupt("zip_corrupt_bzip2.zip", zipfile.ZIP_BZIP2),
    "zip_corrupt_lzma": _corrupt("zip_corrupt_lzma.zip", zipfile.ZIP_LZMA),
}

REASONS: dict[str, str] = {
    "notebook_source_is_a_number": "the source of cell 1 is of type int, not text",
    "notebook_source_is_a_dict": "the source of cell 1 is of type dict, not text",
    "notebook_source_is_a_list_of_numbers": "the source of cell 1 is of type list[int], not text",
    "notebook_nested_100k_lists": "nested too deeply",
    "notebook_nested_100k_dicts": "nested too deeply",
    "notebook_outputs_nested_5000_deep": "nested too deeply",
    "notebook_top_level_is_a_list": "not a Jupyter notebook",
    "notebook_cells_is_a_dict": "not a Jupyter notebook",
    "notebook_cell_is_a_number": "cell 1 is not a notebook cell (found int)",
    "notebook_invalid_utf8": "not UTF-8 text",
    "notebook_lone_surrogate": "cell 1 holds characters no Python file can",
    "notebook_nul_in_source": "cell 1 holds characters no Python file can",
    "source_with_nul_bytes": "contains NUL bytes",
    "zip_bad_crc": "entry 'hw1.py' cannot be read (BadZipFile: Bad CRC-32",
    "zip_directories_only": "no .py or .ipynb file in the submission",
    "zip_duplicate_name": "entry 'hw1.py' appears twice in the zip",
    "zip_deflate64_entry": "entry 'hw1.py' cannot be read (NotImplementedError",
    "zip_encrypted_entry": "entry 'hw1.py' cannot be read (RuntimeError",
    "zip_corrupt_deflate": "entry 'hw1.py' cannot be read (zlib.error: Error -3",
    "zip_corrupt_bzip2": "entry 'hw1.py' cannot be read (OSError",
    "zip_corrupt_lzma": "entry 'hw1.py' cannot be read (LZMAError",
}
