"""`herald contacts export-person` and `herald contacts erase`: a person's access and erasure requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from herald import people
from herald.console import JsonFlag, app_context, emit, out, print_lines


def export_person_command(
    ctx: typer.Context,
    contact_id: Annotated[int, typer.Argument(help="The contact's id.")],
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the JSON here (default: print it).")] = None,
) -> None:
    """Everything Herald holds about one person, as JSON (an access request)."""
    with app_context(ctx).container.uow() as uow:
        data = people.export_person(uow, contact_id)
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out_file:
        out_file.write_text(text + "\n", encoding="utf-8")
        out.print(f"Everything held about contact {contact_id} written to {out_file}.")
    else:
        print(text)


def erase_command(
    ctx: typer.Context,
    contact_id: Annotated[int, typer.Argument(help="The contact's id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Erase one person's data for good; they are never imported or messaged again."""
    app_ctx = app_context(ctx)
    if not yes and not typer.confirm(f"Erase contact {contact_id} for good? This cannot be undone"):
        raise typer.Exit(1)
    container = app_ctx.container
    with container.uow() as uow:
        result = people.erase_person(uow, contact_id, container.clock.now(), container.settings.secret_key)
    emit(
        ctx,
        json_out,
        json.loads(json.dumps(result, default=str)),
        lambda: out.print(
            f"Contact {contact_id} erased: {result['tags_removed']} tags removed, {result['messages_scrubbed']} "
            "messages kept without their address."
        ),
    )


def merge_command(
    ctx: typer.Context,
    keep: Annotated[int, typer.Argument(help="The contact that stays.")],
    other: Annotated[int, typer.Argument(help="The contact merged into it, then gone.")],
    json_out: JsonFlag = False,
) -> None:
    """Merge two contacts that are one person; the kept one's fields win, history is kept."""
    container = app_context(ctx).container
    with container.uow() as uow:
        result = people.merge_people(uow, keep, other, container.clock.now(), app_context(ctx).actor_name)
    moved = result["moved"]
    emit(
        ctx,
        json_out,
        result,
        lambda: out.print(
            f"Contact {other} merged into {keep}: {moved['messages']} messages, {moved['tags']} tags and "
            f"{moved['lists']} list memberships moved; its details are kept in the history."
        ),
    )


def timeline_command(
    ctx: typer.Context,
    contact_id: Annotated[int, typer.Argument(help="The contact's id.")],
    limit: Annotated[int, typer.Option(help="At most this many entries, newest first.")] = 50,
    json_out: JsonFlag = False,
) -> None:
    """What happened with one person: events, consent, tags and messages, newest first."""
    with app_context(ctx).container.uow() as uow:
        entries = people.timeline(uow, contact_id, limit)
    emit(
        ctx,
        json_out,
        json.loads(json.dumps(entries, default=str)),
        lambda: print_lines(
            f"{e['at']:%Y-%m-%d %H:%M}  {e['kind']:<8} {e['what']}  {e['detail'] or ''}" for e in entries
        ),
    )


# These commands are about one person across every room, so they live above the rooms; they join the
# `herald contacts` group, where an operator looks for them.
JOINS = {
    "contacts": {
        "export-person": export_person_command,
        "erase": erase_command,
        "merge": merge_command,
        "timeline": timeline_command,
    }
}
