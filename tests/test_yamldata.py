"""YAML from outside the course (an export's metadata): aliases and deep nesting refused, clearly."""

from __future__ import annotations

import pytest

from autograder import yamldata

#: "billion laughs": 342 bytes whose value, written out, is 9**9 strings (past 10 GB as JSON)
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{','.join(['*' + below] * 9)}]\n" for name, below in zip("bcdefghi", "abcdefgh"))


def test_yaml_billion_laughs_is_refused_before_it_is_built():
    assert len(BILLION_LAUGHS) < 500
    with pytest.raises(yamldata.RefusedYAML, match=r"aliases \(\*name\) are not accepted here \(line 2, column 8\)"):
        yamldata.load_untrusted(BILLION_LAUGHS)


@pytest.mark.parametrize("text", ["a: &x {b: 1}\nc:\n  <<: *x\n", "- &x 1\n- *x\n"],
                         ids=["merge_key_alias", "scalar_alias"])
def test_yaml_any_alias_is_refused(text):
    with pytest.raises(yamldata.RefusedYAML, match="aliases"):
        yamldata.load_untrusted(text)


def test_yaml_nested_900_levels_is_refused_not_a_recursion_error():
    text = "a:\n" + "".join(" " * i + "-\n" for i in range(1, 900))
    with pytest.raises(yamldata.RefusedYAML, match="nested too deeply"):
        yamldata.load_untrusted(text)


def test_yaml_untrusted_reads_gradescope_metadata_like_the_fast_loader():
    text = ("submission_1:\n  :submitters:\n  - :name: Ada\n    :sid: '1'\n"
            "  :created_at: 2026-02-04 22:10:00.000000000 -05:00\n  :score: 2.5\n")
    assert yamldata.load_untrusted(text) == yamldata.safe_load(text)
