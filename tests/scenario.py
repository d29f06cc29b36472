"""A small, fully known audience for campaign, worker and report tests (at NOW = 2026-03-10 14:00 UTC)."""

from __future__ import annotations

from sqlalchemy import select

from herald.campaigns import service as campaigns
from herald.contacts.importing import importer
from herald.contacts.models import Contact
from herald.content import service as content
from herald.tags import service as tags
from herald.types import Channel, Purpose
from tests.conftest import NOW

# Kathmandu 19:45 (allowed), Windhoek 16:00 (allowed), Shanghai 22:00 (quiet), Los Angeles 07:00 (quiet).
CSV = """name,phone,email,consent_sms
Sita Sharma,+9779841234567,sita@example.com,yes
Johannes Shikongo,+264811234567,,yes
王伟,+8613800138000,,yes
Emily Johnson,+14155552671,,yes
Ram Thapa,+9779851234567,,
Gita Rai,+9779861234567,,no
"""
TEMPLATE = "Hi {{ first_name | default('there') }}, sale today. Reply STOP to opt out."


def setup(container, tmp_path, template: str = TEMPLATE, segment: str = "has:phone") -> int:
    """Import, tag, template and campaign; returns the campaign id."""
    path = tmp_path / "scenario.csv"
    path.write_text(CSV, encoding="utf-8")
    with container.uow() as uow:
        importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key)
        tags.create_tag(uow, "vip", NOW)
        publish(uow, "sale", Channel.SMS, {"body": template})
        return campaigns.create_campaign(uow, "Sale", segment, "sale", NOW).id


def publish(uow, name, channel, data, locale="en", purpose=Purpose.MARKETING):
    """Create a template and take it through review (written by one person, approved by another)."""
    version = content.create_template(
        uow, name, channel, data, author="writer", now=NOW, locale=locale, purpose=purpose
    )
    content.review(uow, version, "submit", actor="writer", now=NOW)
    content.review(uow, version, "approve", actor="reviewer", now=NOW)
    return version


def whatsapp_sale(uow, contact: int):
    """A WhatsApp marketing template approved by Meta ("sale_wa"), and one contact's WhatsApp consent."""
    from herald.contacts import service as contacts
    from herald.types import ConsentStatus

    version = publish(
        uow,
        "sale_wa",
        Channel.WHATSAPP,
        {"category": "MARKETING", "body": "Sale today, {{1}}!", "params": {"1": "first_name"}},
    )
    version.meta_status = "APPROVED"
    contacts.set_consent(
        uow, contact, Channel.WHATSAPP, Purpose.MARKETING, ConsentStatus.GRANTED, "form", "signup form", NOW
    )
    return version


def contact_id(container, phone: str) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(Contact.id).where(Contact.phone == phone))


def plan(container, campaign_id: int, now=NOW):
    with container.uow() as uow:
        return campaigns.plan_campaign(uow, campaign_id, now)


def rows(container, model, *where):
    """The rows of a table that match, in id order, detached from their session."""
    with container.uow() as uow:
        found = list(uow.session.scalars(select(model).where(*where).order_by(*model.__table__.primary_key.columns)))
        for row in found:
            uow.session.expunge(row)
        return found
