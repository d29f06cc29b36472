"""The campaigns service's A/B test phase: the settings checked against what the variants can measure,
the test waiting for its hold, and the verdict carried out — the winner (or, without one, what the
campaign says) sent to the rest of the audience held until then. The analytics room judges the figures
and calls `conclude_test`; an operator may choose a winner themselves."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from herald import outbox
from herald.campaigns.abtests import experiment
from herald.campaigns.models import Campaign
from herald.campaigns.planning import assign
from herald.campaigns.service import get_campaign, pause_campaign
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid
from herald.types import CampaignStatus as C

HELD = "abtest"  # why the rest of a test's audience is held


def testing(session: Any, now: datetime) -> list[Campaign]:
    """Running campaigns whose A/B test is due to be looked at."""
    stmt = select(Campaign).where(Campaign.status == C.RUNNING, Campaign.experiment_check_at <= now)
    return list(session.scalars(stmt.order_by(Campaign.id)))


def wait_test(uow: UnitOfWork, campaign: Campaign, until: datetime, note: str) -> None:
    """The test is looked at again at `until`, for the reason given."""
    campaign.experiment_check_at = until
    campaign.experiment = {**(campaign.experiment or {}), "note": note}


def conclude_test(
    uow: UnitOfWork, ref: str | int, winner: str | None, reason: str, figures: Mapping[str, Any], now: datetime
) -> str:
    """Carry out the verdict: the winner (or the campaign's choice without one) goes to the rest of the
    audience; or the campaign pauses for a person to choose. Returns one line saying what happened."""
    campaign = get_campaign(uow, ref)
    settings = campaign.experiment or {}
    if settings.get("state") != "testing":
        raise Conflict(f"campaign {campaign.name!r} has no A/B test waiting for a verdict")
    variants = {v.name: v for v in assign.from_stored(campaign.variants)}
    if winner is not None and winner not in variants:
        raise Invalid(f"no variant {winner!r} (variants: {', '.join(variants)})", where=f"campaign {campaign.name!r}")
    action, chosen = experiment.after(settings, winner, next(iter(variants)))
    decided = {"winner": winner, "reason": reason, "figures": dict(figures), "decided_at": now.isoformat()}
    campaign.experiment, campaign.experiment_check_at = {**settings, **decided, "state": "decided"}, None
    if action == "pause":
        campaign.experiment = {**campaign.experiment, "state": "undecided"}
        pause_campaign(uow, campaign.id, now, f"A/B test found no winner: {reason}; choose one with campaigns winner")
        return f"{campaign.name}: paused — A/B test found no winner: {reason}"
    if action == "split":
        released = outbox.release(uow, campaign.id, HELD, now)
        return f"{campaign.name}: no A/B winner ({reason}); the rest ({released}) get the variants by weight"
    name = chosen or ""
    campaign.experiment = {**campaign.experiment, "sent_to_rest": name}
    released = outbox.release_as(uow, campaign.id, HELD, name, variants[name].templates, now)
    said = f"{name} won: {reason}" if winner else f"no winner ({reason}); the control {name} goes"
    return f"{campaign.name}: A/B test — {said} to the rest ({released})"


def choose_winner(uow: UnitOfWork, ref: str | int, variant: str, now: datetime, actor: str = "an operator") -> str:
    """A person chooses the variant the rest of the audience gets: during the test (ending it early) or
    after it found no winner and paused the campaign (which resumes)."""
    campaign = get_campaign(uow, ref)
    state = (campaign.experiment or {}).get("state")
    if state not in ("testing", "undecided"):
        raise Conflict(f"campaign {campaign.name!r} has no A/B test waiting for a winner")
    figures = (campaign.experiment or {}).get("figures", {})
    if state == "undecided":
        campaign.experiment = {**(campaign.experiment or {}), "state": "testing"}
    said = conclude_test(uow, campaign.id, variant, f"chosen by {actor}", figures, now)
    if campaign.status == C.PAUSED and state == "undecided":
        campaign.status, campaign.status_reason = C.RUNNING, None
        outbox.release(uow, campaign.id, C.PAUSED, now)
    return said
