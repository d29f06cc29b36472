"""Sending a campaign's claimed messages, a batch at a time inside one unit of work: re-decide each with
fresh facts (the rules again, with the variant's fallback channels), pick the contact's version of the
template, render it, and mark it in flight for the worker — or settle it (skipped, deferred, held,
failed) with the reason. The worker (`dispatch`) claims, calls this, sends and records."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from herald import content, outbox
from herald.access import sealer_of
from herald.campaigns import service as campaigns
from herald.campaigns.context import build_context, contact_locale, pick_version, template_facts
from herald.campaigns.models import Campaign
from herald.campaigns.planning import runs
from herald.campaigns.planning.assign import Variant
from herald.campaigns.planning.facts import load_recipients, load_usage
from herald.campaigns.planning.plans import idempotency_key, intent_for
from herald.campaigns.prepared import Batch, BatchCounts, Going, Links, Prepared, Senders
from herald.campaigns.unrouted import Way, settle_unrouted
from herald.contacts import Contact
from herald.content import Composed, RenderError, Template, TemplateVersion, compose, coupon_pools
from herald.db import UnitOfWork, locks
from herald.outbox import Claimed
from herald.providers import Outgoing, Routing
from herald.rules import (
    Defer,
    MessageIntent,
    Recipient,
    RuleOutcome,
    SendFact,
    Skip,
    Verdict,
    decide,
    trail_json,
)
from herald.tags import names_by_contact
from herald.types import CampaignStatus, Channel, Purpose

log = logging.getLogger("herald.worker")
UNREACHABLE = "unreachable"  # the failure reason when every channel's provider said it cannot reach the person


def prepare(
    uow: UnitOfWork,
    claimed: list[Claimed],
    now: datetime,
    routing: Routing,
    counts: BatchCounts,
    paused: frozenset[str] = frozenset(),
    senders: Senders | None = None,
    links: Links | None = None,
) -> list[Prepared]:
    """Re-check and render each claimed message; mark sendable ones inflight (with the sender each goes
    from, where its account lists senders), settle the rest."""
    session = uow.session
    ids = sorted({c.contact_id for c in claimed})
    camps = {i: campaigns.get_campaign(uow, i) for i in {c.campaign_id for c in claimed if c.campaign_id}}
    policies = {i: runs.policy_of(c) for i, c in camps.items()}
    # Other workers deciding for these contacts (or for the senders' caps) wait until this batch's
    # decisions are committed, and then see them: caps hold however many workers run.
    locks.serialize(uow, ids, usage=any(p.reads_usage for p in policies.values()))
    if senders is not None:  # read once the contacts are locked: their sticky senders are then settled
        senders.load(uow, ids, now)
    recipients = load_recipients(session, ids, now)
    variants = {i: runs.variants_of(c) for i, c in camps.items()}
    # Every template a message may fall back to, not only the one planned.
    wanted = {c.template_id for c in claimed if c.template_id is not None} | {
        t for vs in variants.values() for v in vs for _, t in v.templates
    }
    reads_usage = any(p.reads_usage for p in policies.values())
    batch = Batch(
        {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids)))},
        camps,
        policies,
        {t.id: t for t in session.scalars(select(Template).where(Template.id.in_(wanted)))},
        {i: content.approved_versions(uow, i) for i in wanted},
        names_by_contact(session, ids),
        variants,
        load_usage(session, now, planned=False) if reads_usage else None,
        senders,
        links,
    )
    ready = []
    for item in claimed:
        campaign = camps.get(item.campaign_id) if item.campaign_id is not None else None
        recipient = recipients.get(item.contact_id)
        if campaign is None or recipient is None or item.template_id not in batch.templates:
            counts.failed += outbox.mark_failed(
                uow, item.id, item.token, "orphaned", "campaign, contact or template no longer exists", now
            )
            continue
        if campaign.status in (CampaignStatus.PAUSED, CampaignStatus.CANCELLED):
            # Paused or cancelled after this message was claimed: it goes the way of the rest.
            cancelled = campaign.status == CampaignStatus.CANCELLED
            counts.held += outbox.mark_stopped(uow, item.id, item.token, cancelled, now)
            continue
        try:
            prepared = _one(uow, item, campaign, recipient, batch, now, routing, counts, paused)
        except SQLAlchemyError:
            raise  # the database itself failed: the whole batch is retried after its lease
        except Exception as exc:  # anything else fails this message alone, with the reason, never the batch
            log.exception("message %s could not be prepared", item.id)
            counts.failed += outbox.mark_failed(
                uow, item.id, item.token, "internal", f"could not be prepared: {type(exc).__name__}: {exc}", now
            )
            continue
        if prepared is not None:
            ready.append(prepared)
            # Later messages in this batch must see this one for frequency caps.
            recipients[item.contact_id] = _with_send(recipient, prepared.outgoing.channel, campaign.purpose, now)
    if senders is not None:
        senders.keep(uow, now)
    return ready


def _with_send(r: Recipient, channel: str, purpose: str, now: datetime) -> Recipient:
    return replace(r, sends=(*r.sends, SendFact(Channel(channel), Purpose(purpose), now)))


def _one(
    uow: UnitOfWork,
    item: Claimed,
    campaign: Campaign,
    recipient: Recipient,
    batch: Batch,
    now: datetime,
    routing: Routing,
    counts: BatchCounts,
    paused: frozenset[str],
) -> Prepared | None:
    """Re-check one claimed message and, when it may go, render it and mark it inflight; else settle it."""
    contact, variant = batch.contacts[item.contact_id], _variant(batch.variants[campaign.id], item.variant)
    intent = _intent(item, campaign, variant, contact, batch)
    if item.avoid and not intent.channels:
        why = "no channel of the campaign reaches them (the last provider's code is kept)"
        counts.failed += outbox.mark_failed(uow, item.id, item.token, UNREACHABLE, why, now)
        return None
    decision = decide(recipient, intent, batch.policies[campaign.id], now)
    trail = trail_json(decision)
    if isinstance(decision, Skip):
        counts.skipped += outbox.mark_skipped(uow, item.id, item.token, decision.reason, trail, now)
        return None
    if isinstance(decision, Defer):
        counts.deferred += outbox.mark_retry(
            uow, item.id, item.token, decision.until, "deferred at send time", now, trail
        )
        return None
    template, version = _template(item, variant, decision.channel, contact, batch)
    # The account is chosen before anything is rendered: a message with no way out draws no coupon. An
    # account that sends only its vendor's approved templates (Aliyun) carries only versions naming one.
    codes = content.vendor_codes(version.content) if version is not None else frozenset()
    pool = campaign.sender_pool
    provider = routing.first(decision.channel.value, recipient.region, paused, codes, pool)
    if provider is None:
        way = Way(decision.channel.value, recipient.region, codes, template.name, pool)
        settle_unrouted(uow, item, routing, way, now, trail, counts)
        return None
    try:
        composed = _compose(uow, batch, template, version, contact, campaign, now, item.id)
    except RenderError as exc:
        outcome = RuleOutcome("template", decision.channel, Verdict.SKIP, str(exc))
        counts.skipped += outbox.mark_skipped(uow, item.id, item.token, "template", [*trail, outcome.as_dict()], now)
        return None
    if batch.links is not None and version is not None and version.content.get("track_links") is not False:
        composed = batch.links.shorten(uow, item.id, decision.channel.value, composed, now)
    going = Going(item, campaign, contact, recipient, decision, provider, composed)
    return _inflight(uow, going, batch, now, trail, counts)


def _intent(item: Claimed, campaign: Campaign, variant: Variant, contact: Contact, batch: Batch) -> MessageIntent:
    """What the message asks of the rules now: its variant's channels (less those a provider said cannot
    reach the person), with the facts of its WhatsApp template."""
    wa_template = dict(variant.templates).get("whatsapp")
    wa_facts: tuple[str | None, str | None] = (None, None)
    if wa_template is not None and wa_template in batch.templates:
        wa = batch.templates[wa_template]
        wa_facts = template_facts(wa, pick_version(batch.approved[wa.id], wa.default_locale, contact_locale(contact)))
    intent = intent_for(campaign, variant, *wa_facts, usage=batch.usage)
    if item.avoid:  # a provider said these channels cannot reach the person: the rules choose among the rest
        intent = replace(intent, channels=tuple(c for c in intent.channels if c.value not in item.avoid))
    return intent


def _template(
    item: Claimed, variant: Variant, channel: Channel, contact: Contact, batch: Batch
) -> tuple[Template, TemplateVersion | None]:
    """The template of the channel the rules chose (a fallback's, since planning) and the contact's version."""
    template = batch.templates.get(variant.template_for(channel.value)) if channel.value in variant.channels else None
    template = template or batch.templates[cast(int, item.template_id)]  # `prepare` kept only known ones
    return template, pick_version(batch.approved[template.id], template.default_locale, contact_locale(contact))


def _inflight(
    uow: UnitOfWork, going: Going, batch: Batch, now: datetime, trail: list[Any], counts: BatchCounts
) -> Prepared | None:
    """Mark the message inflight (None when another worker took its lease meanwhile) and make it ready."""
    item, contact, decision, composed = going.item, going.contact, going.decision, going.composed
    channel = decision.channel
    address = going.recipient.addresses[channel]  # as stored: a key when personal data is sealed at rest
    to = (contact.email if channel is Channel.EMAIL else contact.phone) or address
    units = content.analyze(composed.body).segments if channel is Channel.SMS else 1
    pool, region = going.campaign.sender_pool, going.recipient.region
    sender = batch.senders.pick(going.provider, contact.id, region, pool) if batch.senders else None
    buckets = ",".join(decision.buckets) or None
    sealed = sealer_of(uow.session).seal_address(address, to)
    name = sender.name if sender else None
    if not outbox.mark_inflight(
        uow, item.id, item.token, channel.value, address, going.provider, now, trail, buckets, units, name, sealed
    ):
        counts.lost += 1
        return None
    counts.sending += 1
    if batch.usage is not None:
        for bucket in decision.buckets:
            batch.usage.record(bucket, now)
    payload = {**composed.payload, "preheader": composed.preheader} if composed.preheader else composed.payload
    outgoing = Outgoing(
        item.id,
        idempotency_key(going.campaign.id, contact.id, item.run),
        channel.value,
        to,
        composed.body,
        composed.subject,
        html=composed.html,
        payload=payload,
        purpose=str(going.campaign.purpose),
        sender=sender.address if sender else None,
    )
    return Prepared(item, outgoing, going.provider, units, name)


def _variant(variants: tuple[Variant, ...], name: str | None) -> Variant:
    """The message's variant (a hold-out row never gets this far), else the first."""
    return next((v for v in variants if v.name == name), variants[0])


def _compose(
    uow: UnitOfWork,
    batch: Batch,
    template: Template,
    version: TemplateVersion | None,
    contact: Contact,
    campaign: Campaign,
    now: datetime,
    message_id: int,
) -> Composed:
    """The contact's version of the template, rendered (a coupon drawn now is noted as this message's);
    RenderError says why it cannot be."""
    if version is None:
        raise RenderError(f"template {template.name} has no approved version")
    coupons = {}
    for pool in sorted(coupon_pools(template.channel, version.content)):
        code = content.assign_coupon(uow, pool, contact.id, now, message_id)
        if code is None:
            raise RenderError(f"coupon pool {pool} has no codes left")
        coupons[pool] = code
    context = build_context(contact, campaign.name, now, batch.tags.get(contact.id), coupons)
    return compose(
        template.channel, version.content, context, name=template.name, locale=version.locale, variant=version.variant
    )
