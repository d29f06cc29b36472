"""`herald campaigns …`: making and reading campaigns. Starting, scheduling, pausing and preflight are in
`lifecycle.py`, on the same command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from herald import outbox
from herald.campaigns import service
from herald.campaigns.cli import lifecycle as cli_lifecycle
from herald.campaigns.explain import describe, why_not
from herald.campaigns.models import Campaign
from herald.campaigns.overrides import overrides_of
from herald.campaigns.planning.schedule import said_trigger
from herald.campaigns.schemas import campaign_out
from herald.console import JsonFlag, app_context, emit, out, parse_pairs, table
from herald.contacts import get_contact
from herald.errors import Invalid
from herald.types import Purpose, parse_enum

app = typer.Typer(help="Create, preflight, start, schedule, pause and explain campaigns.", no_args_is_help=True)


def parse_overrides(values: list[str] | None) -> dict[str, dict[str, Any]]:
    """`rule.param=value` pairs into policy overrides; values are read as JSON when they parse."""
    return overrides_of(parse_pairs(values, "--set"), "--set")


def parse_variant(text: str) -> tuple[str, float, list[str]]:
    """`NAME=WEIGHT:TEMPLATE[,TEMPLATE…]`, e.g. `B=30:promo-b-wa,promo-b-sms`."""
    name, eq, rest = text.partition("=")
    weight, colon, templates = rest.partition(":")
    try:
        value = float(weight)
    except ValueError:
        value = None
    if not eq or not colon or value is None or not templates.strip():
        raise Invalid(f"expected NAME=WEIGHT:TEMPLATE[,TEMPLATE…], got {text!r}", where="--variant")
    return name.strip(), value, [t.strip() for t in templates.split(",") if t.strip()]


def read_contact_ids(path: Path) -> tuple[int, ...]:
    """Contact ids, one per line (a header line and blank lines are ignored); a bad line is named."""
    ids = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        text = line.strip().split(",")[0].strip()
        if not text or (number == 1 and not text.isdigit()):
            continue
        if not text.isdigit():
            raise Invalid(f"{text!r} is not a contact id", where=f"{path} line {number}")
        ids.append(int(text))
    if not ids:
        raise Invalid("no contact ids in the file", where=str(path))
    return tuple(ids)


def test_settings(
    metric: str | None, share: float, hold: int, least: int, confidence: float, method: str | None, otherwise: str
) -> dict | None:
    if metric is None:
        return None
    if not 50 <= confidence <= 99.9:
        raise Invalid(f"expected a percentage from 50 to 99.9, got {confidence:g}", where="--test-confidence")
    found = {"metric": metric, "test_percent": share, "hold_minutes": hold, "min_sample": least}
    return {**found, "confidence": confidence / 100, "method": method, "if_no_winner": otherwise}


def rollout_settings(canary: float | None, hold: int, max_failure: float, max_optout: float) -> dict | None:
    if canary is None:
        return None
    return {
        "canary_percent": canary,
        "hold_minutes": hold,
        "max_failure_rate": max_failure,
        "max_optout_rate": max_optout,
    }


@app.command()
def create(
    ctx: typer.Context,
    name: str,
    segment: Annotated[str | None, typer.Option(help="Audience expression, e.g. 'tag:vip and consent:sms'.")] = None,
    template: Annotated[
        list[str] | None,
        typer.Option(
            help="Template id or name; repeat to fall back in order, e.g. --template promo-wa --template promo-sms."
        ),
    ] = None,
    variant: Annotated[
        list[str] | None, typer.Option(help="A/B/n: NAME=WEIGHT:TEMPLATE[,TEMPLATE…]; weights add up to 100.")
    ] = None,
    contacts: Annotated[Path | None, typer.Option(help="A static list: a file of contact ids.")] = None,
    exclude: Annotated[str | None, typer.Option(help="Leave out this segment.")] = None,
    exclude_campaign: Annotated[
        list[str] | None, typer.Option(help="Leave out everyone this campaign reached.")
    ] = None,
    holdout: Annotated[float, typer.Option(help="Percent kept back as a control group.")] = 0.0,
    canary: Annotated[float | None, typer.Option(help="Roll out: percent sent first.")] = None,
    hold: Annotated[int, typer.Option(help="Roll out: minutes to watch the canary.")] = 60,
    max_failure: Annotated[float, typer.Option(help="Roll out: pause above this failure rate.")] = 0.05,
    max_optout: Annotated[float, typer.Option(help="Roll out: pause above this opt-out rate.")] = 0.01,
    purpose: Annotated[str, typer.Option(help="marketing or transactional")] = "marketing",
    preset: Annotated[str, typer.Option(help="Policy preset (herald rules presets).")] = "default",
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override RULE.PARAM=VALUE.")] = None,
    sender_pool: Annotated[
        str | None, typer.Option(help="Send only from the accounts' senders in this pool (see docs/providers.md).")
    ] = None,
    test_metric: Annotated[
        str | None,
        typer.Option(help="A/B test phase judged by: delivered, read, click, conversion or revenue."),
    ] = None,
    test_percent: Annotated[float, typer.Option(help="A/B test: percent of the audience in the test.")] = 20.0,
    test_hold: Annotated[int, typer.Option(help="A/B test: minutes after the last test message.")] = 240,
    test_min_sample: Annotated[int, typer.Option(help="A/B test: sent messages per variant at least.")] = 100,
    test_confidence: Annotated[float, typer.Option(help="A/B test: percent sure a winner must be.")] = 95.0,
    test_method: Annotated[str | None, typer.Option(help="A/B test of a rate: bayes (default) or z.")] = None,
    if_no_winner: Annotated[str, typer.Option(help="A/B test: control, split or pause.")] = "control",
    json_out: JsonFlag = False,
) -> None:
    """Create a draft campaign."""
    if not template and not variant:
        raise Invalid("give --template (one or more, in fallback order) or --variant", where="campaign")
    if not segment and not contacts:
        raise Invalid("give the audience: --segment EXPRESSION (e.g. 'all') or --contacts FILE", where="campaign")
    container = app_context(ctx).container
    audience = service.Audience(
        read_contact_ids(contacts) if contacts else (), exclude, tuple(exclude_campaign or ()), holdout
    )
    with container.uow() as uow:
        c = service.create_campaign(
            uow,
            name,
            segment or "",
            list(template or []),
            container.clock.now(),
            purpose=parse_enum(Purpose, purpose, "--purpose"),
            preset=preset,
            overrides=parse_overrides(set_),
            variants=[parse_variant(v) for v in variant or []],
            audience=audience,
            rollout_settings=rollout_settings(canary, hold, max_failure, max_optout),
            sender_pool=sender_pool,
            pools=container.routing.all_pools(),
            test_settings=test_settings(
                test_metric, test_percent, test_hold, test_min_sample, test_confidence, test_method, if_no_winner
            ),
            tracks_links=bool(container.settings.public_url),
        )
        data = campaign_out(c)
    emit(ctx, json_out, data, f"Created campaign {name!r} (id {data['id']}): {_channels(data)}, draft.")


def _channels(data: dict[str, Any]) -> str:
    return "; ".join(
        f"{v['name']} {v['weight']:g}% " + " → ".join(ch for ch, _ in v["templates"]) for v in data["variants"]
    )


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every campaign."""
    with app_context(ctx).container.uow() as uow:
        data = [
            {
                "id": c.id,
                "name": c.name,
                "status": c.status,
                "channels": " → ".join(ch for ch, _ in c.variants[0]["templates"]),
                "variants": len(c.variants),
                "schedule": c.schedule,
                "audience": c.audience_size,
            }
            for c in uow.session.scalars(select(Campaign).order_by(Campaign.id))
        ]
    emit(ctx, json_out, data, lambda: table(None, list(data[0]) if data else ["id"], [list(d.values()) for d in data]))


