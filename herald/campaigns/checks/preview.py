"""A template as given recipients would get it: rendered text, lint findings, SMS encoding and cost.

Read-only: coupons show a placeholder instead of taking a code from the pool, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from herald import content, outbox, segments
from herald.campaigns.context import build_context, contact_locale, pick_version
from herald.contacts import Contact, get_contact
from herald.content import Profile, Template, TemplateVersion, compose, coupon_pools, lint_content
from herald.db import UnitOfWork
from herald.errors import Invalid, NotFound
from herald.tags import names_by_contact

PLACEHOLDER = "COUPON-PREVIEW"


@dataclass(frozen=True)
class Request:
    template: str
    contacts: tuple[int, ...] = ()
    segment: str | None = None
    sample: int = 3
    variant: str = "A"
    include_drafts: bool = True  # preview the newest version even before it is approved


def preview(
    uow: UnitOfWork, request: Request, profile: Profile, prices: content.PriceTable, now: datetime
) -> dict[str, Any]:
    """Rendered samples, lint findings per version, and a cost estimate for the segment if one is given."""
    template = content.get_template(uow, request.template)
    candidates = _candidates(uow, template, request)
    if not candidates:
        raise NotFound(f"template {template.name} has no version to preview")
    people = _people(uow, request, now)
    tags = names_by_contact(uow.session, [c.id for c in people])
    samples = [_sample(template, candidates, c, tags.get(c.id), request.variant, prices, now) for c in people]
    shown = {s["version_id"] for s in samples if "version_id" in s} or {v.id for v in candidates.values()}
    findings = {
        f"{v.locale}/{v.variant} v{v.version}": [
            f.as_dict() for f in lint_content(template.channel, template.purpose, v.content, profile)
        ]
        for v in candidates.values()
        if v.id in shown
    }
    result: dict[str, Any] = {
        "template": template.name,
        "channel": template.channel,
        "samples": samples,
        "findings": findings,
    }
    if request.segment:
        result["audience"] = _audience_cost(uow, template, request.segment, samples, prices, now)
    return result


def month_used(uow: UnitOfWork, prices: content.PriceTable, now: datetime) -> dict[content.Rate, int]:
    """Units each rate has billed this calendar month (UTC): where its tiers and rebates stand."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return content.used_by_rate(prices, outbox.units_sent(uow.session, start))


def _candidates(uow: UnitOfWork, template: Template, request: Request) -> dict[tuple[str, str], TemplateVersion]:
    if not request.include_drafts:
        return content.approved_versions(uow, template.id)
    return content.newest_versions(uow, template)


def _people(uow: UnitOfWork, request: Request, now: datetime) -> list[Contact]:
    if request.contacts:
        return [get_contact(uow, cid) for cid in request.contacts]
    if request.segment:
        if not 1 <= request.sample <= 50:
            raise Invalid("between 1 and 50", where="sample")
        return segments.members(uow.session, request.segment, limit=request.sample, now=now)
    raise Invalid("give contacts or a segment to preview for", where="preview")


def _sample(
    template: Template,
    candidates: dict,
    contact: Contact,
    tags: list[str] | None,
    variant: str,
    prices: content.PriceTable,
    now: datetime,
) -> dict[str, Any]:
    version = pick_version(candidates, template.default_locale, contact_locale(contact), variant)
    out: dict[str, Any] = {"contact": contact.id, "region": contact.region, "locale": contact_locale(contact)}
    if version is None:
        return {**out, "error": "no version for this contact"}
    out.update(
        {
            "version_id": version.id,
            "version": f"{version.locale}/{version.variant} v{version.version}",
            "status": version.status,
        }
    )
    pools = coupon_pools(template.channel, version.content)
    context = build_context(contact, "(preview)", now, tags, dict.fromkeys(pools, PLACEHOLDER))
    try:
        message = compose(
            template.channel,
            version.content,
            context,
            name=template.name,
            locale=version.locale,
            variant=version.variant,
        )
    except content.RenderError as exc:
        return {**out, "skipped": str(exc)}
    out.update(
        {
            "body": message.body,
            "subject": message.subject,
            "html": message.html,
            "payload": dict(message.payload) or None,
        }
    )
    if template.channel == "sms":
        info = content.analyze(message.body)
        out["sms"] = info.as_dict()
        cost = content.estimate(prices, "sms", [(contact.region, 1, info.segments)])
        out["cost"] = {"currency": cost.currency, "amount": None if cost.unpriced else str(cost.total)}
    return out


def _audience_cost(
    uow: UnitOfWork,
    template: Template,
    segment: str,
    samples: list[dict[str, Any]],
    prices: content.PriceTable,
    now: datetime,
) -> dict[str, Any]:
    """Recipients by region times units per message: SMS segments as the longest sample rendered."""
    audience = segments.audience_select(uow.session, segment, now).subquery()
    rows = uow.session.execute(
        select(Contact.region, func.count()).where(Contact.id.in_(select(audience))).group_by(Contact.region)
    ).all()
    units = max((s["sms"]["segments"] for s in samples if "sms" in s), default=1)
    category = (template.category or "*") if template.channel == "whatsapp" else "*"
    groups = sorted(((region, n, units) for region, n in rows), key=lambda g: str(g[0]))
    est = content.estimate(prices, template.channel, groups, category=category, used=month_used(uow, prices, now))
    return {"recipients": sum(n for _, n, _ in groups), "units_per_message": units, **est.as_dict()}
