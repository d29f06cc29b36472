"""Unsubscribing from marketing mail: the one-click POST a mailbox provider sends (RFC 8058) or the button
on Herald's page. The link's token names the message; the message names the contact and the address."""

from __future__ import annotations

from datetime import datetime

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
