"""`herald keys …`: API keys for programs, with scopes."""

from __future__ import annotations

from typing import Annotated

import typer

from herald import access
from herald.access.queries import key_view
from herald.console import JsonFlag, app_context, emit, table
from herald.errors import Invalid
from herald.types import span

app = typer.Typer(help="API keys for your programs: scopes, last use, revocation.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What uses it, e.g. shop-sync.")],
    scope: Annotated[list[str], typer.Option("--scope", help="A scope such as contacts:write; repeat for several.")],
    expires: Annotated[str | None, typer.Option(help="Expire after this long: 90d, 12h.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a key; it is printed this once (Herald keeps only its hash)."""
    container = app_context(ctx).container
    now = container.clock.now()
    until = None
    if expires is not None:
        length = span(expires)
        if length is None:
            raise Invalid(f"{expires!r} is not a span such as 90d or 12h", where="--expires")
        until = now + length
    actor = container.actor
    assert actor is not None  # every command with a database acts as someone
    with container.control_uow() as uow:
        made = access.create_key(
            uow, name, [s for item in scope for s in item.split(",")], actor, now, expires_at=until
        )
        data = {"key": made.key, **key_view(made.row, now).model_dump(mode="json")}
    emit(ctx, json_out, data, f"Key {name} ({', '.join(data['scopes'])}); shown once, keep it safe:\n{made.key}")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every key: scopes, who made it, last use, whether revoked or expired."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        found = [
            key_view(k, container.clock.now()).model_dump(mode="json") for k in access.keys(uow, container.workspace)
        ]
    rows = [
        [k["name"], ", ".join(k["scopes"]), k["status"], k["last_used_at"] or "never", k["created_by"]] for k in found
    ]
    emit(ctx, json_out, found, lambda: table("API keys", ["name", "scopes", "status", "last used", "by"], rows))


@app.command("revoke")
def revoke(ctx: typer.Context, name: str) -> None:
    """Revoke a key at once."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        access.revoke_key(uow, name, container.clock.now(), container.workspace)
    emit(ctx, False, {}, f"Key {name} revoked.")
