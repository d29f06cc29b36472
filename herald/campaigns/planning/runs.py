"""What one run of a campaign works on: its audience (segment or static list, less exclusions) and its
Plan (variants with their intents, the policy's decider, the senders' usage, the schedule and rollout)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, not_, select

from herald import content, scores, segments
from herald.access import sealer_of
from herald.campaigns.context import pick_version, template_facts
from herald.campaigns.models import Campaign, CampaignMember
from herald.campaigns.planning import assign
from herald.campaigns.planning.facts import load_usage
from herald.campaigns.planning.plans import Plan, intent_for
from herald.campaigns.planning.schedule import wall_time
from herald.contacts import Contact
from herald.content import Template
from herald.db import UnitOfWork, locks
from herald.errors import Invalid
from herald.outbox import Message
from herald.rules import Decider, Policy, load_policy
from herald.types import MessageStatus


def policy_of(campaign: Campaign) -> Policy:
    return load_policy(campaign.preset, campaign.policy_overrides)


def variants_of(campaign: Campaign) -> tuple[assign.Variant, ...]:
    return assign.from_stored(campaign.variants)


def audience(uow: UnitOfWork, campaign: Campaign, now: datetime | None = None, among: Select | None = None) -> Select:
    """SELECT contacts.id of the campaign's audience, in id order: the segment as it is now (or the static
    list), less the exclusion segment and everyone the excluded campaigns reached; with `among` (the
    contacts who did a campaign's trigger event), only those of them."""
    if campaign.static_list:
        members = select(CampaignMember.contact_id).where(CampaignMember.campaign_id == campaign.id)
        stmt = select(Contact.id).where(Contact.id.in_(members)).order_by(Contact.id)
    else:
        stmt = segments.audience_select(uow.session, campaign.segment, now)
    if campaign.exclude_segment:
        excluded = segments.audience_select(uow.session, campaign.exclude_segment, now).order_by(None)
        stmt = stmt.where(Contact.id.not_in(excluded.scalar_subquery()))
    if campaign.exclude_campaigns:
        reached = exists().where(
            Message.contact_id == Contact.id,
            Message.campaign_id.in_(campaign.exclude_campaigns),
            Message.status == MessageStatus.SENT,
        )
        stmt = stmt.where(not_(reached))
    return stmt if among is None else _triggered(stmt, campaign, among)


def _triggered(stmt: Select, campaign: Campaign, among: Select) -> Select:
    """Those of the audience who did the trigger event; once-only campaigns leave out anyone it already
    sent to or still means to (a skipped or cancelled message leaves them in)."""
    stmt = stmt.where(Contact.id.in_(among.scalar_subquery()))
    if (campaign.trigger or {}).get("once"):
        gone = (MessageStatus.SKIPPED, MessageStatus.CANCELLED)
        had = exists().where(
            Message.campaign_id == campaign.id, Message.contact_id == Contact.id, Message.status.not_in(gone)
        )
        stmt = stmt.where(not_(had))
    return stmt


def templates_of(uow: UnitOfWork, campaign: Campaign) -> dict[int, Template]:
    ids = {t for v in variants_of(campaign) for _, t in v.templates}
    return {i: content.get_template(uow, i) for i in sorted(ids)}


def unapproved(uow: UnitOfWork, campaign: Campaign) -> list[str]:
    """Names of the campaign's templates that have no approved version yet."""
    return [t.name for i, t in templates_of(uow, campaign).items() if not content.approved_versions(uow, i)]


def _prefixes_matchable(uow: UnitOfWork, policy: Policy, campaign: Campaign) -> None:
    """With personal data sealed at rest a number's first six digits stay plain: a rule scoped to a longer
    prefix could never match, and is refused rather than ignored."""
    sealer = sealer_of(uow.session)
    if not sealer.on:
        return
    longer = sorted({p for s in policy.rules if s.scope for p in s.scope.prefixes if len(p) > sealer.plain_prefix})
    if longer:
        raise Invalid(
            f"number prefix(es) {', '.join(longer)} are longer than the six digits kept plain when personal data "
            "is sealed at rest; scope the rule by a shorter prefix or by region",
            where=f"campaign {campaign.name!r}",
        )


def build_plan(uow: UnitOfWork, campaign: Campaign, now: datetime, run: int = 0) -> Plan:
    """Everything one run needs; refuses templates without an approved version."""
    missing = unapproved(uow, campaign)
    if missing:
        raise Invalid(
            f"template(s) {', '.join(missing)} have no approved version; submit them and have them approved first",
            where=f"campaign {campaign.name!r}",
        )
    policy = policy_of(campaign)
    _prefixes_matchable(uow, policy, campaign)
    if policy.reads_usage:  # another plan or worker using the senders' caps waits until this one commits
        locks.serialize(uow, (), usage=True)
    usage = load_usage(uow.session, now, planned=True) if policy.reads_usage else None
    variants = variants_of(campaign)
    won = (campaign.experiment or {}).get("sent_to_rest")
    if won:  # the test chose a variant for the rest: those who join the audience later get it too
        variants = tuple(replace(v, weight=100.0) for v in variants if v.name == won)
    intents = {v.name: intent_for(campaign, v, *_whatsapp_facts(uow, v), usage=usage) for v in variants}
    rollout = campaign.rollout or {}
    # Until the rollout is released, only its canary share is queued; the rest is held.
    canary = rollout["canary_percent"] if rollout and rollout.get("state") != "released" else None
    test = campaign.experiment or {}
    # While an A/B test runs, only its test share is queued; the rest waits for the winner.
    if test.get("state") == "testing":
        canary = test["test_percent"]
    local = wall_time(campaign.local_time, "local time") if campaign.local_time else None
    day = campaign.start_at.date() if local and campaign.start_at else None
    held_as = "abtest" if test.get("state") == "testing" else "rollout"
    plan = Plan(campaign, variants, intents, Decider(policy), run, local, day, canary, usage, held_as)
    delay = (campaign.trigger or {}).get("delay_minutes") if campaign.schedule == "event" else None
    if delay:
        plan.delay = timedelta(minutes=delay)
    if campaign.schedule == "best" and campaign.best_within:
        plan.best_within = campaign.best_within
        plan.send_times = scores.send_times(uow.session, audience(uow, campaign, now))
    return plan


def _whatsapp_facts(uow: UnitOfWork, variant: assign.Variant) -> tuple[str | None, str | None]:
    """Planning judges the WhatsApp template's own version; the worker re-decides with each contact's."""
    template_id = dict(variant.templates).get("whatsapp")
    if template_id is None:
        return None, None
    template = content.get_template(uow, template_id)
    approved = content.approved_versions(uow, template_id)
    return template_facts(template, pick_version(approved, template.default_locale, None))
