"""Use cases of the campaigns room; the only writer of `campaigns`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from herald.campaigns import planner
from herald.campaigns.context import pick_version, template_facts
from herald.campaigns.models import Campaign
from herald.content import service as content
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid, NotFound
from herald.rules import Policy, load_policy
from herald.segments import queries as segments
from herald.types import Purpose


def create_campaign(uow: UnitOfWork, name: str, segment: str, template: str | int, now: datetime, *,
                    purpose: Purpose = Purpose.MARKETING, preset: str = "default",
                    overrides: Mapping[str, Any] | None = None) -> Campaign:
    """Create a draft campaign after checking its segment, template and policy."""
    if not name.strip():
        raise Invalid("a name is required", where="campaign")
    if uow.session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise Conflict(f"campaign {name!r} already exists")
    segments.audience_select(uow.session, segment)
    tmpl = content.get_template(uow, template)
    load_policy(preset, overrides)
    campaign = Campaign(name=name, segment=segment, template_id=tmpl.id, channel=tmpl.channel,
                        purpose=purpose.value, preset=preset, policy_overrides=dict(overrides or {}),
                        status="draft", created_at=now)
    uow.session.add(campaign)
    uow.flush()
    return campaign


def get_campaign(uow: UnitOfWork, ref: str | int) -> Campaign:
    """A campaign by id or name, or NotFound."""
    by_id = isinstance(ref, int) or str(ref).isdigit()
    stmt = select(Campaign).where(Campaign.id == int(ref)) if by_id else select(Campaign).where(Campaign.name == ref)
    campaign = uow.session.scalar(stmt)
    if campaign is None:
        raise NotFound(f"campaign {ref!r} does not exist")
    return campaign


def policy_of(campaign: Campaign) -> Policy:
    return load_policy(campaign.preset, campaign.policy_overrides)


def plan_campaign(uow: UnitOfWork, ref: str | int, now: datetime,
                  progress: Callable[[int], None] | None = None) -> planner.PlanStats:
    """Turn the campaign's audience into outbox rows; safe to run again."""
    campaign = get_campaign(uow, ref)
    template = content.get_template(uow, campaign.template_id)
    approved = content.approved_versions(uow, template.id)
    if not approved:
        raise Invalid(f"template {template.name!r} has no approved version; submit it and have it approved first",
                      where=f"campaign {campaign.name!r}")
    # Planning judges the template's own version; the worker re-decides with each contact's version.
    intent = planner.intent_for(campaign, *template_facts(template, pick_version(approved, template.default_locale,
                                                                                 None)))
    audience = segments.audience_select(uow.session, campaign.segment)
    stats = planner.plan(uow, campaign, audience, policy_of(campaign), now, progress, intent)
    if stats.audience == 0:  # nothing was written; the caller's unit of work rolls back anyway
        raise Invalid(f"the segment {campaign.segment!r} matches no contacts", where=f"campaign {campaign.name!r}")
    campaign.status, campaign.planned_at = "planned", now
    campaign.audience_size = max(campaign.audience_size or 0, stats.audience)
    return stats
