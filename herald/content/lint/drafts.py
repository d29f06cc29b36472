"""What lint reads (a draft, the sender's profile) and what it finds. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from herald.content.vendors import TemplateRoute

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    code: str
    message: str
    field: str = "body"
    line: int | None = None
    column: int | None = None
    length: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Draft:
    """What lint reads of a template version: its channel, purpose and each text field as written."""

    channel: str
    purpose: str
    fields: Mapping[str, str]
    category: str | None = None  # WhatsApp
    params: Mapping[str, str] = field(default_factory=dict)  # WhatsApp {{n}} -> Herald expression
    vendor_codes: frozenset[str] = frozenset()  # vendors whose approved template the version names (aliyun)


@dataclass(frozen=True)
class Profile:
    """The sender's settings and the preset's `[lint]` table."""

    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sender_names: tuple[str, ...] = ()
    postal_address: str | None = None
    help_reply: str | None = None
    link_domains: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    template_routes: tuple[TemplateRoute, ...] = ()  # routes with accounts that send only approved templates


def at(source: str, start: int, length: int, severity: str, code: str, message: str, name: str) -> Finding:
    """A finding pointing at `length` characters from `start` in one field."""
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1) + 1
    return Finding(severity, code, message, name, line, column, length)


def texts(draft: Draft) -> list[tuple[str, str]]:
    """Each text field that is not empty, by name."""
    return [(k, v) for k, v in draft.fields.items() if v]


def is_marketing(draft: Draft) -> bool:
    """Marketing by its purpose, or (WhatsApp) by its category."""
    return draft.purpose == "marketing" or (draft.category or "").upper() == "MARKETING"
