"""`/api/v1/campaigns`: create, read, preflight, start, schedule, pause, resume, cancel, clone, explain, and
choose an A/B test's winner."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import select

from herald import analytics, campaigns, outbox
from herald.analytics import campaign_report
from herald.campaigns import (
    Campaign,
    CampaignIn,
    CampaignOut,
    Explained,
    Newcomers,
    Preflight,
    Report,
    ScheduleIn,
    Started,
    Touched,
    Why,
    campaign_out,
    describe,
    preflight,
    refuse_if_blocked,
    why_not,
)
from herald.contacts import get_contact
from herald.errors import Invalid, NotFound
from herald.types import Purpose, parse_enum, parse_moment
from herald.web.auth import need
from herald.web.deps import ContactId, Unit

if TYPE_CHECKING:
    from herald.bootstrap import Container


class CloneIn(BaseModel):
    name: str


class WinnerIn(BaseModel):
    variant: str


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])

    def now():
        return container.clock.now()

    @api.get("", dependencies=[need("campaigns:read")])
    def list_campaigns(unit: Unit) -> list[CampaignOut]:
        return [CampaignOut(**campaign_out(c)) for c in unit.session.scalars(select(Campaign).order_by(Campaign.id))]

    @api.post("", status_code=201, dependencies=[need("campaigns:write")])
    def create(unit: Unit, body: CampaignIn) -> CampaignOut:
        if not body.segment and not body.contacts:
            raise Invalid("give segment or contacts", where="campaign")
        audience = campaigns.Audience(
            tuple(body.contacts), body.exclude_segment, tuple(body.exclude_campaigns), body.holdout_percent
        )
        c = campaigns.create_campaign(
            unit,
            body.name,
            body.segment or "",
            body.templates,
            now(),
            purpose=parse_enum(Purpose, body.purpose, "purpose"),
            preset=body.preset,
            overrides=body.overrides,
            variants=[(v.name, v.weight, v.templates) for v in body.variants],
            audience=audience,
            rollout_settings=body.rollout,
            sender_pool=body.sender_pool,
            pools=container.routing.all_pools(),
            test_settings=body.ab_test,
            tracks_links=bool(container.settings.public_url),
        )
        return CampaignOut(**campaign_out(c))

    @api.get("/{ref}", dependencies=[need("campaigns:read")])
    def show(unit: Unit, ref: str) -> CampaignOut:
        return CampaignOut(**campaign_out(campaigns.get_campaign(unit, ref)))

    @api.get("/{ref}/preflight", dependencies=[need("campaigns:read")])
    def preflight_report(unit: Unit, ref: str) -> Preflight:
        c = campaigns.get_campaign(unit, ref)
        profile, prices = container.lint_profile(unit, [c.preset]), container.prices()
        return Preflight(**preflight(unit, c.id, now(), profile, prices, partial(container.lint_profile, unit)))

    @api.post("/{ref}/start", dependencies=[need("campaigns:send")])
    def start(unit: Unit, ref: str) -> Started:
        """Start a draft or scheduled campaign; a started one is left as it is (`changed: false`)."""
        c = campaigns.get_campaign(unit, ref)
        if c.status in campaigns.STARTED:
            return Started(campaign=c.id, status=c.status, changed=False)
        refuse_if_blocked(unit, c, container.lint_profile(unit, [c.preset]))
        stats = campaigns.plan_campaign(unit, c.id, now())
        if stats is None:  # started by somebody else meanwhile
            return Started(campaign=c.id, status=c.status, changed=False)
        return Started(campaign=c.id, changed=True, **stats.as_dict())

    @api.post("/{ref}/newcomers", dependencies=[need("campaigns:send")])
    def newcomers(unit: Unit, ref: str, confirm: bool = False) -> Newcomers:
        """People who joined a started campaign's segment since: counted, and queued with `confirm=true`."""
        unit.dry_run = not confirm
        stats = campaigns.plan_newcomers(unit, ref, now(), write=confirm)
        return Newcomers(campaign=campaigns.get_campaign(unit, ref).id, queued=confirm, **stats.as_dict())

    @api.post("/{ref}/schedule", dependencies=[need("campaigns:send")])
    def schedule(unit: Unit, ref: str, body: ScheduleIn) -> CampaignOut:
        c = campaigns.get_campaign(unit, ref)
        refuse_if_blocked(unit, c, container.lint_profile(unit, [c.preset]))
        try:
            day = date.fromisoformat(body.on) if body.on else None
        except ValueError:
            raise Invalid(f"{body.on!r} is not a date (YYYY-MM-DD)", where="on") from None
        at = parse_moment(body.at, "at") if body.at else None
        scheduled = campaigns.schedule_campaign(
            unit,
            c.id,
            now(),
            at=at,
            local_time=body.local_time,
            on=day,
            cron=body.cron,
            zone=body.zone,
            best_within=body.best_within,
            on_event=body.on_event,
            delay=body.delay,
            once=body.once,
            of_campaign=body.of_campaign,
        )
        return CampaignOut(**campaign_out(scheduled))

    @api.post("/{ref}/clone", status_code=201, dependencies=[need("campaigns:write")])
    def clone(unit: Unit, ref: str, body: CloneIn) -> CampaignOut:
        return CampaignOut(**campaign_out(campaigns.clone_campaign(unit, ref, body.name, now())))

    @api.post("/{ref}/winner", dependencies=[need("campaigns:send")])
    def winner(unit: Unit, ref: str, body: WinnerIn, request: Request) -> CampaignOut:
        """Choose the A/B test's winner: the rest of the audience gets the variant (docs/results.md)."""
        campaigns.choose_winner(unit, ref, body.variant, now(), request.state.actor.label)
        return CampaignOut(**campaign_out(campaigns.get_campaign(unit, ref)))

    @api.post("/{ref}/{action}", dependencies=[need("campaigns:send")])
    def lifecycle(unit: Unit, ref: str, action: str) -> Touched:
        do = {
            "pause": campaigns.pause_campaign,
            "resume": campaigns.resume_campaign,
            "cancel": campaigns.cancel_campaign,
        }.get(action)
        if do is None:
            raise NotFound(f"no action {action!r} (pause, resume, cancel, start, schedule, clone)")
        touched = do(unit, ref, now())
        return Touched(**campaign_out(campaigns.get_campaign(unit, ref)), messages=touched)

    @api.get("/{ref}/why", dependencies=[need("campaigns:read")])
    def why(unit: Unit, ref: str) -> Why:
        c = campaigns.get_campaign(unit, ref)
        return Why(campaign=c.id, **why_not(unit.session, c.id))

    @api.get("/{ref}/report", dependencies=[need("reports:read")])
    def report(unit: Unit, ref: str) -> Report:
        return Report(**campaign_report(unit.session, campaigns.get_campaign(unit, ref), now()))

    @api.get("/{ref}/results", dependencies=[need("reports:read")])
    def campaign_results(unit: Unit, ref: str) -> dict[str, Any]:
        """The funnel in all and by channel, variant, region, carrier, sender and local hour; the channel ×
        hour heatmap; revenue per currency; the cost by the price table and the return; the uplift over
        the hold-out group (docs/results.md)."""
        window = timedelta(days=container.settings.conversion_window_days)
        return analytics.results(unit.session, campaigns.get_campaign(unit, ref), window, container.prices())

    @api.get("/{ref}/explain/{contact_id}", dependencies=[need("campaigns:read")])
    def explain(unit: Unit, ref: str, contact_id: ContactId) -> Explained:
        campaign = campaigns.get_campaign(unit, ref)
        get_contact(unit, contact_id)
        m = outbox.for_campaign_contact(unit.session, campaign.id, contact_id)
        if m is None:
            raise NotFound(f"contact {contact_id} has no message in campaign {campaign.name!r}")
        return Explained(**describe(m, now()))

    return api
