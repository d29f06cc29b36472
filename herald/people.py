"""A person across the rooms: everything Herald holds about them (access, GDPR art. 15 / PIPL art. 45),
erasing it (GDPR art. 17), and merging two contacts that are one person. Each room's service does its
own part; this module only asks each in turn, inside the caller's unit of work, so each is all or nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from herald import campaigns, contacts, outbox, tags
from herald.contacts import ContactMerge
from herald.db import UnitOfWork
from herald.events import Event
from herald.outbox import Message


def export_person(uow: UnitOfWork, contact_id: int) -> dict[str, Any]:
    """Everything Herald holds about one person, ready for JSON."""
    found = contacts.person(uow, contact_id)
    found["tags"] = tags.tags_of(uow, contact_id)
    stmt = select(Message).where(Message.contact_id == contact_id).order_by(Message.id)
    found["messages"] = [
        {
            "campaign": m.campaign_id,
            "channel": m.channel,
            "address": m.address,
            "purpose": m.purpose,
            "status": m.status,
            "reason": m.reason,
            "due_at": m.due_at,
            "sent_at": m.sent_at,
            "decision": m.trail,
        }
        for m in uow.session.scalars(stmt)
    ]
    merges = select(ContactMerge).where(ContactMerge.contact_id == contact_id).order_by(ContactMerge.id)
    found["merged"] = [
        {"contact": m.merged_id, "by": m.merged_by, "at": m.merged_at, "held": m.snapshot}
        for m in uow.session.scalars(merges)
    ]
    return found


def erase_person(uow: UnitOfWork, contact_id: int, now: datetime, key: str) -> dict[str, Any]:
    """Erase one person: no name, address, attribute, consent proof or tag remains; their messages keep
    only their counts; keyed digests of their addresses keep them from ever being imported again."""
    contacts.erase(uow, contact_id, now, key)
    removed_tags = tags.forget_contact(uow, contact_id)
    messages = outbox.forget_contact(uow, contact_id, now)
    return {"contact": contact_id, "erased_at": now, "tags_removed": removed_tags, "messages_scrubbed": messages}


def merge_people(uow: UnitOfWork, keep_id: int, other_id: int, now: datetime, actor: str) -> dict[str, Any]:
    """Merge contact `other_id` into `keep_id`: tags, messages and list memberships move over, then the
    contacts room merges the records and keeps what the other held as history."""
    contacts.get_contact(uow, keep_id)
    contacts.get_contact(uow, other_id)
    moved = {
        "tags": tags.move_contact(uow, other_id, keep_id),
        "messages": outbox.move_contact(uow, other_id, keep_id),
        "lists": campaigns.move_members(uow, other_id, keep_id),
    }
    kept = contacts.merge_into(uow, keep_id, other_id, now, actor)
    return {"kept": kept.id, "merged": other_id, "moved": moved}


def timeline(uow: UnitOfWork, contact_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """What happened with one person, newest first: their events, consent given or withdrawn, tags
    applied, and messages sent or refused."""
    contacts.get_contact(uow, contact_id)
    entries: list[dict[str, Any]] = []
    for e in uow.session.scalars(
        select(Event).where(Event.contact_id == contact_id).order_by(Event.occurred_at.desc()).limit(limit)
    ):
        entries.append({"at": e.occurred_at, "kind": "event", "what": e.type, "detail": e.properties})
    person = contacts.person(uow, contact_id)
    for c in person["consent_history"]:
        entries.append(
            {
                "at": c["at"],
                "kind": "consent",
                "what": f"{c['channel']}/{c['purpose']} {c['status']}",
                "detail": {k: c[k] for k in ("source", "evidence", "ip") if c[k]},
            }
        )
    for t in tags.tags_of(uow, contact_id):
        entries.append({"at": t["applied_at"], "kind": "tag", "what": t["tag"], "detail": {"by": t["applied_by"]}})
    for m in uow.session.scalars(
        select(Message).where(Message.contact_id == contact_id, Message.sent_at.is_not(None)).limit(limit)
    ):
        entries.append(
            {
                "at": m.sent_at,
                "kind": "message",
                "what": f"{m.channel} {m.status}",
                "detail": {"campaign": m.campaign_id, "reason": m.reason},
            }
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]
