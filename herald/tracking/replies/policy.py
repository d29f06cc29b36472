"""How Herald answers what people write in, from the installation's preset (`[replies]`) and settings:
the words the classifier looks for, whether a STOP withdraws that channel's marketing consent or all of
it, the confirmations sent, the HELP text, and how long a complaint may wait."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from herald.errors import Invalid
from herald.tracking.replies.intents import Words, load_words

SCOPES = ("channel", "marketing")
WORD_TABLES = ("keywords", "phrases", "requests")
KNOWN = frozenset({*WORD_TABLES, "stop_scope", "stop_confirmation", "start_confirmation", "help", "complaint_hours"})


@dataclass(frozen=True)
class ReplyPolicy:
    """What Herald does with replies; texts None are not sent."""

    words: Words
    stop_scope: str = "channel"  # channel: that channel's marketing consent; marketing: every channel's
    stop_confirmation: str | None = None
    start_confirmation: str | None = None
    help: str | None = None
    complaint_within: timedelta = timedelta(hours=24)


def reply_policy(table: Mapping[str, Any], help_reply: str | None = None) -> ReplyPolicy:
    """The policy a preset's `[replies]` table describes; `help_reply` (the setting) wins over its help."""
    where = "preset [replies]"
    unknown = sorted(set(table) - KNOWN)
    if unknown:
        raise Invalid(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(KNOWN))})", where=where)
    scope = table.get("stop_scope", "channel")
    if scope not in SCOPES:
        raise Invalid(f"stop_scope must be channel or marketing, got {scope!r}", where=where)
    hours = table.get("complaint_hours", 24)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 30:
        raise Invalid(f"complaint_hours must be a whole number of hours from 1 to 720, got {hours!r}", where=where)
    try:
        words = load_words({k: table[k] for k in WORD_TABLES if k in table})
    except ValueError as exc:
        raise Invalid(str(exc), where=where) from None
    return ReplyPolicy(
        words,
        scope,
        _text(table, "stop_confirmation"),
        _text(table, "start_confirmation"),
        help_reply or _text(table, "help"),
        timedelta(hours=hours),
    )


def _text(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise Invalid(f"{key} must be a text, got {value!r}", where="preset [replies]")
    return value
