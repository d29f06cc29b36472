"""`herald scores …`"""

from __future__ import annotations

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.scores import service

app = typer.Typer(help="RFM scores and lifecycle stages, from purchase events.", no_args_is_help=True)


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
