"""`herald campaigns preflight|start|plan|schedule|pause|resume|cancel`: a campaign's life."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any

import typer
from sqlalchemy import Select, func, select

from herald.campaigns import abtest, service
from herald.campaigns.checks.preflight import preflight, refuse_if_blocked
from herald.campaigns.planning.runs import audience
from herald.campaigns.planning.schedule import said_trigger
from herald.console import JsonFlag, app_context, emit, out, progress
from herald.errors import Invalid
from herald.rules import lines
from herald.types import parse_moment

# The commands of a campaign's life; `cli.py` adds them to the campaigns group.
commands = typer.Typer()


def _refuse_blocked(uow, container, campaign) -> None:
    refuse_if_blocked(uow, campaign, container.lint_profile(uow, [campaign.preset]))


@commands.command(name="preflight")
def preflight_command(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Everything the campaign would do, without doing it; exits 1 when something blocks it."""
    container = app_context(ctx).container
    with container.uow(dry_run=True) as uow:
        c = service.get_campaign(uow, campaign)
        report = preflight(
            uow,
            c.id,
            container.clock.now(),
            container.lint_profile(uow, [c.preset]),
            container.prices(),
            partial(container.lint_profile, uow),
        )
    emit(ctx, json_out, report, lambda: _print_preflight(report))
    if report["blocking"]:
        raise typer.Exit(1)


def _print_preflight(r: dict[str, Any]) -> None:
    out.print(f"Preflight of {r['name']!r} ({r['status']}, preset {r['preset']})", markup=False)
    if "audience" in r:
        d = r["decisions"]
        out.print(
            f"  audience {r['audience']}: send now {d['send_now']}, deferred {d['deferred']}, skipped "
            f"{d['skipped']}"
            + (f", held for rollout {r['held_for_rollout']}" if r["held_for_rollout"] else "")
            + (f", held for the A/B test's winner {r['held_for_test']}" if r.get("held_for_test") else "")
        )
        if r["skipped_by"]:
            out.print("  skipped by " + ", ".join(f"{k} {v}" for k, v in r["skipped_by"].items()))
        out.print("  by channel " + ", ".join(f"{k} {v}" for k, v in r["by_channel"].items()))
        out.print("  by variant " + ", ".join(f"{k} {v}" for k, v in r["by_variant"].items()))
        out.print("  send curve (UTC) " + ", ".join(f"{k[5:]} {v}" for k, v in list(r["curve_utc"].items())[:12]))
        out.print("  local hour       " + ", ".join(f"{k} {v}" for k, v in r["curve_local"].items()))
        for channel, cost in r["cost"].items():
            out.print(
                f"  cost on {channel}: {cost['total']} {cost['currency']}"
                + (f" (unpriced: {', '.join(map(str, cost['unpriced_regions']))})" if cost["unpriced_regions"] else "")
            )
    for name, t in r["templates"].items():
        sms = t["sms"]
        out.print(
            f"  template {name} ({t['channel']})"
            + (f": {sms['encoding']}, {sms['segments']} segment(s)" if sms else ""),
            markup=False,
        )
        for version, findings in t["findings"].items():
            for f in findings:
                out.print(f"    {f['severity']:<8}{version} {f['message']}", markup=False)
    for j in r.get("jurisdictions") or []:
        _print_jurisdiction(r["preset"], j)
    for key, samples in r.get("samples", {}).items():
        out.print(f"  e.g. {key}: contact {samples[0]['contact']}", markup=False)
        out.print("\n".join(lines(samples[0]["trail"])), markup=False)
    for b in r["blocking"]:
        out.print(f"  BLOCKED: {b}", markup=False)
    out.print("Ready to start." if not r["blocking"] else "Fix the blockers above before starting.")


