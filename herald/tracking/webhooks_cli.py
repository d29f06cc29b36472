"""`herald webhooks …`: the business's endpoints for events, and what was delivered to them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, print_lines
from herald.tracking import outbound
from herald.tracking.models import WebhookDelivery, WebhookSubscription

app = typer.Typer(help="Send events to your own systems: signed webhooks, retried.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The endpoint, https://…")],
    events: Annotated[str, typer.Option(help="Event types, comma-separated (message.clicked,…), or * for all.")],
    description: Annotated[str | None, typer.Option(help="What it is for.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Subscribe an endpoint; prints its signing secret this once (keep it to check the signatures)."""
    container = app_context(ctx).container
    with container.uow() as uow:
        found = outbound.add_webhook(uow, url, events.split(","), container.clock.now(), description)
        shown = _subscription(found) | {"secret": found.secret}
    emit(
        ctx,
        json_out,
        shown,
        lambda: print_lines(
            [f"Webhook {shown['id']} → {url} for {', '.join(shown['events'])}", f"Signing secret: {shown['secret']}"]
        ),
    )


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """The subscriptions (their secrets are not shown again)."""
    container = app_context(ctx).container
    with container.uow() as uow:
        found = [_subscription(s) for s in outbound.list_webhooks(uow)]
    lines = [f"{s['id']:>4}  {s['url']}  {', '.join(s['events'])}" for s in found] or ["No webhooks."]
    emit(ctx, json_out, found, lambda: print_lines(lines))


@app.command("remove")
def remove(ctx: typer.Context, subscription: Annotated[int, typer.Argument(help="Its number.")]) -> None:
    """Remove a subscription and its deliveries."""
    container = app_context(ctx).container
    with container.uow() as uow:
        outbound.remove_webhook(uow, subscription)
    print_lines([f"Webhook {subscription} removed."])


@app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending, sending, delivered or failed.")] = None,
    webhook: Annotated[int | None, typer.Option(help="Only this subscription's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    json_out: JsonFlag = False,
) -> None:
    """The latest deliveries, newest first, with each one's attempts and last failure."""
    container = app_context(ctx).container
    with container.uow() as uow:
        found = [_delivery(d) for d in outbound.list_deliveries(uow, status, webhook, limit)]
    lines = [
        f"{d['id']:>6}  {d['status']:<9} {d['event_type']:<20} tries {d['attempts']}"
        + (f"  {d['last_error']}" if d["last_error"] else "")
        for d in found
    ] or ["No deliveries."]
    emit(ctx, json_out, found, lambda: print_lines(lines))


def _subscription(s: WebhookSubscription) -> dict[str, Any]:
    return {"id": s.id, "url": s.url, "events": s.events, "description": s.description, "active": s.active}


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "webhook": d.subscription_id,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "next_at": d.next_at,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "delivered_at": d.delivered_at,
    }
