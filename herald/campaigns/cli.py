"""`herald campaigns …`"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from sqlalchemy import select

from herald.campaigns import service
from herald.campaigns.explain import describe
from herald.campaigns.models import Campaign
from herald.console import JsonFlag, app_context, emit, out, parse_pairs, progress, table
from herald.contacts.service import get_contact
from herald.errors import Invalid
from herald.outbox import queries as outbox_queries
from herald.segments import queries as segments
from herald.types import Purpose, parse_enum

app = typer.Typer(help="Create, plan and explain campaigns.", no_args_is_help=True)


def parse_overrides(values: list[str] | None) -> dict[str, dict[str, Any]]:
    """`rule.param=value` pairs into policy overrides; values are read as JSON when they parse."""
    overrides: dict[str, dict[str, Any]] = {}
    for key, raw in parse_pairs(values, "--set").items():
        rule, dot, param = key.partition(".")
        if not dot:
            raise Invalid(f"expected RULE.PARAM=VALUE, got {key!r}", where="--set")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        overrides.setdefault(rule, {})[param] = value
    return overrides


@app.command()
def create(ctx: typer.Context, name: str,
           segment: Annotated[str, typer.Option(help="Audience expression, e.g. 'tag:vip and consent:sms'.")],
           template: Annotated[str, typer.Option(help="Template id or name; its channel is the campaign's.")],
           purpose: Annotated[str, typer.Option(help="marketing or transactional")] = "marketing",
           preset: Annotated[str, typer.Option(help="Policy preset (herald rules presets).")] = "default",
           set_: Annotated[list[str] | None, typer.Option("--set", help="Override RULE.PARAM=VALUE.")] = None,
           json_out: JsonFlag = False) -> None:
    """Create a draft campaign."""
    container = app_context(ctx).container
    with container.uow() as uow:
        c = service.create_campaign(uow, name, segment, template, container.clock.now(),
                                    purpose=parse_enum(Purpose, purpose, "--purpose"), preset=preset,
                                    overrides=parse_overrides(set_))
        data = {"id": c.id, "name": c.name, "channel": c.channel, "segment": c.segment, "preset": c.preset}
    emit(ctx, json_out, data, f"Created campaign {name!r} (id {data['id']}) on {data['channel']}.")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every campaign."""
    with app_context(ctx).container.uow() as uow:
        data = [{"id": c.id, "name": c.name, "channel": c.channel, "status": c.status, "segment": c.segment,
                 "audience": c.audience_size} for c in uow.session.scalars(select(Campaign).order_by(Campaign.id))]
    emit(ctx, json_out, data, lambda: table(None, list(data[0]) if data else ["id"], [list(d.values()) for d in data]))


@app.command()
def plan(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Decide for every recipient and queue the messages; running it again adds only newcomers."""
    container = app_context(ctx).container
    with container.uow() as uow:
        c = service.get_campaign(uow, campaign)
        total = segments.count(uow.session, c.segment)
    with progress(f"Planning {c.name}", total) as advance, container.uow() as uow:
        stats = service.plan_campaign(uow, campaign, container.clock.now(), advance)
    data = {"campaign": c.id, **stats.as_dict()}

    def human() -> None:
        out.print(f"Planned {c.name!r}: audience {stats.audience}, {stats.new} new, "
                  f"{stats.already_planned} already planned.")
        out.print(f"  send now {data['send_now']}, deferred {data['deferred']}, skipped {data['skipped']}"
                  + (f" ({', '.join(f'{k} {v}' for k, v in stats.skipped_by.items())})" if stats.skipped_by else ""))

    emit(ctx, json_out, data, human)


@app.command()
def explain(ctx: typer.Context, campaign: str, contact: int, json_out: JsonFlag = False) -> None:
    """Why this contact did or did not get this campaign, rule by rule."""
    container = app_context(ctx).container
    with container.uow() as uow:
        c = service.get_campaign(uow, campaign)
        get_contact(uow, contact)
        m = outbox_queries.for_campaign_contact(uow.session, c.id, contact)
        if m is None:
            data = {"campaign": c.id, "contact": contact, "in_audience": False,
                    "text": f"Contact {contact} is not in the audience of {c.name!r} ({c.segment}), or the "
                            "campaign has not been planned yet."}
        else:
            data = {"campaign": c.id, "in_audience": True, **describe(m, container.clock.now())}
    emit(ctx, json_out, data, data["text"])
