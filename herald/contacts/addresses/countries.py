"""A country column read as people fill it in: ISO codes (`FR`, `FRA`), English and Chinese names in
their short and official forms (`United Kingdom`, `UK`, `中华人民共和国`, `美国`, `香港`), and each
territory's name in its own languages (`Deutschland`, `Italia`, `Česko`).

The names come from two maintained sources rather than a hand list: the Unicode CLDR territory names
and aliases that Babel ships, and the ISO 3166 names with their translations that pycountry ships (the
iso-codes project). Only territories with a telephone numbering plan are answered, since the column
exists to read phone numbers in the right country.

A name is looked up in tiers — codes and aliases, then English and Chinese names, then each country's
own languages, then the names the languages of Herald's customers give other countries (a German shop
writes `Vereinigtes Königreich`) — and the first tier that knows the name decides. A name that two territories share
within one tier is ambiguous and answers nothing rather than a guess."""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache
from typing import Any

import phonenumbers

Index = dict[str, set[str]]
CHINESE = ("zh_CN", "zh_TW", "zh_HK")  # iso-codes catalogues
CLDR_MAIN = ("en", "zh", "zh_Hant", "zh_Hant_HK")
_NOISE = re.compile(r"[\s.,'’()\-_]+")


def key(text: str) -> str:
    """The form a name is compared in: compatibility-normalized, case-folded, without a leading "the",
    spaces, dots, commas, apostrophes, brackets or dashes (`U.S.A.` and `usa` are one key)."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    folded = folded.removeprefix("the ")
    return _NOISE.sub("", folded)


def code_for(text: str) -> str | None:
    """The ISO 3166 alpha-2 code the text names, or None when it names no territory with phone numbers or
    names more than one."""
    wanted = key(text)
    if not wanted:
        return None
    for tier in (_codes, _main_names, _own_names, _other_names):
        found = tier().get(wanted)
        if found:
            return next(iter(found)) if len(found) == 1 else None
    return None


def _regions() -> set[str]:
    return set(phonenumbers.SUPPORTED_REGIONS)


def _add(index: Index, name: str | None, code: str) -> None:
    if name and (folded := key(name)):
        index.setdefault(folded, set()).add(code)


@cache
def _codes() -> Index:
    import pycountry
    from babel.core import get_global

    index: Index = {}
    regions = _regions()
    for country in pycountry.countries:
        if country.alpha_2 in regions:
            _add(index, country.alpha_2, country.alpha_2)
            _add(index, country.alpha_3, country.alpha_2)
    for alias, targets in get_global("territory_aliases").items():
        # CLDR's aliases hold retired and alternative codes (UK for GB); numeric ones are not read here,
        # because a number in a country column is a calling code.
        if alias.isalpha() and len(targets) == 1 and targets[0] in regions and key(alias) not in index:
            _add(index, alias, targets[0])
    return index


@cache
def _main_names() -> Index:
    import pycountry

    index: Index = {}
    regions = _regions()
    catalogues = [_catalogue(language) for language in CHINESE]
    for country in pycountry.countries:
        if country.alpha_2 not in regions:
            continue
        for name in _iso_names(country):
            _add(index, name, country.alpha_2)
            for catalogue in catalogues:
                _add(index, catalogue.gettext(name), country.alpha_2)
    for language in CLDR_MAIN:
        for code, name in _cldr_names(language).items():
            if code in regions:
                _add(index, name, code)
    return index


@cache
def _own_names() -> Index:
    import pycountry
    from babel.languages import get_official_languages

    index: Index = {}
    for country in pycountry.countries:
        code = country.alpha_2
        if code not in _regions():
            continue
        for language in get_official_languages(code, de_facto=True):
            _add(index, _cldr_names(language).get(code), code)
            catalogue = _catalogue(language)
            for name in _iso_names(country):
                _add(index, catalogue.gettext(name), code)
    return index


# Languages whose names for every country are read in the last tier: those of the businesses that write
# the files, not of the countries named.
CUSTOMER_LANGUAGES = (
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "pl",
    "sv",
    "da",
    "ru",
    "ja",
    "ko",
    "ar",
    "tr",
    "id",
    "vi",
    "th",
    "hi",
    "ne",
)


@cache
def _other_names() -> Index:
    index: Index = {}
    regions = _regions()
    for language in CUSTOMER_LANGUAGES:
        for code, name in _cldr_names(language).items():
            if code in regions:
                _add(index, name, code)
    return index


def _iso_names(country: Any) -> list[str]:  # a pycountry record (untyped)
    return [
        n for n in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)) if n
    ]


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


@cache
def _cldr_names(language: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(language).territories)
    except (UnknownLocaleError, ValueError):
        return {}
