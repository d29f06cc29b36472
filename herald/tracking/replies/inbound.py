"""Messages people send in: kept once by the vendor's identity, read by the classifier (`intents`), and
acted on in the same unit of work — before the webhook is answered and before any later send decision.

A STOP (or a complaint) suppresses the address on its channel, withdraws the marketing consent (that
channel's, or every channel's when the preset says so) with the reply as the proof, and stops the
contact's messages a worker has prepared and not yet given to a provider. START gives consent back with
the reply as the proof; HELP is answered. Every reply is an event (`message.replied`, and
`message.opted_out` / `message.opted_in`), so segments and automatic tags read them."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from herald import contacts, content, outbox
from herald.access import sealer_of
from herald.db import UnitOfWork, insert_new, locks
from herald.events import EventIn, record_events
from herald.outbox import Message
from herald.providers import Report
from herald.tracking.models import InboundMessage, Reply
from herald.tracking.reactions import after_events
from herald.tracking.replies import intents
from herald.tracking.replies.cases import open_case
from herald.tracking.replies.policy import ReplyPolicy
from herald.tracking.replies.sentiment import sentiment
from herald.types import Channel, ConsentStatus, Purpose

ANSWERS_WITHIN = timedelta(days=7)  # a reply that names no message answers the last one sent this long ago
OPTED_OUT = "opted out"  # the suppression reason a STOP gives, which a START lifts (and no other)
# The event each intent adds to `message.replied`.
FACTS = {intents.STOP: "message.opted_out", intents.COMPLAINT: "message.opted_out", intents.START: "message.opted_in"}


@dataclass(frozen=True)
class Wrote:
    """One inbound message, as the reactions see it."""

    row: InboundMessage
    channel: Channel
    intent: intents.Intent


def record_inbound(
    uow: UnitOfWork, account: str, channel: Channel, reports: Sequence[Report], policy: ReplyPolicy, now: datetime
) -> Counter[str]:
    """Keep each inbound message of an account once, classify it and react; counts by intent (and
    `repeated` for a message kept before)."""
    counts: Counter[str] = Counter()
    for report in reports:
        if report.kind != "inbound" or not report.sender:
            continue
        wrote = _keep(uow, account, Channel(report.channel or channel), report, policy, now)
        if wrote is None:
            counts["repeated"] += 1
            continue
        react(uow, wrote, policy, now)
        counts[wrote.intent.kind] += 1
    return counts


def _keep(
    uow: UnitOfWork, account: str, channel: Channel, report: Report, policy: ReplyPolicy, now: datetime
) -> Wrote | None:
    address, text, at = str(report.sender), report.text or "", report.at or now
    contact = contacts.contact_at(uow, channel, address)
    answers = outbox.answered(uow.session, account, report.replied_to, contact, channel.value, at - ANSWERS_WITHIN)
    survey = content.survey_of(uow, _template(uow, answers))
    intent = _intent(text, report.vendor_intent, policy, survey)
    felt = sentiment(text)
    values = {
        "account": account,
        "event": _event(report, address, text, at),
        "channel": channel.value,
        "contact_id": contact,
        "address": address,
        "to": report.to,
        "text": text,
        "media": list(report.media),
        "replied_to": answers,
        "intent": intent.kind,
        "why": intent.why,
        "survey": survey if intent.kind == intents.SURVEY else None,
        "sentiment": felt.label,
        "sentiment_score": felt.score,
        "answer": intent.answer,
        "occurred_at": at,
        "received_at": now,
    }
    values["address"], values["address_sealed"] = sealer_of(uow.session).sealed_pair(channel.value, address)
    new_id = insert_new(uow.session, InboundMessage, values, ["account", "event"])
    if new_id is None:
        return None
    row = uow.session.get(InboundMessage, new_id)
    assert row is not None  # just inserted
    return Wrote(row, channel, intent)


def _template(uow: UnitOfWork, message_id: int | None) -> int | None:
    found = uow.session.get(Message, message_id) if message_id is not None else None
    return found.template_id if found is not None else None


def _intent(text: str, vendor: str | None, policy: ReplyPolicy, survey: str | None = None) -> intents.Intent:
    """The classifier's reading (an answer first, when the message answered asked a question); the
    vendor's own (Twilio's OptOutType) where the classifier heard nothing, since the vendor has acted on it."""
    found = intents.classify(text, policy.words, survey)
    if found.kind == intents.OTHER and vendor:
        return intents.Intent(vendor.lower(), f"the vendor read it as {vendor} (OptOutType)", vendor.lower())
    return found


def _event(report: Report, address: str, text: str, at: datetime) -> str:
    if report.event:
        return report.event[:255]
    said = f"{address}|{at.isoformat()}|{text}"
    return "h:" + hashlib.sha256(said.encode()).hexdigest()


def react(uow: UnitOfWork, wrote: Wrote, policy: ReplyPolicy, now: datetime) -> None:
    """Do what the reply asks, through the owning rooms, and say what was done on its row."""
    kind, row = wrote.intent.kind, wrote.row
    if row.contact_id is not None:
        contacts.note_inbound(uow, row.contact_id, wrote.channel, row.occurred_at)
    done: list[str] = []
    if kind in (intents.STOP, intents.COMPLAINT):
        done += opt_out(uow, wrote, policy, now)
    if kind == intents.COMPLAINT:
        case = open_case(uow, row.contact_id, row.id, row.channel, row.address, row.text, "reply", policy, now)
        done.append(f"complaint case {case.id} opened, due {case.due_at:%Y-%m-%d %H:%M} UTC")
    if kind == intents.START:
        done += opt_in(uow, wrote, policy, now)
    if kind == intents.HELP and policy.help:
        done.append(_answer(uow, row, policy.help, now))
    row.reaction = "; ".join(done) or None
    _events(uow, wrote, now)


def opt_out(uow: UnitOfWork, wrote: Wrote, policy: ReplyPolicy, now: datetime) -> list[str]:
    """Suppress the address, withdraw marketing consent with the reply as proof, stop what is prepared."""
    row, channel = wrote.row, wrote.channel
    if row.contact_id is not None:
        locks.serialize(uow, [row.contact_id])  # a worker deciding for them now finishes first, or waits
    already = _suppressed(uow, channel, row.address)
    detail = f"{wrote.intent.why}; reply {row.id}: {row.text[:200]!r}"
    contacts.suppress(uow, channel, row.address, OPTED_OUT, now, detail)
    done = [f"{_named(uow, row.address)} suppressed on {channel}"]
    if row.contact_id is not None:
        every = policy.stop_scope == "marketing"
        for ch in Channel if every else (channel,):
            _consent(uow, row, ch, ConsentStatus.REVOKED, now)
        done.append(f"marketing consent withdrawn on {'every channel' if every else channel}")
        why = f"opted out by reply {row.id}"
        stopped = outbox.stop_in_flight(uow, row.contact_id, {channel.value}, every, why, now)
        if stopped:
            done.append(f"{stopped} prepared message(s) stopped")
    if policy.stop_confirmation and not already:
        done.append(_answer(uow, row, policy.stop_confirmation, now))
    return done


def opt_in(uow: UnitOfWork, wrote: Wrote, policy: ReplyPolicy, now: datetime) -> list[str]:
    """Lift the suppression a STOP put on the address and give marketing consent back, the reply as proof."""
    row, channel = wrote.row, wrote.channel
    done = []
    if _suppressed(uow, channel, row.address) == OPTED_OUT:
        contacts.unsuppress(uow, channel, row.address)
        done.append(f"{_named(uow, row.address)} no longer suppressed on {channel}")
    if row.contact_id is not None:
        _consent(uow, row, channel, ConsentStatus.GRANTED, now)
        done.append(f"marketing consent given on {channel}")
    if policy.start_confirmation:
        done.append(_answer(uow, row, policy.start_confirmation, now))
    return done


def _named(uow: UnitOfWork, address: str) -> str:
    """The address as texts kept in the database name it: itself, or "the sender" when sealed at rest."""
    return "the sender" if sealer_of(uow.session).on else address


def _suppressed(uow: UnitOfWork, channel: Channel, address: str) -> str | None:
    """The reason the address is suppressed on the channel, or None."""
    listed, key = contacts.Suppression, sealer_of(uow.session).channel_key(channel.value, address)
    return uow.session.scalar(select(listed.reason).where(listed.channel == channel.value, listed.address == key))


def _consent(uow: UnitOfWork, row: InboundMessage, channel: Channel, status: ConsentStatus, now: datetime) -> None:
    """Marketing consent on the channel, the reply itself as the proof (what they wrote, when, from where)."""
    at = f"{row.occurred_at:%Y-%m-%d %H:%M:%S} UTC"
    # The proof names the sender only where addresses are kept plain: sealed, reply N holds it sealed.
    sender = "" if sealer_of(uow.session).on else f" from {row.address}"
    proof = f"reply {row.id}{sender} on {row.channel} at {at}: {row.text[:500]!r}"
    assert row.contact_id is not None  # (callers check)
    contacts.set_consent(uow, row.contact_id, channel, Purpose.MARKETING, status, "reply", proof, now, row.occurred_at)


def _answer(uow: UnitOfWork, row: InboundMessage, body: str, now: datetime) -> str:
    """Queue an answer to the person, from the number they wrote to; the worker sends it."""
    uow.session.add(
        Reply(
            inbound_id=row.id,
            account=row.account,
            channel=row.channel,
            address=row.address,
            sender=row.to,
            body=body,
            status="queued",
            attempts=0,
            created_at=now,
        )
    )
    return "answered"


def _events(uow: UnitOfWork, wrote: Wrote, now: datetime) -> None:
    """The reply as events of its contact, through the events room (automatic tags see them)."""
    row, kind = wrote.row, wrote.intent.kind
    if row.contact_id is None:
        return
    said = {"text": row.text[:1000], "channel": row.channel, "intent": kind, "message_id": row.replied_to}
    said["sentiment"] = row.sentiment
    types = {"message.replied": f"inbound:{row.id}"}
    if kind in FACTS:
        types[FACTS[kind]] = f"inbound:{row.id}:{kind}"
    events = [EventIn(t, row.occurred_at, row.contact_id, properties=said, event_id=i) for t, i in types.items()]
    record_events(uow, events, now, source="tracking", after=after_events)