@app.command()
def show(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """One campaign: its state, audience, variants, policy, schedule and rollout."""
    with app_context(ctx).container.uow() as uow:
        data = campaign_out(service.get_campaign(uow, campaign))

    def human() -> None:
        out.print(
            f"{data['name']} (id {data['id']}): {data['status']}"
            + (f" — {data['status_reason']}" if data["status_reason"] else "")
        )
        for key in (
            "segment",
            "preset",
            "overrides",
            "holdout_percent",
            "exclude_segment",
            "schedule",
            "next_run_at",
            "local_time",
            "cron",
            "runs",
            "rollout",
            "audience",
        ):
            if data[key] not in (None, {}, [], 0, 0.0) and not (key == "next_run_at" and data["trigger"]):
                out.print(f"  {key:<16} {data[key]}")  # (one sent on events runs at every beat)
        if data["trigger"]:
            out.print(f"  {'sent':<16} {said_trigger(data['trigger'])}", markup=False)
        out.print(f"  variants         {_channels(data)}")

    emit(ctx, json_out, data, human)


@app.command()
def clone(ctx: typer.Context, campaign: str, name: str, json_out: JsonFlag = False) -> None:
    """Copy a campaign into a new draft."""
    container = app_context(ctx).container
    with container.uow() as uow:
        data = campaign_out(service.clone_campaign(uow, campaign, name, container.clock.now()))
    emit(ctx, json_out, data, f"Cloned into {name!r} (id {data['id']}), draft.")


@app.command()
def explain(ctx: typer.Context, campaign: str, contact: int, json_out: JsonFlag = False) -> None:
    """Why this contact did or did not get this campaign, rule by rule."""
    container = app_context(ctx).container
    with container.uow() as uow:
        c = service.get_campaign(uow, campaign)
        get_contact(uow, contact)
        m = outbox.for_campaign_contact(uow.session, c.id, contact)
        data: dict[str, Any]
        if m is None:
            data = {
                "campaign": c.id,
                "contact": contact,
                "in_audience": False,
                "text": f"Contact {contact} is not in the audience of {c.name!r} ({c.segment}), or the "
                "campaign has not been planned yet.",
            }
        else:
            data = {"campaign": c.id, "in_audience": True, **describe(m, container.clock.now())}
    emit(ctx, json_out, data, data["text"])


@app.command()
def why(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Why messages were not sent: counts by state and reason, each with an example."""
    with app_context(ctx).container.uow() as uow:
        c = service.get_campaign(uow, campaign)
        data = {"campaign": c.id, "name": c.name, **why_not(uow.session, c.id)}

    def human() -> None:
        out.print(f"{c.name}: " + ", ".join(f"{k} {v}" for k, v in sorted(data["by_status"].items())))
        for d in data["not_sent"]:
            out.print(f"  {d['count']:>7}  {d['status']:<9} {d['reason']:<16} {d['example'] or ''}", markup=False)

    emit(ctx, json_out, data, human)


# Start, schedule, pause… live in a file of their own; they join this group here.
app.registered_commands.extend(cli_lifecycle.commands.registered_commands)
