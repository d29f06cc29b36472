"""The services' refusals said in the viewer's language. A service refuses in English, naming the field
or row; the pages show that beside its field. For Chinese, a table of patterns (`locales/refusals.zh_CN
.toml`) says the common ones again: the first pattern matching the whole reason gives the words, its
groups put in, each group itself said again when a pattern matches it whole. A reason no pattern
matches is shown as the service gave it. Pure."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "locales" / "refusals.zh_CN.toml"
GROUP = re.compile(r"\{([0-9])\}")


@dataclass(frozen=True)
class Saying:
    pattern: re.Pattern[str]
    words: str
    example: str


def read(text: str) -> tuple[Saying, ...]:
    """The sayings of a table's TOML text."""
    return tuple(Saying(re.compile(s["pattern"]), s["zh"], s["example"]) for s in tomllib.loads(text)["said"])


@cache
def chinese() -> tuple[Saying, ...]:
    return read(TABLE.read_text(encoding="utf-8"))


def said(reason: str, sayings: Sequence[Saying]) -> str:
    """The reason in the sayings' language, or as it is when none says it."""
    for saying in sayings:
        found = saying.pattern.fullmatch(reason)
        if found is not None:
            return _filled(saying.words, [said(g, sayings) if g else "" for g in found.groups()])
    return reason


def _filled(words: str, groups: Sequence[str]) -> str:
    return GROUP.sub(lambda m: groups[int(m.group(1)) - 1], words)


def in_language(reason: str, language: str) -> str:
    """A refusal for a viewer: Chinese where the table says it, else the service's own words."""
    return said(reason, chinese()) if language == "zh-CN" else reason
