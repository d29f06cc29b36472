"""Identifiers and enumerations shared by every room."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from herald.errors import Invalid


class Channel(StrEnum):
    """The medium a message travels on; providers are vendors behind a channel."""

    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"

    @property
    def uses_phone(self) -> bool:
        return self is not Channel.EMAIL


class Purpose(StrEnum):
    """Why a message is sent; consent and caps differ by purpose."""

    MARKETING = "marketing"
    TRANSACTIONAL = "transactional"


class ConsentStatus(StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"


class CampaignStatus(StrEnum):
    """Life of a campaign: draft → scheduled → running ⇄ paused → completed, or cancelled (campaigns.states)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MessageStatus(StrEnum):
    """Life of an outbox row. `queued` covers deferred rows too: they wait for `due_at`."""

    QUEUED = "queued"
    CLAIMED = "claimed"
    INFLIGHT = "inflight"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"
    HELD = "held"  # waits for a paused campaign to resume or a rollout to continue
    CANCELLED = "cancelled"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum_type: type[E], value: object, what: str) -> E:
    """Parse `value` into `enum_type`, naming `what` and the allowed values on failure."""
    try:
        return enum_type(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        raise Invalid(f"{what}: {value!r} is not one of {allowed}") from None


def parse_moment(value: object, what: str) -> datetime:
    """An aware ISO-8601 moment, or Invalid naming `what`."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{value!r} is not an ISO-8601 date and time", where=what) from None
    if moment.tzinfo is None:
        raise Invalid(f"{value!r} has no UTC offset (add Z or +hh:mm)", where=what)
    return moment


def parse_utc(value: object, what: str) -> datetime:
    """An ISO-8601 date or date and time where no offset means UTC (files and lists rarely carry one), or
    Invalid naming `what`."""
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{value!r} is not a date and time such as 2026-03-01 14:30", where=what) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL (SQLite's hold more)


def as_id(value: object) -> int | None:
    """A stored row's id written as text or a number, or None when it cannot be one: only ASCII digits
    (`²` passes str.isdigit()), and no larger than an id column holds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


SPAN = re.compile(r"(\d{1,5})([dh])")


def span(text: str) -> timedelta | None:
    """A span such as 30d or 24h, or None when the text is not one."""
    found = SPAN.fullmatch(text.strip().lower())
    if not found:
        return None
    amount = int(found.group(1))
    return timedelta(days=amount) if found.group(2) == "d" else timedelta(hours=amount)


E164 = re.compile(r"\+[1-9]\d{6,14}")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV injection advice: a leading quote); a
    strict E.164 number stays as it is so that it round-trips."""
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    if text.startswith(FORMULA_STARTS) and not E164.fullmatch(text):
        return "'" + text
    return text


TAG_NAME = re.compile(r"[\w][\w:.\-]{0,63}")  # letters and digits of any script, _ : . - ; up to 64
TAG_SEPARATORS = re.compile(r"[\s,;|、，；]+")


def tag_names(text: str) -> tuple[list[str], list[str]]:
    """The tag names a cell lists, split at spaces, commas, semicolons and bars (Chinese ones too), in order
    and without repeats; and the words in it that are no tag name."""
    words = list(dict.fromkeys(w for w in TAG_SEPARATORS.split(text) if w))
    return [w for w in words if TAG_NAME.fullmatch(w)], [w for w in words if not TAG_NAME.fullmatch(w)]
