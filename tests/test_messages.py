"""The catalogues: same keys and placeholders in every language; hidden variants hide values."""

from __future__ import annotations

import string

import pytest

from autograder.messages import CATALOGUES, Message, render


def _fields(template):
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_language_has_every_key():
    keys = {lang: set(cat) for lang, cat in CATALOGUES.items()}
    assert all(k == keys["en"] for k in keys.values())


@pytest.mark.parametrize("key", sorted(CATALOGUES["en"]))
def test_placeholders_agree(key):
    assert len({frozenset(_fields(cat[key])) for cat in CATALOGUES.values()}) == 1


def test_hidden_variants_never_name_the_expected_value():
    for cat in CATALOGUES.values():
        for key, template in cat.items():
            if key.endswith("@hidden"):
                assert "expected" not in _fields(template)


def test_render_hidden_drops_expected():
    msg = Message("not_close", {"where": "", "actual": 1.5, "expected": 73728, "diff": "1", "bound": "0"})
    assert "73728" in render(msg, "en")
    assert "73728" not in render(msg, "en", hidden=True)
    assert "73728" not in render(msg, "fr", hidden=True)
    assert "diffère de la référence" in render(msg, "fr", hidden=True)


def test_a_message_param_is_rendered_in_the_same_language():
    inner = Message("expr_unexpected", {"char": "*", "column": 5})
    outer = Message("expr_parse", {"message": inner})
    assert render(outer, "en") == "cannot read the formula: unexpected '*' at column 5"
    assert render(outer, "fr") == "formule illisible : '*' inattendu à la colonne 5"
    nested = Message("expr_parse", {"message": Message("expr_construct", {"what": Message("expr_what_list"), "column": 1})})
    assert render(nested, "fr") == "formule illisible : impossible d'utiliser une liste à la colonne 1"


def test_a_message_param_follows_the_hidden_variant():
    inner = Message("not_close", {"where": "", "actual": 1.5, "expected": 73728, "diff": "1", "bound": "0"})
    assert "73728" in render(Message("property_message", {"text": inner}), "en")
    assert "73728" not in render(Message("property_message", {"text": inner}), "en", hidden=True)