def _print_jurisdiction(own: str, j: dict[str, Any]) -> None:
    regions = ", ".join(f"{region} {n}" for region, n in j["regions"].items())
    follows = f"this campaign follows {own}" + (f" and, for them, {j['preset']}" if j.get("followed") else "")
    out.print(
        f"  NOTE: {j['preset']} speaks for {j['recipients']} recipient(s) on {j['channel']} ({regions}); {follows}",
        markup=False,
    )
    if j["rules"]:
        out.print(f"    its rules differ in: {', '.join(j['rules'])} (herald rules show {j['preset']})", markup=False)
    for f in j["findings"]:
        out.print(f"    {f['severity']:<8}template {f['template']} ({f['version']}) {f['message']}", markup=False)
    if j["segment"]:
        out.print(
            f"    to follow it, send to them in a campaign of their own: --preset {j['preset']} "
            f'--segment "{j["segment"]}", and leave them out of this one',
            markup=False,
        )


def _start(ctx: typer.Context, campaign: str, json_out: bool) -> None:
    container = app_context(ctx).container
    with container.uow() as uow:
        c = service.get_campaign(uow, campaign)
        if c.status in service.STARTED:
            data = {"campaign": c.id, "status": c.status, "started_at": c.started_at, "changed": False}
            emit(
                ctx,
                json_out,
                data,
                f"Campaign {c.name!r} was started on {c.started_at:%Y-%m-%d %H:%M} UTC and "
                f"is {c.status}; nothing changed. To take in people who joined its segment "
                f"since: herald campaigns add-newcomers {c.id}",
            )
            return
        _refuse_blocked(uow, container, c)
        cid, name = c.id, c.name
        total = uow.session.scalar(_count(audience(uow, c)))
    with progress(f"Planning {name}", total) as advance, container.uow() as uow:
        stats = service.plan_campaign(uow, campaign, container.clock.now(), advance)
    if stats is None:  # started by somebody else meanwhile
        emit(ctx, json_out, {"campaign": cid, "changed": False}, f"Campaign {name!r} was started meanwhile.")
        return
    data = {"campaign": cid, "changed": True, **stats.as_dict()}
    emit(ctx, json_out, data, lambda: _print_planned(f"Planned {name!r}", stats))


def _print_planned(title: str, stats) -> None:
    d = stats.as_dict()
    out.print(
        f"{title}: audience {stats.audience}, {stats.new} new, {stats.already_planned} already planned.", markup=False
    )
    out.print(
        f"  send now {d['send_now']}, deferred {d['deferred']}, skipped {d['skipped']}"
        + (f" ({', '.join(f'{k} {v}' for k, v in stats.skipped_by.items())})" if stats.skipped_by else "")
        + (f"; held for the rollout {stats.held_for_rollout}" if stats.held_for_rollout else "")
        + (f"; held for the A/B test's winner {stats.held_for_test}" if stats.held_for_test else "")
    )


def _count(stmt: Select) -> Select:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


