"""Banned words and links, in every text field. Pure."""

from __future__ import annotations

import re
from functools import lru_cache

import ahocorasick

from herald.content.lint.drafts import ERROR, WARNING, Draft, Finding, Profile, at, texts

URL = re.compile(r"""(?:https?://|www\.)[^\s<>"'{}]+""", re.IGNORECASE)
SHORTENERS = frozenset({"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "t.cn", "dwz.cn"})


def banned_words(draft: Draft, profile: Profile) -> list[Finding]:
    """Words from the banned list, in any text field."""
    if not profile.banned_words:
        return []
    found = []
    for name, source in texts(draft):
        for start, word in find_words(source, profile.banned_words):
            found.append(
                at(source, start, len(word), ERROR, "banned-word", f"{word!r} is on the banned-words list", name)
            )
    return found


@lru_cache(maxsize=32)
def _automaton(words: tuple[str, ...]) -> ahocorasick.Automaton:
    machine = ahocorasick.Automaton()
    for word in words:
        machine.add_word(word.lower(), word)
    machine.make_automaton()
    return machine


def find_words(text: str, words: tuple[str, ...]) -> list[tuple[int, str]]:
    """(offset, word) of each listed word in text: one pass, case-insensitive, whole words for Latin script."""
    words = tuple(sorted({w for w in words if w.strip()}))
    if not words:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):
        # Lower-casing changed the length (e.g. 'İ'), so offsets would drift; scan the original instead.
        lowered = text
    hits = []
    for end, word in _automaton(words).iter(lowered):
        start = end - len(word) + 1
        if not word.isascii() or _whole_word(lowered, start, end + 1):
            hits.append((start, word))
    return hits


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def links(draft: Draft, profile: Profile) -> list[Finding]:
    """Links only to allowed domains; public shorteners are filtered by carriers."""
    found = []
    for name, source in texts(draft):
        for match in URL.finditer(source):
            host = _host(match.group(0))
            if host in SHORTENERS:
                found.append(
                    at(
                        source,
                        match.start(),
                        len(match.group(0)),
                        WARNING,
                        "link-shortener",
                        f"{host} is a public link shortener; carriers often filter these",
                        name,
                    )
                )
            elif profile.link_domains and not any(host == d or host.endswith("." + d) for d in profile.link_domains):
                found.append(
                    at(
                        source,
                        match.start(),
                        len(match.group(0)),
                        ERROR,
                        "link-domain",
                        f"{host} is not an allowed link domain ({', '.join(profile.link_domains)})",
                        name,
                    )
                )
    return found


def _host(url: str) -> str:
    rest = re.sub(r"^(https?://)?", "", url, flags=re.IGNORECASE)
    return re.split(r"[/:?#]", rest, maxsplit=1)[0].lower().removeprefix("www.")
