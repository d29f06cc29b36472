"""`herald segments …`"""

from __future__ import annotations

from typing import Annotated

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.segments import queries, service

app = typer.Typer(help="Count, list and save contacts matching a filter expression.", no_args_is_help=True)


@app.command()
def count(ctx: typer.Context, expression: str, json_out: JsonFlag = False) -> None:
    """How many contacts match, e.g. 'tag:vip and region:NP and not tag:churned'."""
    container = app_context(ctx).container
    with container.uow() as uow:
        n = queries.count(uow.session, expression, container.clock.now())
    emit(ctx, json_out, {"expression": expression, "count": n}, f"{n} contact(s) match {expression!r}.")


@app.command("list")
def list_(ctx: typer.Context, expression: str, limit: int = 20, offset: int = 0, json_out: JsonFlag = False) -> None:
    """The matching contacts, in id order."""
    container = app_context(ctx).container
    with container.uow() as uow:
        rows = [
            {"id": c.id, "name": c.name, "phone": c.phone, "email": c.email, "region": c.region}
            for c in queries.members(uow.session, expression, limit, offset, container.clock.now())
        ]
    emit(
        ctx,
        json_out,
        rows,
        lambda: table(expression, ["id", "name", "phone", "email", "region"], [list(r.values()) for r in rows]),
    )


@app.command()
def save(
    ctx: typer.Context,
    name: str,
    expression: str,
    static: Annotated[bool, typer.Option("--static", help="Keep who matches now (a snapshot).")] = False,
    description: str | None = None,
    json_out: JsonFlag = False,
) -> None:
    """Save an expression under a name; other expressions use it as segment:NAME."""
    container = app_context(ctx).container
    with container.uow() as uow:
        saved = service.save_segment(
            uow, name, expression, container.clock.now(), "static" if static else "dynamic", description
        )
        data = {"name": saved.name, "kind": saved.kind, "size": saved.size_at_save}
    emit(ctx, json_out, data, f"Saved {data['kind']} segment {name!r} ({data['size']} contacts now).")


@app.command()
def show(ctx: typer.Context, name: str, json_out: JsonFlag = False) -> None:
    """A saved segment: its expression, live count and a sample of members."""
    container = app_context(ctx).container
    with container.uow() as uow:
        data = service.describe(uow, name, container.clock.now())

    def human() -> None:
        out.print(
            f"{data['name']} ({data['kind']}): {data['expression']} — {data['count']} contacts now, "
            f"{data['size_at_save']} when saved"
        )
        table(None, ["id", "name", "phone", "email"], [list(r.values()) for r in data["sample"]])

    emit(ctx, json_out, data, human)


@app.command()
def saved(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every saved segment."""
    with app_context(ctx).container.uow() as uow:
        data = service.list_segments(uow)
    emit(
        ctx,
        json_out,
        data,
        lambda: table(None, ["name", "kind", "expression", "size when saved"], [list(r.values()) for r in data]),
    )
