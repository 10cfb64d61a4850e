"""The widget's languages: every translation has every string, with the same placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conversations import notices

STATIC = Path(__file__).resolve().parents[2] / "webhook" / "static"


def english() -> dict[str, str]:
    """The built-in English strings (the ``var T = {…}`` table in widget.js)."""
    source = (STATIC / "widget.js").read_text()
    table = source[source.index("var T = {") : source.index("};", source.index("var T = {"))]
    return dict(re.findall(r'^\s+(\w+): "((?:[^"\\]|\\.)*)",$', table, flags=re.M))


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("lang", sorted(set(notices.LANGUAGES) - {"en"}))
def test_a_translation_has_every_string_with_its_placeholders(lang):
    """de, fr, es, pt, it, nl, pl, ar and he say everything English says, filling in the same values."""
    en = english()
    assert len(en) > 40
    strings = json.loads((STATIC / "i18n" / f"{lang}.json").read_text())
    assert set(strings) == set(en)
    for key, text in strings.items():
        assert text.strip(), key
        assert placeholders(text) == placeholders(en[key]), (lang, key)


def test_the_widget_serves_its_strings_and_refuses_unknown_languages(client):
    """GET /i18n/<lang>.json answers the translation; a language Baton lacks is a JSON 404."""
    with client.get("/i18n/de.json") as resp:
        assert resp.status_code == 200 and resp.get_json()["person"] == "Mit einem Menschen sprechen"
    missing = client.get("/i18n/xx.json")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/i18n/..%2fwidget.json").status_code == 404
