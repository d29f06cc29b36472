"""Per-batch preparation: re-decide with fresh facts and render, inside one unit of work."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from herald.campaigns import service as campaigns
from herald.campaigns.facts import load_recipients
from herald.campaigns.models import Campaign
from herald.campaigns.planner import idempotency_key, intent_for
from herald.contacts.models import Contact
from herald.content import render
from herald.content.models import Template
from herald.db import UnitOfWork
from herald.outbox import service as outbox
from herald.outbox.service import Claimed
from herald.providers import Outgoing
from herald.rules import Defer, Policy, Recipient, RuleOutcome, SendFact, Skip, Verdict, decide
from herald.rules.decision import trail_json
from herald.types import Channel, Purpose


@dataclass
class Prepared:
    claimed: Claimed
    outgoing: Outgoing
    provider: str


@dataclass
class BatchCounts:
    sending: int = 0
    skipped: int = 0
    deferred: int = 0
    failed: int = 0
    lost: int = 0  # lease lost to another worker


def context(contact: Contact, campaign: Campaign) -> dict[str, object]:
    """The variables a template may use for this contact; empty ones are left out, so that a template's
    `default()` applies and a required one skips the recipient instead of printing "None"."""
    name = (contact.name or "").strip()
    values = {"name": name, "first_name": name.split()[0] if name else None, "phone": contact.phone,
              "email": contact.email, "region": contact.region, "campaign": campaign.name,
              "attr": {k: v for k, v in (contact.attributes or {}).items() if v not in (None, "")}}
    return {k: v for k, v in values.items() if v not in (None, "")}


def prepare(uow: UnitOfWork, claimed: list[Claimed], now: datetime, providers: dict[str, str],
            counts: BatchCounts) -> list[Prepared]:
    """Re-check and render each claimed message; mark sendable ones inflight, settle the rest."""
    session = uow.session
    ids = sorted({c.contact_id for c in claimed})
    recipients = load_recipients(session, ids, now)
    # load_recipients put these contacts in the session; get() reads its identity map, not the database.
    contacts = {i: session.get(Contact, i) for i in recipients}
    camps = {i: campaigns.get_campaign(uow, i) for i in {c.campaign_id for c in claimed if c.campaign_id}}
    policies = {i: campaigns.policy_of(c) for i, c in camps.items()}
    wanted = {c.template_id for c in claimed}
    templates = {t.id: t for t in session.scalars(select(Template).where(Template.id.in_(wanted)))}
    ready = []
    for item in claimed:
        campaign = camps.get(item.campaign_id)
        recipient = recipients.get(item.contact_id)
        if campaign is None or recipient is None or item.template_id not in templates:
            counts.failed += outbox.mark_failed(uow, item.id, item.token, "orphaned",
                                                "campaign, contact or template no longer exists", now)
            continue
        prepared = _one(uow, item, campaign, policies[campaign.id], recipient, contacts[item.contact_id],
                        templates[item.template_id], now, providers, counts)
        if prepared is not None:
            ready.append(prepared)
            # Later messages in this batch must see this one for frequency caps.
            recipients[item.contact_id] = _with_send(recipient, prepared.outgoing.channel, campaign.purpose, now)
    return ready


def _with_send(r: Recipient, channel: str, purpose: str, now: datetime) -> Recipient:
    return replace(r, sends=(*r.sends, SendFact(Channel(channel), Purpose(purpose), now)))


def _one(uow: UnitOfWork, item: Claimed, campaign: Campaign, policy: Policy, recipient: Recipient,
         contact: Contact, template: Template, now: datetime, providers: dict[str, str],
         counts: BatchCounts) -> Prepared | None:
    decision = decide(recipient, intent_for(campaign), policy, now)
    trail = trail_json(decision)
    if isinstance(decision, Skip):
        counts.skipped += outbox.mark_skipped(uow, item.id, item.token, decision.reason, trail, now)
        return None
    if isinstance(decision, Defer):
        counts.deferred += outbox.mark_retry(uow, item.id, item.token, decision.until, "deferred at send time",
                                             now, trail)
        return None
    channel = decision.channel
    try:
        body = render.render(template.body, context(contact, campaign))
        subject = render.render(template.subject, context(contact, campaign)) if template.subject else None
    except render.RenderError as exc:
        outcome = RuleOutcome("template", channel, Verdict.SKIP, str(exc))
        counts.skipped += outbox.mark_skipped(uow, item.id, item.token, "template", [*trail, outcome.as_dict()], now)
        return None
    provider = providers[channel.value]
    address = recipient.addresses[channel]
    if not outbox.mark_inflight(uow, item.id, item.token, channel.value, address, provider, now, trail):
        counts.lost += 1
        return None
    counts.sending += 1
    key = idempotency_key(campaign.id, contact.id)
    return Prepared(item, Outgoing(item.id, key, channel.value, address, body, subject), provider)
