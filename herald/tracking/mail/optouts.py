"""Unsubscribing from marketing mail: the one-click POST a mailbox provider sends (RFC 8058) or the button
on Herald's page, and the page's preferences (marketing on each channel the person can be reached on).
The link's token names the message; the message names the contact and the address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from herald import contacts
from herald.db import UnitOfWork
from herald.outbox import Message
from herald.types import Channel, ConsentStatus, Purpose


def unsubscribe(uow: UnitOfWork, message_id: int, how: str, now: datetime) -> str | None:
    """Revoke the contact's e-mail marketing consent, with how it was asked as the proof; the address the
    message went to, or None when the message is no e-mail Herald sent. The address is not suppressed:
    leaving a newsletter does not stop receipts and password resets, which need no marketing consent."""
    message = uow.session.get(Message, message_id)
    if message is None or message.channel != Channel.EMAIL.value or not message.address:
        return None
    evidence = f"{how} (message {message_id})"
    contacts.set_consent(
        uow, message.contact_id, Channel.EMAIL, Purpose.MARKETING, ConsentStatus.REVOKED, "unsubscribe", evidence, now
    )
    return message.address


def preferences(uow: UnitOfWork, message_id: int) -> dict[str, bool] | None:
    """The channels the message's contact can be reached on, each with whether they take marketing there
    now; None when the message is no e-mail Herald sent."""
    message = uow.session.get(Message, message_id)
    if message is None or message.channel != Channel.EMAIL.value:
        return None
    contact = contacts.get_contact(uow, message.contact_id)
    reachable = [Channel.EMAIL] if contact.email else []
    reachable += [Channel.SMS, Channel.WHATSAPP] if contact.phone else []
    granted = {
        c.channel
        for c in uow.session.scalars(select(contacts.Consent).where(contacts.Consent.contact_id == contact.id))
        if c.purpose == Purpose.MARKETING.value and c.status == ConsentStatus.GRANTED.value
    }
    return {channel.value: channel.value in granted for channel in reachable}


def set_preferences(uow: UnitOfWork, message_id: int, wanted: set[str], now: datetime) -> list[str]:
    """Marketing consent on each reachable channel as the person chose on the preference page, the choice
    as its proof; the channels that changed."""
    shown = preferences(uow, message_id)
    if shown is None:
        return []
    message = uow.session.get(Message, message_id)
    assert message is not None  # (preferences found it)
    evidence = f"preference page (message {message_id})"
    changed = []
    for channel, now_granted in shown.items():
        if (channel in wanted) != now_granted:
            status = ConsentStatus.GRANTED if channel in wanted else ConsentStatus.REVOKED
            contacts.set_consent(
                uow, message.contact_id, Channel(channel), Purpose.MARKETING, status, "preferences", evidence, now
            )
            changed.append(channel)
    return changed
