"""`herald tags …`"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.errors import Invalid
from herald.tags import service
from herald.tags.queries import contact_ids_in
from herald.types import as_id, span

app = typer.Typer(help="Create tags and tag contacts.", no_args_is_help=True)


def parse_ids(raw: str) -> list[int]:
    read = [as_id(p) for p in raw.replace(" ", "").split(",") if p]
    ids = [i for i in read if i is not None]
    if len(ids) < len(read):
        raise Invalid(f"expected comma-separated contact ids, got {raw!r}", where="--ids")
    return ids


@app.command()
def create(
    ctx: typer.Context,
    name: str,
    description: str | None = None,
    category: Annotated[str | None, typer.Option(help="The tag's category (create it first).")] = None,
    colour: Annotated[str | None, typer.Option(help="A colour such as #1f77b4.")] = None,
    kind: Annotated[str, typer.Option(help="manual, rule or computed.")] = "manual",
    json_out: JsonFlag = False,
) -> None:
    """Create a tag."""
    container = app_context(ctx).container
    with container.uow() as uow:
        tag = service.create_tag(
            uow, name, container.clock.now(), description, category=category, colour=colour, kind=kind
        )
        data = {"id": tag.id, "name": tag.name, "category": category, "colour": tag.colour, "kind": tag.kind}
    emit(ctx, json_out, data, f"Created tag {name!r}.")


@app.command()
def category(
    ctx: typer.Context,
    name: str,
    description: str | None = None,
    editors: Annotated[str | None, typer.Option(help="Roles that may apply or edit its tags, comma-separated.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a tag category (customer type, interests, region, lifecycle…)."""
    container = app_context(ctx).container
    roles = [r.strip() for r in (editors or "").split(",") if r.strip()]
    with container.uow() as uow:
        made = service.create_category(uow, name, container.clock.now(), description, roles)
        data = {"id": made.id, "name": made.name, "editors": made.editors}
    emit(ctx, json_out, data, f"Created category {name!r}.")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every tag with its category, kind and how many contacts carry it."""
    container = app_context(ctx).container
    with container.uow() as uow:
        data = service.tags_table(uow, container.clock.now())
    emit(
        ctx,
        json_out,
        data,
        lambda: table(
            None,
            ["tag", "category", "kind", "colour", "contacts"],
            [[d["tag"], d["category"] or "", d["kind"], d["colour"] or "", d["contacts"]] for d in data],
        ),
    )


@app.command()
def search(ctx: typer.Context, prefix: str, json_out: JsonFlag = False) -> None:
    """Tag names starting with PREFIX."""
    with app_context(ctx).container.uow() as uow:
        found = service.search_tags(uow, prefix)
    emit(ctx, json_out, found, lambda: out.print("\n".join(found) or "no tag starts with that"))


@app.command()
def rename(ctx: typer.Context, old: str, new: str, json_out: JsonFlag = False) -> None:
    """Rename a tag; its contacts keep it."""
    with app_context(ctx).container.uow() as uow:
        service.rename_tag(uow, old, new)
    emit(ctx, json_out, {"from": old, "to": new}, f"Renamed {old!r} to {new!r}.")


@app.command()
def merge(ctx: typer.Context, source: str, into: str, json_out: JsonFlag = False) -> None:
    """Give SOURCE's contacts the tag INTO, then delete SOURCE."""
    with app_context(ctx).container.uow() as uow:
        moved = service.merge_tags(uow, source, into)
    emit(
        ctx,
        json_out,
        {"from": source, "into": into, "moved": moved},
        f"Merged {source!r} into {into!r}: {moved} contact(s) newly carry {into!r}.",
    )


@app.command()
def delete(
    ctx: typer.Context,
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Delete a tag and take it off every contact (shows how many first)."""
    container = app_context(ctx).container
    with container.uow() as uow:
        carrying = dict(service.tag_counts(uow)).get(service.get_tag(uow, name).name, 0)
    if not yes and not typer.confirm(f"{carrying} contact(s) carry {name!r}. Delete it"):
        raise typer.Exit(1)
    with container.uow() as uow:
        removed = service.delete_tag(uow, name)
    emit(ctx, json_out, {"tag": name, "removed_from": removed}, f"Deleted {name!r} ({removed} contact(s)).")


@app.command()
def apply(
    ctx: typer.Context,
    name: str,
    ids: Annotated[str | None, typer.Option(help="Comma-separated contact ids.")] = None,
    segment: Annotated[str | None, typer.Option(help="Tag everyone matching this expression.")] = None,
    file: Annotated[Path | None, typer.Option(help="A CSV or list of phone numbers or emails.")] = None,
    expires: Annotated[str | None, typer.Option(help="Take it off again after this long: 30d, 12h.")] = None,
    create: Annotated[bool, typer.Option(help="Create the tag if it does not exist.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Tag contacts by id list, segment expression or a file of numbers and emails."""
    if sum(x is not None for x in (ids, segment, file)) != 1:
        raise Invalid("give exactly one of --ids, --segment or --file", where="tags apply")
    app_ctx = app_context(ctx)
    container = app_ctx.container
    now = container.clock.now()
    until = now + _span(expires) if expires else None
    by = app_ctx.actor_name
    unknown: list[str] = []
    with container.uow() as uow:
        if create:
            service.ensure_tag(uow, name, now)
        if ids is not None:
            added = service.tag_contacts(uow, name, parse_ids(ids), by, now, until)
        elif segment is not None:
            added = service.tag_matching(uow, name, app_ctx.audience(uow.session, segment), by, now, until)
        elif file is not None:
            found, unknown = contact_ids_in(uow, file, container.settings.default_region)
            added = service.tag_contacts(uow, name, found, by, now, until)
    emit(
        ctx,
        json_out,
        {"tag": name, "newly_tagged": added, "not_found": unknown},
        f"Tagged {added} contact(s) {name!r}." + (f" {len(unknown)} not found." if unknown else ""),
    )


def _span(text: str) -> timedelta:
    found = span(text)
    if found is None:
        raise Invalid(f"{text!r} is not a span such as 30d or 12h", where="--expires")
    return found


@app.command()
def remove(
    ctx: typer.Context,
    name: str,
    ids: Annotated[str | None, typer.Option(help="Comma-separated contact ids.")] = None,
    segment: Annotated[str | None, typer.Option(help="Untag everyone matching this expression.")] = None,
    file: Annotated[Path | None, typer.Option(help="A CSV or list of phone numbers or emails.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Remove a tag from contacts by id list, segment expression or a file of numbers and emails."""
    if sum(x is not None for x in (ids, segment, file)) != 1:
        raise Invalid("give exactly one of --ids, --segment or --file", where="tags remove")
    app_ctx = app_context(ctx)
    container = app_ctx.container
    unknown: list[str] = []
    with container.uow() as uow:
        if ids is not None:
            removed = service.untag_contacts(uow, name, parse_ids(ids))
        elif segment is not None:
            removed = service.untag_matching(uow, name, app_ctx.audience(uow.session, segment))
        elif file is not None:
            found, unknown = contact_ids_in(uow, file, container.settings.default_region)
            removed = service.untag_contacts(uow, name, found)
    emit(
        ctx,
        json_out,
        {"tag": name, "removed": removed, "not_found": unknown},
        f"Removed {name!r} from {removed} contact(s)." + (f" {len(unknown)} not found." if unknown else ""),
    )
