"""`herald segments …`"""

from __future__ import annotations

import typer

from herald.console import JsonFlag, app_context, emit, table
from herald.segments import queries

app = typer.Typer(help="Count and list contacts matching a filter expression.", no_args_is_help=True)


@app.command()
def count(ctx: typer.Context, expression: str, json_out: JsonFlag = False) -> None:
    """How many contacts match, e.g. 'tag:vip and region:NP and not tag:churned'."""
    with app_context(ctx).container.uow() as uow:
        n = queries.count(uow.session, expression)
    emit(ctx, json_out, {"expression": expression, "count": n}, f"{n} contact(s) match {expression!r}.")


@app.command("list")
def list_(ctx: typer.Context, expression: str, limit: int = 20, offset: int = 0, json_out: JsonFlag = False) -> None:
    """The matching contacts, in id order."""
    with app_context(ctx).container.uow() as uow:
        rows = [{"id": c.id, "name": c.name, "phone": c.phone, "email": c.email, "region": c.region}
                for c in queries.members(uow.session, expression, limit, offset)]
    emit(ctx, json_out, rows, lambda: table(expression, ["id", "name", "phone", "email", "region"],
                                            [list(r.values()) for r in rows]))