@commands.command()
def start(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Start now: decide for every recipient and queue the messages; running it again adds only newcomers."""
    _start(ctx, campaign, json_out)


@commands.command()
def plan(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """The same as start."""
    _start(ctx, campaign, json_out)


@commands.command("add-newcomers")
def add_newcomers(
    ctx: typer.Context,
    campaign: str,
    yes: Annotated[bool, typer.Option("--yes", help="Queue them; without it only count them.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """People who joined a started campaign's segment since it was planned: counted first, queued with --yes."""
    container = app_context(ctx).container
    with container.uow(dry_run=not yes) as uow:
        c = service.get_campaign(uow, campaign)
        cid, name = c.id, c.name
        total = uow.session.scalar(_count(audience(uow, c)))
        with progress(f"Newcomers of {name}", total) as advance:
            stats = service.plan_newcomers(uow, cid, container.clock.now(), write=yes, progress=advance)
    data = {"campaign": cid, "queued": yes, **stats.as_dict()}

    def human() -> None:
        _print_planned(f"{'Queued' if yes else 'Would queue'} newcomers of {name!r}", stats)
        if not yes and stats.new:
            out.print(f"Nothing was queued. To queue these {stats.new}: herald campaigns add-newcomers {cid} --yes")

    emit(ctx, json_out, data, human)


@commands.command()
def schedule(
    ctx: typer.Context,
    campaign: str,
    at: Annotated[str | None, typer.Option(help="Start at this moment (ISO-8601 with offset).")] = None,
    local_time: Annotated[str | None, typer.Option(help="Send at HH:MM in each recipient's zone.")] = None,
    on: Annotated[str | None, typer.Option(help="With --local-time: the day (YYYY-MM-DD).")] = None,
    cron: Annotated[str | None, typer.Option(help="Recurring: 'minute hour day month weekday'.")] = None,
    zone: Annotated[str, typer.Option(help="The zone --cron is read in.")] = "UTC",
    best_time: Annotated[
        int | None, typer.Option(help="Each recipient at their best time within these hours (from --at or now).")
    ] = None,
    on_event: Annotated[
        str | None, typer.Option(help="Send to each contact of the segment who does this event from now on.")
    ] = None,
    delay: Annotated[str | None, typer.Option(help="With --on-event: how long after it (30m, 2h, 3d).")] = None,
    once: Annotated[bool, typer.Option(help="With --on-event: once a contact, however often they do it.")] = False,
    of_campaign: Annotated[
        str | None, typer.Option(help="With --on-event message.*: only that campaign's messages' events.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Schedule a draft; the worker starts each run when it is due (with --on-event, as each event comes)."""
    container = app_context(ctx).container
    day = None
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            raise Invalid(f"{on!r} is not a date (YYYY-MM-DD)", where="--on") from None
    with container.uow() as uow:
        c = service.get_campaign(uow, campaign)
        _refuse_blocked(uow, container, c)
        c = service.schedule_campaign(
            uow,
            campaign,
            container.clock.now(),
            at=parse_moment(at, "--at") if at else None,
            local_time=local_time,
            on=day,
            cron=cron,
            zone=zone,
            best_within=best_time,
            on_event=on_event,
            delay=delay,
            once=once,
            of_campaign=of_campaign,
        )
        data = {
            "campaign": c.id,
            "status": c.status,
            "schedule": c.schedule,
            "next_run_at": c.next_run_at,
            "trigger": c.trigger,
        }
    if c.trigger:
        said = f"Scheduled {c.name!r} {said_trigger(c.trigger)}, from now on."
        emit(ctx, json_out, data, said + " `herald worker` plans it as they come.")
        return
    when = f"{data['next_run_at']:%Y-%m-%d %H:%M} UTC"
    emit(ctx, json_out, data, f"Scheduled {c.name!r} ({data['schedule']}); next run {when}. `herald worker` starts it.")


def _lifecycle(ctx: typer.Context, campaign: str, json_out: bool, action: str) -> None:
    container = app_context(ctx).container
    do = {"pause": service.pause_campaign, "resume": service.resume_campaign, "cancel": service.cancel_campaign}[action]
    with container.uow() as uow:
        touched = do(uow, campaign, container.clock.now())
        c = service.get_campaign(uow, campaign)
        data = {"campaign": c.id, "status": c.status, "messages": touched}
    verb = {"pause": "held", "resume": "queued again", "cancel": "cancelled"}[action]
    emit(ctx, json_out, data, f"{c.name!r} is {c.status}; {touched} message(s) {verb}.")


@commands.command()
def pause(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Hold every unsent message until resume (none is lost or sent twice)."""
    _lifecycle(ctx, campaign, json_out, "pause")


@commands.command()
def resume(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Queue held messages again; the rules re-decide each one at send time."""
    _lifecycle(ctx, campaign, json_out, "resume")


@commands.command()
def winner(ctx: typer.Context, campaign: str, variant: str, json_out: JsonFlag = False) -> None:
    """Choose the A/B test's winner yourself: the rest of the audience gets VARIANT."""
    container = app_context(ctx).container
    with container.uow() as uow:
        said = abtest.choose_winner(uow, campaign, variant, container.clock.now(), app_context(ctx).actor_name)
        c = service.get_campaign(uow, campaign)
        data = {"campaign": c.id, "status": c.status, "ab_test": c.experiment, "said": said}
    emit(ctx, json_out, data, said)


@commands.command()
def cancel(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Stop for good: unsent messages are cancelled."""
    _lifecycle(ctx, campaign, json_out, "cancel")
