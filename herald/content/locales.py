"""Locale tags and choosing the version a contact reads. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from herald.errors import Invalid

TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def normalize(tag: str, where: str = "locale") -> str:
    """`zh_cn` → `zh-CN`, `en` → `en`; anything else is refused with the reason."""
    text = str(tag or "").strip()
    if not TAG.match(text):
        raise Invalid(f"{tag!r} is not a locale tag such as en, en-US or zh-CN", where=where)
    parts = re.split(r"[-_]", text)
    rest = [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p for p in parts[1:]]
    return "-".join([parts[0].lower(), *rest])


def choose(available: Iterable[str], wanted: str | None, fallback: str) -> str | None:
    """The best of `available` for a reader of `wanted`: exact, then same language, then `fallback`,
    then the first there is."""
    have = list(dict.fromkeys(available))
    if not have:
        return None
    if wanted:
        try:
            wanted = normalize(wanted)
        except Invalid:
            wanted = None
    if wanted in have:
        return wanted
    language = (wanted or "").split("-")[0]
    same = [loc for loc in have if language and loc.split("-")[0] == language]
    if same:
        return same[0]
    return fallback if fallback in have else have[0]


def whatsapp_code(locale: str) -> str:
    """Meta's language code for a locale: `en-US` → `en_US`."""
    return locale.replace("-", "_")
