"""`herald alerts …`: alerts raised by the rules, acknowledged and resolved; the rules themselves."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from herald.analytics.alerting import alerts
from herald.console import JsonFlag, app_context, emit, print_lines
from herald.db import UnitOfWork

app = typer.Typer(help="Alerts that pause a campaign or a provider account, and their rules.", no_args_is_help=True)
rules_app = typer.Typer(help="The alert rules in force: the defaults and your own.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open, acknowledged or resolved.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Alerts, newest first: what broke, what Herald did, and who handled it."""
    container = app_context(ctx).container
    with container.uow() as uow:
        found = [alerts.alert_view(a) for a in alerts.list_alerts(uow, status)]
    lines = [
        f"#{a['id']:<4} {a['status']:<12} {a['raised_at']:%Y-%m-%d %H:%M} UTC  {a['reason']} — {a['done']}"
        + (f" (seen {a['times']}×)" if a["times"] > 1 else "")
        for a in found
    ] or ["No alerts."]
    emit(ctx, json_out, found, lambda: print_lines(lines))


@app.command("ack")
def ack(ctx: typer.Context, alert: Annotated[int, typer.Argument(help="The alert's number.")]) -> None:
    """Acknowledge an alert: someone is on it."""
    container = app_context(ctx).container
    with container.uow() as uow:
        alerts.acknowledge(uow, alert, _who(uow), container.clock.now())
    print_lines([f"Alert {alert} acknowledged."])


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    alert: Annotated[int, typer.Argument(help="The alert's number.")],
    note: Annotated[str | None, typer.Option(help="What was done about it.")] = None,
) -> None:
    """Resolve an alert (resume the campaign or the account yourself when it is safe to)."""
    container = app_context(ctx).container
    with container.uow() as uow:
        alerts.resolve(uow, alert, _who(uow), container.clock.now(), note)
    print_lines([f"Alert {alert} resolved."])


@app.command("watch")
def watch(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Judge the rules now, as the worker does once a minute."""
    container = app_context(ctx).container
    with container.uow() as uow:
        said = alerts.watch(uow, container.clock.now(), container.prices())
    emit(ctx, json_out, said, lambda: print_lines(said or ["Every rule holds."]))


@rules_app.command("list")
def rules_list(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every rule: what it watches, where it comes from, whether it is on."""
    container = app_context(ctx).container
    with container.uow() as uow:
        found = [alerts.rule_view(r, origin, active) for r, origin, active in alerts.rules(uow)]
    lines = [f"{r['name']:<14} {'on ' if r['active'] else 'off'} {r['origin']:<8} {r['watches']}" for r in found]
    emit(ctx, json_out, found, lambda: print_lines(lines))


@rules_app.command("set")
def rules_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The rule's name (a default's name replaces it).")],
    metric: Annotated[str, typer.Option(help="delivery_rate, failure_rate, optout_rate, complaint_rate, …")],
    threshold: Annotated[str | None, typer.Option(help="A percentage (20 or 20%), a count, or FLAGGED.")] = None,
    window: Annotated[int, typer.Option(help="Minutes the rate is measured over.")] = 60,
    min_volume: Annotated[int, typer.Option(help="Messages a rate needs before it is judged.")] = 50,
    per: Annotated[str | None, typer.Option(help="campaign or account (rates).")] = None,
    action: Annotated[str, typer.Option(help="notify, pause_campaign or pause_account.")] = "notify",
    label: Annotated[str | None, typer.Option(help="What people see it called.")] = None,
) -> None:
    """Save a rule, checked (thresholds from 0 to 100 %, windows of at least a minute)."""
    table: dict[str, Any] = {"metric": metric, "window_minutes": window, "min_volume": min_volume, "action": action}
    table.update({k: v for k, v in (("threshold", threshold), ("per", per), ("label", label)) if v is not None})
    container = app_context(ctx).container
    with container.uow() as uow:
        rule = alerts.save_rule(uow, name, table, container.clock.now())
    print_lines([f"Rule {name}: {rule.describe()}."])


@rules_app.command("off")
def rules_off(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The rule's name.")]) -> None:
    """Switch a rule off (a default too)."""
    _switch(ctx, name, False)


@rules_app.command("on")
def rules_on(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The rule's name.")]) -> None:
    """Switch a rule on again."""
    _switch(ctx, name, True)


@rules_app.command("remove")
def rules_remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The rule's name.")]) -> None:
    """Remove your own rule, or put a changed default back as it was."""
    container = app_context(ctx).container
    with container.uow() as uow:
        alerts.remove_rule(uow, name)
    print_lines([f"Rule {name} removed."])


def _switch(ctx: typer.Context, name: str, active: bool) -> None:
    container = app_context(ctx).container
    with container.uow() as uow:
        alerts.switch_rule(uow, name, active, container.clock.now())
    print_lines([f"Rule {name} {'on' if active else 'off'}."])


def _who(uow: UnitOfWork) -> str:
    return uow.actor.label if uow.actor is not None else "system"
