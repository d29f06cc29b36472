"""Country cells as people write them, read from CLDR and ISO 3166 names, never guessed."""

from __future__ import annotations

import pytest

from herald.contacts.addresses import countries


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FR", "FR"),
        ("fr", "FR"),
        ("FRA", "FR"),
        ("deu", "DE"),
        ("UK", "GB"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        (" United States ", "US"),
        ("United States of America", "US"),
        ("France", "FR"),
        ("FRANCE", "FR"),
        ("Germany", "DE"),
        ("United Kingdom", "GB"),
        ("the Netherlands", "NL"),
        ("中国", "CN"),
        ("中华人民共和国", "CN"),
        ("美国", "US"),
        ("德国", "DE"),
        ("香港", "HK"),
        ("澳門", "MO"),
        ("台湾", "TW"),
        ("中國", "CN"),
        ("Hong Kong", "HK"),
        ("Czech Republic", "CZ"),
        ("Ｆｒａｎｃｅ", "FR"),
        ("Deutschland", "DE"),
        ("Nederland", "NL"),
        ("Italia", "IT"),
        ("España", "ES"),
        ("Česko", "CZ"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("日本", "JP"),
        ("대한민국", "KR"),
        ("Россия", "RU"),
        ("भारत", "IN"),
        ("Brasil", "BR"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Vereinigtes Königreich", "GB"),
        ("Royaume-Uni", "GB"),
        ("Estados Unidos", "US"),
        ("Frankreich", "FR"),
        ("Türkei", "TR"),  # what a German, French or Spanish shop writes of other countries
    ],
)
def test_it_reads_the_names_people_write(text, code) -> None:
    assert countries.code_for(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Frankreich2",
        "Atlantis",
        "Antarctica",
        "AQ",  # no telephone numbering plan
        "XX",
        "---",
    ],
)
def test_it_answers_nothing_rather_than_a_guess(text) -> None:
    assert countries.code_for(text) is None


def test_a_name_two_territories_share_in_one_tier_is_ambiguous(monkeypatch) -> None:
    monkeypatch.setattr(countries, "_codes", lambda: {})
    monkeypatch.setattr(countries, "_main_names", lambda: {"congo": {"CG", "CD"}})
    assert countries.code_for("Congo") is None


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("The Netherlands", "netherlands"),
        ("U.S.A.", "usa"),
        ("Côte d’Ivoire", "côtedivoire"),
        ("Ｕ Ｋ", "uk"),
        ("Guinea-Bissau", "guineabissau"),
    ],
)
def test_names_are_compared_without_case_spaces_or_punctuation(text, folded) -> None:
    assert countries.key(text) == folded


def test_a_language_without_catalogues_contributes_no_names() -> None:
    assert countries._catalogue("xx-not-a-language").gettext("France") == "France"
    assert countries._cldr_names("not a locale") == {}
