"""Preflight: everything a campaign would do, before it does any of it. Decisions for the whole audience
by outcome, reason, channel and variant; the send curve per hour in UTC and in recipients' local time;
SMS segments and cost; template lint; sample explanations; and the blockers that stop it starting.
Read-only: it runs the planner without writing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald import content
from herald.campaigns import deadends
from herald.campaigns.checks.jurisdictions import ProfileFor, audience_jurisdictions
from herald.campaigns.checks.preview import Request, month_used, preview
from herald.campaigns.models import Campaign
from herald.campaigns.planning import planner, plans, runs
from herald.campaigns.service import check_feasible, get_campaign
from herald.content import Profile, lint_content
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid
from herald.rules import explain
from herald.types import Purpose


def blockers(uow: UnitOfWork, campaign: Campaign, profile: Profile | None) -> list[str]:
    """Why the campaign may not start: templates not approved or with lint errors, a policy that cannot
    load or leaves no moment to send."""
    return [text for _, text in _blockers(uow, campaign, profile)]


def refuse_if_blocked(uow: UnitOfWork, campaign: Campaign, profile: Profile | None) -> None:
    """Conflict naming every blocker, when there is one."""
    found = blockers(uow, campaign, profile)
    if found:
        raise Conflict(
            f"campaign {campaign.name!r} cannot start: {'; '.join(found)} "
            f"(see herald campaigns preflight {campaign.id})"
        )


def _blockers(uow: UnitOfWork, campaign: Campaign, profile: Profile | None) -> list[tuple[str, str]]:
    found = [("template", f"template {name} has no approved version") for name in runs.unapproved(uow, campaign)]
    try:
        check_feasible(runs.policy_of(campaign), runs.variants_of(campaign), Purpose(campaign.purpose))
    except Invalid as exc:
        found.append(("policy", str(exc)))
    if profile is not None:
        for template in runs.templates_of(uow, campaign).values():
            for version in content.approved_versions(uow, template.id).values():
                errors = [
                    f
                    for f in lint_content(template.channel, template.purpose, version.content, profile)
                    if f.severity == "error"
                ]
                found += [
                    (
                        "lint",
                        f"template {template.name} ({version.locale}/{version.variant} "
                        f"v{version.version}): {f.message}",
                    )
                    for f in errors
                ]
    return found


def preflight(
    uow: UnitOfWork,
    ref: str | int,
    now: datetime,
    profile: Profile,
    prices: content.PriceTable,
    profile_for: ProfileFor | None = None,
) -> dict[str, Any]:
    """The preflight report; `blocking` lists what must be fixed before the campaign may start. With
    `profile_for` (a lint profile for given presets) it also names the audience's other jurisdictions."""
    campaign = get_campaign(uow, ref)
    found = _blockers(uow, campaign, profile)
    report: dict[str, Any] = {
        "campaign": campaign.id,
        "name": campaign.name,
        "status": campaign.status,
        "preset": campaign.preset,
        "blocking": [text for _, text in found],
    }
    report["templates"] = _templates(uow, campaign, profile, prices, now)
    if any(kind != "lint" for kind, _ in found):  # nothing can be planned until these are fixed
        return report
    plan = runs.build_plan(uow, campaign, now, campaign.runs)
    stats = planner.plan(uow, plan, runs.audience(uow, campaign, now), now, write=False)
    if stats.audience == 0:
        report["blocking"].append(f"the audience {campaign.segment!r} matches no contacts")
    dead_end = deadends.nobody_receives(stats.actions["send"] + stats.actions["defer"], stats.skipped_by)
    if dead_end:
        report["blocking"].append(dead_end)
    report.update(_decisions(stats))
    report["cost"] = _cost(stats, report["templates"], prices, month_used(uow, prices, now))
    if profile_for is not None:
        report["jurisdictions"] = audience_jurisdictions(uow, campaign, stats.by_channel_region, profile, profile_for)
    return report


def _decisions(stats: plans.PlanStats) -> dict[str, Any]:
    samples = {
        key: [
            {
                **s,
                "text": explain(
                    s["action"], s["channel"], f"{s['due_at']:%Y-%m-%d %H:%M} UTC", s["trail"], s["reason"]
                ),
            }
            for s in items
        ]
        for key, items in stats.samples.items()
    }
    return {
        "audience": stats.audience,
        "decisions": {
            "send_now": stats.actions["send"],
            "deferred": stats.actions["defer"],
            "skipped": stats.actions["skip"],
        },
        "skipped_by": dict(stats.skipped_by.most_common()),
        "by_channel": dict(stats.by_channel),
        "by_variant": dict(stats.by_variant),
        "held_for_rollout": stats.held_for_rollout,
        "held_for_test": stats.held_for_test,
        "curve_utc": dict(sorted(stats.curve_utc.items())),
        "curve_local": {f"{h:02d}:00": n for h, n in sorted(stats.curve_local.items())},
        "samples": samples,
    }


def _templates(
    uow: UnitOfWork, campaign: Campaign, profile: Profile, prices: content.PriceTable, now: datetime
) -> dict[str, Any]:
    """Per template: a rendered sample from the audience with its SMS encoding, and its lint findings."""
    found = {}
    for template in runs.templates_of(uow, campaign).values():
        if not content.approved_versions(uow, template.id):
            continue
        request = Request(
            template.name, segment=None if campaign.static_list else campaign.segment, sample=1, include_drafts=False
        )
        shown: dict[str, Any]
        try:
            shown = preview(uow, request, profile, prices, now) if request.segment else {"samples": [], "findings": {}}
        except Invalid:  # an empty segment is reported with the decisions
            shown = {"samples": [], "findings": {}}
        sample: dict[str, Any] = next(iter(shown["samples"]), {})
        found[template.name] = {
            "channel": template.channel,
            "category": template.category,
            "sms": sample.get("sms"),
            "sample": sample.get("body"),
            "findings": shown["findings"],
        }
    return found


def _cost(
    stats: plans.PlanStats, templates: dict[str, Any], prices: content.PriceTable, used: dict[content.Rate, int]
) -> dict[str, Any]:
    """Messages per channel and region, times the units one message takes (SMS segments of the sample),
    priced at the channel's provider rates (WhatsApp's by its template's category) from this month's volume."""
    units = {t["channel"]: (t["sms"] or {}).get("segments", 1) for t in templates.values()}
    categories = {t["channel"]: t.get("category") or "*" for t in templates.values()}
    result = {}
    for channel in sorted({ch for ch, _ in stats.by_channel_region}):
        groups = sorted(
            (
                (region, n, units.get(channel, 1))
                for (ch, region), n in stats.by_channel_region.items()
                if ch == channel
            ),
            key=lambda g: str(g[0]),
        )
        result[channel] = content.estimate(
            prices, channel, groups, category=categories.get(channel, "*"), used=used
        ).as_dict()
    return result
