"""`herald workspaces …`: brands or clients whose data no other sees, and who works in each."""

from __future__ import annotations

from typing import Annotated

import typer

from herald import access
from herald.console import JsonFlag, app_context, emit, table

app = typer.Typer(
    help="Workspaces: brands or clients whose data no other sees, and their members.", no_args_is_help=True
)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="1 to 32 lower-case letters, digits and _.")],
    label: Annotated[str | None, typer.Option(help="The name people read: 'Acme Shoes'.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a workspace: its own database file (SQLite) or schema (PostgreSQL), migrated now."""
    container = app_context(ctx).container
    actor = container.actor
    assert actor is not None  # every command with a database acts as someone
    with container.control_uow() as uow:
        made = access.create_workspace(uow, name, container.clock.now(), actor, label)
        other = container.for_workspace(made.name)
        try:
            other.migrate_own()  # before the commit: a workspace in the list always has its tables
        finally:
            other.close()
    emit(ctx, json_out, {"name": made.name, "label": label}, f"Workspace {made.name} created.")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every workspace with its members."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        listed = {n: access.members(uow, n) for n in access.workspace_names(uow)}
    found = [{"name": n, "members": dict(m)} for n, m in listed.items()]
    rows = [[n, ", ".join(f"{u} ({r})" for u, r in m)] for n, m in listed.items()]
    emit(ctx, json_out, found, lambda: table("Workspaces", ["name", "members"], rows))


@app.command("add-member")
def add_member(ctx: typer.Context, workspace: str, user: str, role: str, json_out: JsonFlag = False) -> None:
    """Give a user a role in a workspace (owners and admins of the installation act in every one)."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        access.add_member(uow, workspace, user, role, by=container.actor)
    emit(ctx, json_out, {"workspace": workspace, "user": user, "role": role}, f"{user} is {role} in {workspace}.")


@app.command("remove-member")
def remove_member(ctx: typer.Context, workspace: str, user: str) -> None:
    """Take a user out of a workspace."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        access.remove_member(uow, workspace, user)
    emit(ctx, False, {}, f"{user} no longer works in {workspace}.")
