"""A campaign made: created as a draft (its audience, templates, variants, policy and test checked), found,
cloned; and its static list kept when contacts are merged."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from herald import content, segments
from herald.campaigns import rollout
from herald.campaigns.abtests import experiment
from herald.campaigns.abtests.measuring import check_test
from herald.campaigns.models import Campaign, CampaignMember
from herald.campaigns.planning import assign
from herald.contacts import Contact
from herald.db import UnitOfWork, rowcount
from herald.errors import Conflict, Invalid, NotFound
from herald.rules import ConsentFact, MessageIntent, Recipient, Skip, decide, load_policy
from herald.types import CampaignStatus as C
from herald.types import Channel, Purpose, as_id


@dataclass(frozen=True)
class Audience:
    """Who a campaign is for, besides its segment: a static list, exclusions and a hold-out share."""

    contacts: tuple[int, ...] = ()
    exclude_segment: str | None = None
    exclude_campaigns: tuple[str | int, ...] = ()
    holdout_percent: float = 0.0


def create_campaign(
    uow: UnitOfWork,
    name: str,
    segment: str,
    template: str | int | Sequence[str | int],
    now: datetime,
    *,
    purpose: Purpose = Purpose.MARKETING,
    preset: str = "default",
    overrides: Mapping[str, Any] | None = None,
    variants: Sequence[tuple[str, float, Sequence[str | int]]] = (),
    audience: Audience = Audience(),
    rollout_settings: Mapping[str, Any] | None = None,
    sender_pool: str | None = None,
    pools: Collection[str] = (),
    test_settings: Mapping[str, Any] | None = None,
    tracks_links: bool = False,
) -> Campaign:
    """Create a draft campaign after checking its audience, templates, variants, policy, sender pool (one
    of `pools`, those the provider accounts' senders are in) and A/B test (its metric one the variants can
    measure; clicks only where Herald `tracks_links`)."""
    if not name.strip():
        raise Invalid("a name is required", where="campaign")
    if uow.session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise Conflict(f"campaign {name!r} already exists")
    if not audience.contacts:
        segments.audience_select(uow.session, segment)
    if audience.exclude_segment:
        segments.audience_select(uow.session, audience.exclude_segment)
    chain = [template] if isinstance(template, str | int) else list(template)
    built = _variants(uow, variants or [("A", 100.0, chain)])
    assign.percent(audience.holdout_percent, "hold-out", 0, 50)
    excluded = [get_campaign(uow, ref).id for ref in audience.exclude_campaigns]
    if sender_pool is not None and sender_pool not in pools:
        known = ", ".join(sorted(pools)) or "none: list senders with pools under [providers.NAME]"
        raise Invalid(f"no provider account has a sender in pool {sender_pool!r} (pools: {known})", where="sender pool")
    policy = load_policy(preset, overrides)
    check_feasible(policy, built, purpose)
    test = check_test(uow, built, test_settings, tracks_links, rollout_settings) if test_settings is not None else None
    first_channel, first_template = built[0].templates[0]
    campaign = Campaign(
        name=name,
        segment=segment if not audience.contacts else f"list of {len(audience.contacts)} contacts",
        template_id=first_template,
        channel=first_channel,
        purpose=purpose.value,
        preset=preset,
        policy_overrides=dict(overrides or {}),
        status=C.DRAFT,
        created_at=now,
        variants=[v.as_dict() for v in built],
        holdout_percent=audience.holdout_percent,
        exclude_segment=audience.exclude_segment,
        exclude_campaigns=excluded,
        static_list=bool(audience.contacts),
        rollout=rollout.check(rollout_settings) if rollout_settings else None,
        sender_pool=sender_pool,
        experiment=test,
    )
    uow.session.add(campaign)
    uow.flush()
    if audience.contacts:
        _add_members(uow, campaign, audience.contacts)
    return campaign


def _variants(uow: UnitOfWork, specs: Sequence[tuple[str, float, Sequence[str | int]]]) -> tuple[assign.Variant, ...]:
    built = []
    for name, weight, refs in specs:
        templates: dict[str, int] = {}
        for ref in refs:
            t = content.get_template(uow, ref)
            if t.channel in templates:
                raise Invalid(
                    f"variant {name} has two {t.channel} templates; give one per channel, in the order "
                    "channels are tried",
                    where="variants",
                )
            templates[t.channel] = t.id
        built.append(assign.Variant(name, weight, tuple(templates.items())))
    assign.check_variants(built)
    return tuple(built)


def _add_members(uow: UnitOfWork, campaign: Campaign, ids: Sequence[int]) -> None:
    unique = sorted(set(ids))
    found = set(uow.session.scalars(select(Contact.id).where(Contact.id.in_(unique))))
    missing = [i for i in unique if i not in found]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise NotFound(f"{len(missing)} listed contact(s) do not exist: {shown}")
    uow.session.execute(insert(CampaignMember), [{"campaign_id": campaign.id, "contact_id": i} for i in unique])


PROBE_AT = datetime(2026, 1, 5, 12, tzinfo=UTC)  # a Monday noon: a policy with no moment at all shows anyway


def check_feasible(policy, variants: Sequence[assign.Variant], purpose: Purpose, now: datetime = PROBE_AT) -> None:
    """Refuse a policy that would skip even an ideal recipient (consent with proof on every channel, a
    mobile number on the allow-list, nothing sent lately, a reply just now): its windows leave no moment."""
    granted = tuple(
        ConsentFact(ch, p, "granted", now - timedelta(days=1), "form", True) for ch in Channel for p in Purpose
    )
    probe = Recipient(
        None,
        {Channel.SMS: "+442071838750", Channel.WHATSAPP: "+442071838750", Channel.EMAIL: "probe@example.com"},
        ("UTC",),
        None,
        "mobile",
        granted,
        last_inbound={Channel.WHATSAPP: now},
        allow_listed=frozenset(Channel),
    )
    for variant in variants:
        intent = MessageIntent(purpose, tuple(Channel(c) for c in variant.channels))
        decision = decide(probe, intent, policy, now)
        if isinstance(decision, Skip):
            why = next(o for o in decision.trail if o.verdict == "skip")
            raise Invalid(f"the policy leaves no moment to send: {why.rule} — {why.detail}", where="policy")


def get_campaign(uow: UnitOfWork, ref: str | int) -> Campaign:
    """A campaign by id or name, or NotFound."""
    number = as_id(ref)
    stmt = (
        select(Campaign).where(Campaign.id == number)
        if number is not None
        else select(Campaign).where(Campaign.name == str(ref))
    )
    campaign = uow.session.scalar(stmt)
    if campaign is None:
        raise NotFound(f"campaign {ref!r} does not exist")
    return campaign


def clone_campaign(uow: UnitOfWork, ref: str | int, name: str, now: datetime) -> Campaign:
    """A new draft with the same audience, content, policy, schedule kind and rollout."""
    source = get_campaign(uow, ref)
    if uow.session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise Conflict(f"campaign {name!r} already exists")
    keep = (
        "segment",
        "template_id",
        "channel",
        "purpose",
        "preset",
        "policy_overrides",
        "variants",
        "holdout_percent",
        "exclude_segment",
        "exclude_campaigns",
        "static_list",
        "sender_pool",
    )
    copy = Campaign(
        name=name, status=C.DRAFT, created_at=now, cloned_from=source.id, **{k: getattr(source, k) for k in keep}
    )
    if source.rollout:
        copy.rollout = {**source.rollout, "state": "canary"}
    if source.experiment:  # the same test, not yet run
        copy.experiment = {k: v for k, v in source.experiment.items() if k not in experiment.KEPT}
        copy.experiment["state"] = "testing"
    uow.session.add(copy)
    uow.flush()
    if source.static_list:
        members = uow.session.scalars(select(CampaignMember.contact_id).where(CampaignMember.campaign_id == source.id))
        _add_members(uow, copy, list(members))
    return copy


def move_members(uow: UnitOfWork, from_id: int, to_id: int) -> int:
    """Contacts were merged: static lists that held one hold the other."""
    had = select(CampaignMember.campaign_id).where(CampaignMember.contact_id == to_id)
    moved = rowcount(
        uow.session.execute(
            update(CampaignMember)
            .where(CampaignMember.contact_id == from_id, CampaignMember.campaign_id.not_in(had))
            .values(contact_id=to_id)
        )
    )
    uow.session.execute(delete(CampaignMember).where(CampaignMember.contact_id == from_id))
    return moved
