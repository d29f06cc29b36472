"""`herald messages …`: the messages a provider may have delivered without saying so, and settling them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.errors import Invalid
from herald.types import as_id

app = typer.Typer(help="Messages left uncertain by a provider, and settling them.", no_args_is_help=True)


@app.command("unknown")
def unknown_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many, oldest first.")] = 100,
    json_out: JsonFlag = False,
) -> None:
    """Messages a provider may have delivered without answering (a timeout, a worker lost mid-send)."""
    from herald.outbox import unknown_messages

    with app_context(ctx).container.uow() as uow:
        data = unknown_messages(uow.session, limit)
    emit(ctx, json_out, data, lambda: _print(data))


def _print(data: list[dict[str, Any]]) -> None:
    if not data:
        out.print("No message is waiting to be settled.")
        return
    rows = [
        [d["id"], d["campaign"], d["contact"], d["channel"], d["address"], d["provider"], d["reason"], d["error"]]
        for d in data
    ]
    table(None, ["id", "campaign", "contact", "channel", "address", "account", "why", "provider said"], rows)
    out.print(
        "Check each with the provider (its console or its receipts), then: "
        "herald messages resolve IDS --as sent|failed|resend"
    )


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    ids: Annotated[str, typer.Argument(help="Message ids, comma-separated.")],
    as_: Annotated[str, typer.Option("--as", help="resend (queue it again), sent (it was delivered) or failed.")],
    note: Annotated[str, typer.Option(help="Why, for the record.")] = "settled by an operator",
    json_out: JsonFlag = False,
) -> None:
    """Settle messages left unknown: resend them, or close them as delivered or lost."""
    from herald.outbox import RESOLUTIONS, resolve_unknown

    if as_ not in RESOLUTIONS:
        raise Invalid(f"expected one of {', '.join(RESOLUTIONS)}, got {as_!r}", where="--as")
    wanted = [as_id(p.strip()) for p in ids.split(",") if p.strip()]
    if not wanted or any(i is None for i in wanted):
        raise Invalid(f"expected comma-separated message ids, got {ids!r}", where="IDS")
    container = app_context(ctx).container
    with container.uow() as uow:
        done = resolve_unknown(uow, [i for i in wanted if i is not None], as_, container.clock.now(), note)
    left = sorted(set(i for i in wanted if i is not None) - set(done))
    data = {"settled": done, "as": as_, "not_unknown": left}
    emit(ctx, json_out, data, f"{len(done)} settled as {as_}" + (f"; not unknown, left alone: {left}" if left else "."))
