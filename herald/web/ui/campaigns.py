"""`/campaigns`: the list; `/campaigns/new`: the wizard (audience, templates and variants in fallback
order, policy preset, hold-out, schedule); `/campaigns/{id}`: the campaign with its preflight report
(decisions by reason, the send curve in UTC and local time, cost, lint, sample explanations, blockers),
start, pause, resume and cancel, and "why did or didn't this person get it"; `/campaigns/{id}/results`:
the funnel and its breakdowns, charted from the JSON the API serves."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from herald import analytics, campaigns, content, outbox, rules
from herald.campaigns import Campaign
from herald.errors import HeraldError, Invalid, NotFound
from herald.types import Purpose, parse_moment
from herald.web.ui.forms import form_fields
from herald.web.ui.pages import (
    PageRefused,
    Viewer,
    ask_again_after,
    audited,
    check_csrf,
    page,
    reason_of,
    show,
    timed,
)

if TYPE_CHECKING:
    from herald.bootstrap import Container

ACTIONS = {"pause": "pause_campaign", "resume": "resume_campaign", "cancel": "cancel_campaign"}
MESSAGES_EVERY = 5  # seconds between a running campaign's counts, at least


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/campaigns")
    def campaign_list(request: Request, viewer: Annotated[Viewer, page("campaigns:read")]) -> Response:
        with container.uow() as uow:
            rows = [
                campaigns.campaign_out(c) for c in uow.session.scalars(select(Campaign).order_by(Campaign.id.desc()))
            ]
        return show(request, viewer, "ui/campaigns.html", {"section": "campaigns", "rows": rows})

    @api.get("/campaigns/new")
    def new(request: Request, viewer: Annotated[Viewer, page("campaigns:write")]) -> Response:
        return show(request, viewer, "ui/campaign_new.html", _wizard(container, {}, {}))

    @api.post("/campaigns/new")
    async def create(request: Request, viewer: Annotated[Viewer, page("campaigns:write")]) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        try:
            with audited(container, viewer, "campaigns.create") as uow:
                made = _create(uow, container, fields)
                _schedule(uow, container, made.id, fields)
                cid = made.id
        except HeraldError as exc:
            errors = {_field_of(exc): reason_of(exc, viewer.language)}
            return show(request, viewer, "ui/campaign_new.html", _wizard(container, fields, errors), status=422)
        return RedirectResponse(f"{viewer.base}/campaigns/{cid}", status_code=303)

    @api.get("/campaigns/{ref}")
    def detail(request: Request, viewer: Annotated[Viewer, page("campaigns:read")], ref: str) -> Response:
        with container.uow() as uow:
            campaign = _campaign(uow, ref, viewer)
            context = {"campaign": campaigns.campaign_out(campaign)}
        return show(request, viewer, "ui/campaign.html", {"section": "campaigns", **context})

    @api.get("/campaigns/{ref}/messages")
    def messages(request: Request, viewer: Annotated[Viewer, page("campaigns:read")], ref: str) -> Response:
        """Its messages by state, and those not sent by reason: asked again every few seconds while it runs."""
        with container.uow() as uow:
            campaign = _campaign(uow, ref, viewer)
            why, took = timed(lambda: campaigns.why_not(uow.session, campaign.id))
        live = campaign.status == "running"
        context = {"why": why, "live": live, "campaign_id": campaign.id, "every": ask_again_after(took, MESSAGES_EVERY)}
        return show(request, viewer, "ui/fragments/messages.html", context)

    @api.get("/campaigns/{ref}/preflight")
    def preflight(request: Request, viewer: Annotated[Viewer, page("campaigns:read")], ref: str) -> Response:
        with container.uow() as uow:
            campaign = _campaign(uow, ref, viewer)
            profile = container.lint_profile(uow, [campaign.preset])
            report = campaigns.preflight(
                uow,
                campaign.id,
                container.clock.now(),
                profile,
                container.prices(),
                partial(container.lint_profile, uow),
            )
        return show(request, viewer, "ui/fragments/preflight.html", {"report": report, "campaign_id": campaign.id})

    @api.get("/campaigns/{ref}/explain")
    def explain(
        request: Request, viewer: Annotated[Viewer, page("campaigns:read")], ref: str, contact: str = ""
    ) -> Response:
        found, error = None, None
        with container.uow() as uow:
            campaign = _campaign(uow, ref, viewer)
            message = outbox.for_campaign_contact(uow.session, campaign.id, int(contact)) if contact.isdigit() else None
            if message is None:
                error = "no message"
            else:
                found = campaigns.describe(message, container.clock.now())
        return show(
            request, viewer, "ui/fragments/explained.html", {"found": found, "error": error, "contact": contact}
        )

    @api.post("/campaigns/{ref}/start")
    async def start(request: Request, viewer: Annotated[Viewer, page("campaigns:send")], ref: str) -> Response:
        check_csrf(viewer, await form_fields(request))
        try:
            with audited(container, viewer, "campaigns.start", f"ref={ref}") as uow:
                campaign = _campaign(uow, ref, viewer)
                campaigns.refuse_if_blocked(uow, campaign, container.lint_profile(uow, [campaign.preset]))
                campaigns.plan_campaign(uow, campaign.id, container.clock.now())
                cid = campaign.id
        except HeraldError as exc:
            raise PageRefused(409, reason_of(exc, viewer.language), viewer.language) from None
        return RedirectResponse(f"{viewer.base}/campaigns/{cid}?started=1", status_code=303)

    @api.post("/campaigns/{ref}/winner")
    async def winner(request: Request, viewer: Annotated[Viewer, page("campaigns:send")], ref: str) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        try:
            with audited(container, viewer, "campaigns.winner", f"ref={ref}") as uow:
                campaign = _campaign(uow, ref, viewer)
                campaigns.choose_winner(
                    uow, campaign.id, fields.get("variant", ""), container.clock.now(), viewer.actor.label
                )
                cid = campaign.id
        except HeraldError as exc:
            raise PageRefused(409, reason_of(exc, viewer.language), viewer.language) from None
        return RedirectResponse(f"{viewer.base}/campaigns/{cid}", status_code=303)

    @api.post("/campaigns/{ref}/{action}")
    async def lifecycle(
        request: Request, viewer: Annotated[Viewer, page("campaigns:send")], ref: str, action: str
    ) -> Response:
        check_csrf(viewer, await form_fields(request))
        if action not in ACTIONS:
            raise PageRefused(404, f"no action {action!r}", viewer.language)
        try:
            with audited(container, viewer, f"campaigns.{action}", f"ref={ref}") as uow:
                campaign = _campaign(uow, ref, viewer)
                getattr(campaigns, ACTIONS[action])(uow, campaign.id, container.clock.now())
                cid = campaign.id
        except HeraldError as exc:
            raise PageRefused(409, reason_of(exc, viewer.language), viewer.language) from None
        return RedirectResponse(f"{viewer.base}/campaigns/{cid}", status_code=303)

    @api.get("/campaigns/{ref}/results")
    def results(request: Request, viewer: Annotated[Viewer, page("reports:read")], ref: str) -> Response:
        """The page at once; its figures are worked out after it shows (a big campaign takes seconds)."""
        with container.uow() as uow:
            campaign = _campaign(uow, ref, viewer)
            shown = {"name": campaign.name, "id": campaign.id}
        return show(request, viewer, "ui/results.html", {"section": "campaigns", "campaign": shown})

    @api.get("/campaigns/{ref}/results/figures")
    def figures(request: Request, viewer: Annotated[Viewer, page("reports:read")], ref: str) -> Response:
        window = timedelta(days=container.settings.conversion_window_days)
        with container.uow() as uow:
            campaign = _campaign(uow, ref, viewer)
            found = analytics.results(uow.session, campaign, window, container.prices())
        return show(request, viewer, "ui/fragments/results.html", {"r": found, "campaign_id": campaign.id})

    return api


def _campaign(uow: Any, ref: str, viewer: Viewer) -> Campaign:
    try:
        return campaigns.get_campaign(uow, ref)
    except NotFound as exc:
        raise PageRefused(404, reason_of(exc, viewer.language), viewer.language) from None


def _wizard(container: Container, given: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    with container.uow() as uow:
        templates = [(t.name, t.channel) for t in content.all_templates(uow)]
    presets = rules.preset_names()
    return {"section": "campaigns", "given": given, "errors": errors, "templates": templates, "presets": presets}


def _create(uow: Any, container: Container, f: dict[str, str]) -> Campaign:
    """A draft from the wizard's fields: one variant of templates in fallback order, or A and B."""
    chain = [t for t in (f.get("template"), f.get("fallback")) if t]
    if not chain:
        raise Invalid("choose a template", where="template")
    variants: list[tuple[str, float, list[str]]] = []
    if f.get("template_b"):
        share = _number(f.get("weight_a") or "50", "weight_a")
        variants = [("A", share, chain), ("B", 100 - share, [t for t in (f["template_b"], f.get("fallback")) if t])]
    audience = campaigns.Audience(holdout_percent=_number(f.get("holdout") or "0", "holdout"))
    return campaigns.create_campaign(
        uow,
        f.get("name", "").strip(),
        f.get("segment", "").strip(),
        chain,
        container.clock.now(),
        purpose=Purpose(f.get("purpose") or "marketing"),
        preset=f.get("preset") or "default",
        overrides=campaigns.overrides_of(campaigns.lines_of(f.get("overrides", ""), "overrides"), "overrides"),
        variants=variants,
        audience=audience,
        rollout_settings=_rollout(f),
        test_settings=_test(f),
        tracks_links=bool(container.settings.public_url),
    )


