"""`herald scores …`"""

from __future__ import annotations

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.contacts import get_contact
from herald.errors import Invalid
from herald.scores import sendtimes, service

app = typer.Typer(help="RFM scores, lifecycle stages and send-time profiles.", no_args_is_help=True)


@app.command()
def compute(
    ctx: typer.Context, new_days: int = 30, active_days: int = 90, churn_days: int = 180, json_out: JsonFlag = False
) -> None:
    """Recompute every contact's RFM scores and lifecycle stage now (the worker does it daily)."""
    container = app_context(ctx).container
    limits = service.Thresholds(new_days, active_days, churn_days)
    with container.uow() as uow:
        counts = service.compute(uow, container.clock.now(), limits)
    emit(ctx, json_out, counts, lambda: out.print("Lifecycle: " + ", ".join(f"{k} {v}" for k, v in counts.items())))


@app.command("send-times")
def send_times(
    ctx: typer.Context,
    contact: int | None = typer.Option(None, help="Show this contact's best hours of the week."),
    days: int = typer.Option(sendtimes.WINDOW_DAYS, help="Engagements of the last DAYS days make the profiles."),
    json_out: JsonFlag = False,
) -> None:
    """Recompute every contact's send-time profile now (the worker does it daily), or show one contact's."""
    container = app_context(ctx).container
    if days < 1:
        raise Invalid(f"expected 1 day or more, got {days}", where="--days")
    with container.uow() as uow:
        if contact is not None:
            shown = sendtimes.profile_of(uow.session, contact, get_contact(uow, contact).region)
            hours = ", ".join(f"{h['when']} ({h['share']:.1%})" for h in shown["best_hours"])
            text = f"Contact {contact}: {shown['engagements']:g} weighted engagements; best hours {hours}"
            emit(ctx, json_out, shown, text)
            return
        counts = sendtimes.recompute_profiles(uow, container.clock.now(), days)
    emit(ctx, json_out, counts, f"Send-time profiles: {counts['contacts']} contacts, {counts['regions']} regions.")


@app.command()
def grid(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Contacts per recency × frequency cell (5 is the most recent, the most frequent)."""
    with app_context(ctx).container.uow() as uow:
        cells = service.rfm_grid(uow)
    found = {(c["r"], c["f"]): c["contacts"] for c in cells}
    emit(
        ctx,
        json_out,
        cells,
        lambda: table(
            "recency ↓ × frequency →",
            ["r", "f1", "f2", "f3", "f4", "f5"],
            [[r, *(found.get((r, f), 0) for f in range(1, 6))] for r in range(5, 0, -1)],
        ),
    )


@app.command()
def cluster(
    ctx: typer.Context, k: int = typer.Option(4, "--k", help="How many clusters (2 to 12)."), json_out: JsonFlag = False
) -> None:
    """Group contacts by RFM and engagement (k-means) into computed tags named in words."""
    from herald.scores import clusters

    container = app_context(ctx).container
    with container.uow() as uow:
        found = clusters.cluster(uow, container.clock.now(), k)
    emit(
        ctx,
        json_out,
        found,
        lambda: table(
            "Clusters",
            ["tag", "contacts", "bought", "days since", "purchases", "spent", "engagement"],
            [
                [
                    c["tag"],
                    c["contacts"],
                    f"{c['profile']['buyers']:.0%}",
                    c["profile"]["recency_days"],
                    c["profile"]["purchases"],
                    c["profile"]["spent"],
                    c["profile"]["engagement"],
                ]
                for c in found
            ],
        ),
    )
