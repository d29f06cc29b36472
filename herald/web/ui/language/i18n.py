"""The UI's languages: English as written in the templates, Chinese from the message catalogue
(`herald/web/locales/zh_CN.po`, read when first needed: nothing is compiled at install), and dates,
numbers, percentages and money formatted for the language by Babel. The language is the one asked for
(`?lang=`, then remembered in a cookie), else the browser's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, PackageLoader, select_autoescape

from herald.web.ui.language.refusals import in_language

LANGUAGES = ("zh-CN", "en")
COOKIE = "herald_lang"
CATALOGUE = Path(__file__).resolve().parents[2] / "locales" / "zh_CN.po"
BABEL = {"zh-CN": "zh_Hans_CN", "en": "en"}


def choose(asked: str | None, remembered: str | None, accepted: str) -> str:
    """The language to show: asked for, else remembered, else the browser's first we speak, else English."""
    for wanted in (asked, remembered):
        if wanted in LANGUAGES:
            return wanted
    for part in accepted.lower().split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "en"


@cache
def translations(language: str) -> NullTranslations:
    """The language's translations (English needs none: the templates are written in it)."""
    if language == "en":
        return NullTranslations()
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


@cache
def environment(language: str) -> Environment:
    """The pages' templates, autoescaped, with gettext and the formatting filters of the language."""
    env = Environment(
        loader=PackageLoader("herald.web", "templates"),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    locale = Locale.parse(BABEL[language])
    env.filters.update(
        number=lambda n: numbers.format_decimal(n or 0, locale=locale),
        percent=lambda r: "—" if r is None else numbers.format_percent(r, "#,##0.0%", locale=locale),
        money=lambda amount, currency: numbers.format_currency(Decimal(str(amount)), currency, locale=locale),
        when=lambda moment, zone="UTC": _when(moment, zone, locale),
        said=lambda text: in_language(str(text), language),  # a service's or a rule's words, in the language
    )
    env.globals["language"] = language
    return env


def _when(moment: datetime | None, zone: str, locale: Locale) -> str:
    if moment is None:
        return "—"
    return dates.format_datetime(moment, "medium", tzinfo=ZoneInfo(zone), locale=locale)


def render(language: str, name: str, context: Mapping[str, Any]) -> str:
    """A page or a fragment in the language."""
    return environment(language).get_template(name).render(**context)