def _test(f: dict[str, str]) -> dict[str, Any] | None:
    """The A/B test phase the wizard asks for (a metric chosen), else none."""
    if not f.get("test_metric"):
        return None
    found: dict[str, Any] = {"metric": f["test_metric"], "if_no_winner": f.get("if_no_winner") or "control"}
    for key, field in (("test_percent", "test_percent"), ("hold_minutes", "test_hold")):
        if f.get(field):
            found[key] = _number(f[field], field)
    return found


def _rollout(f: dict[str, str]) -> dict[str, Any] | None:
    """A rollout canary (a share sent first), else none."""
    if not f.get("canary"):
        return None
    return {
        "canary_percent": _number(f["canary"], "canary"),
        "hold_minutes": _number(f.get("canary_hold") or "60", "canary_hold"),
    }


def _schedule(uow: Any, container: Container, cid: int, f: dict[str, str]) -> None:
    when, now = f.get("when") or "draft", container.clock.now()
    if when == "at":
        campaigns.schedule_campaign(uow, cid, now, at=parse_moment(f.get("at", ""), "at"))
    elif when == "local":
        campaigns.schedule_campaign(uow, cid, now, local_time=f.get("local_time", ""))
    elif when == "cron":
        campaigns.schedule_campaign(uow, cid, now, cron=f.get("cron", ""), zone=f.get("zone") or "UTC")
    elif when == "best":
        hours = int(_number(f.get("best_within") or "24", "best_within"))
        campaigns.schedule_campaign(uow, cid, now, best_within=hours)
    elif when == "event":
        event, delay, once = f.get("on_event", "").strip(), f.get("delay") or None, bool(f.get("once"))
        of = f.get("of_campaign", "").strip() or None
        campaigns.schedule_campaign(uow, cid, now, on_event=event, delay=delay, once=once, of_campaign=of)


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise Invalid(f"expected a number, got {text!r}", where=where) from None


def _field_of(error: HeraldError) -> str:
    """Which field of the wizard a refusal concerns, by the place it names."""
    where = (getattr(error, "where", None) or "").lstrip("-")
    known = {
        "campaign": "name",
        "segment": "segment",
        "variants": "template",
        "hold-out": "holdout",
        "policy": "preset",
        "A/B test": "test_metric",
        "--cron": "cron",
        "--zone": "zone",
        "rollout": "canary",
    }
    return known.get(where) or where.replace("-", "_") or "form"
