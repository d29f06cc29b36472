"""What a template may say about one recipient at one moment, and which version they read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from herald import content
from herald.contacts import Contact
from herald.content import Template, TemplateVersion


def contact_locale(contact: Contact) -> str | None:
    """The contact's language: its `locale` (or `language`) attribute, as imported."""
    attrs = contact.attributes or {}
    return attrs.get("locale") or attrs.get("language") or None


def pick_version(
    approved: Mapping[tuple[str, str], TemplateVersion], default_locale: str, wanted: str | None, variant: str = "A"
) -> TemplateVersion | None:
    """The approved version for this reader: their variant if it exists (else A), in their locale or the
    nearest one."""
    for var in dict.fromkeys((variant, "A")):
        have = [loc for (loc, v) in approved if v == var]
        chosen = content.choose(have, wanted, default_locale)
        if chosen is not None:
            return approved[(chosen, var)]
    return None


def template_facts(template: Template, version: TemplateVersion | None) -> tuple[str | None, str | None]:
    """What the rules engine needs of the version sent: its WhatsApp category (None for free-form text and
    other channels) and Meta's status of it."""
    if template.channel != "whatsapp" or version is None or "body" not in version.content:
        return None, None
    return template.category, version.meta_status


def build_context(
    contact: Contact,
    campaign: str,
    now: datetime,
    tags: list[str] | None = None,
    coupons: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The variables for this contact; empty ones are left out, so a template's `default()` applies and a
    required one skips the recipient instead of printing "None"."""
    name = (contact.name or "").strip()
    values = {
        "name": name,
        "first_name": name.split()[0] if name else None,
        "phone": contact.phone,
        "email": contact.email,
        "region": contact.region,
        "campaign": campaign,
        "locale": contact_locale(contact),
        "tags": list(tags or []),
        "coupon": dict(coupons or {}),
        "local": local_time(contact.timezone, now),
        "attr": {k: v for k, v in (contact.attributes or {}).items() if v not in (None, "")},
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


def local_time(zone: str | None, now: datetime) -> dict[str, str] | None:
    """Date and time where the contact is (only when their own zone is known)."""
    if not zone:
        return None
    local = now.astimezone(ZoneInfo(zone))
    return {
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "weekday": local.strftime("%A"),
        "zone": zone,
    }
