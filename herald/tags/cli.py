"""`herald tags …`"""

from __future__ import annotations

from typing import Annotated

import typer

from herald.console import JsonFlag, app_context, emit, table
from herald.errors import Invalid
from herald.tags import service

app = typer.Typer(help="Create tags and tag contacts.", no_args_is_help=True)


def parse_ids(raw: str) -> list[int]:
    try:
        return [int(p) for p in raw.replace(" ", "").split(",") if p]
    except ValueError:
        raise Invalid(f"expected comma-separated contact ids, got {raw!r}", where="--ids") from None


@app.command()
def create(ctx: typer.Context, name: str, description: str | None = None, json_out: JsonFlag = False) -> None:
    """Create a tag."""
    container = app_context(ctx).container
    with container.uow() as uow:
        tag = service.create_tag(uow, name, container.clock.now(), description)
        data = {"id": tag.id, "name": tag.name}
    emit(ctx, json_out, data, f"Created tag {name!r}.")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every tag with how many contacts carry it."""
    with app_context(ctx).container.uow() as uow:
        data = [{"tag": n, "contacts": c} for n, c in service.tag_counts(uow)]
    emit(ctx, json_out, data, lambda: table(None, ["tag", "contacts"], [[d["tag"], d["contacts"]] for d in data]))


@app.command()
def apply(ctx: typer.Context, name: str,
          ids: Annotated[str | None, typer.Option(help="Comma-separated contact ids.")] = None,
          segment: Annotated[str | None, typer.Option(help="Tag everyone matching this expression.")] = None,
          create: Annotated[bool, typer.Option(help="Create the tag if it does not exist.")] = False,
          json_out: JsonFlag = False) -> None:
    """Tag contacts by id list or by segment expression."""
    if (ids is None) == (segment is None):
        raise Invalid("give exactly one of --ids or --segment", where="tags apply")
    app_ctx = app_context(ctx)
    container = app_ctx.container
    now = container.clock.now()
    with container.uow() as uow:
        if create:
            service.ensure_tag(uow, name, now)
        if ids is not None:
            added = service.tag_contacts(uow, name, parse_ids(ids), "cli", now)
        else:
            added = service.tag_matching(uow, name, app_ctx.audience(uow.session, segment), "cli", now)
    emit(ctx, json_out, {"tag": name, "newly_tagged": added}, f"Tagged {added} contact(s) {name!r}.")


@app.command()
def remove(ctx: typer.Context, name: str, ids: Annotated[str, typer.Option(help="Comma-separated contact ids.")],
           json_out: JsonFlag = False) -> None:
    """Remove a tag from contacts."""
    with app_context(ctx).container.uow() as uow:
        removed = service.untag_contacts(uow, name, parse_ids(ids))
    emit(ctx, json_out, {"tag": name, "removed": removed}, f"Removed {name!r} from {removed} contact(s).")
