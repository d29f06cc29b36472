"""`herald tags rules …`: automatic tag rules."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer

from herald.autotag import service
from herald.console import JsonFlag, app_context, emit, out, table
from herald.errors import Invalid

app = typer.Typer(help="Rules that tag contacts from what they do and what they write.", no_args_is_help=True)

Opt = typer.Option


def definition(file: Path | None, options: dict[str, Any]) -> dict[str, Any]:
    """A rule definition from a TOML or JSON file, or from the command's options."""
    if file is not None:
        if not file.is_file():
            raise Invalid("file not found", where=str(file))
        text = file.read_text(encoding="utf-8")
        try:
            return json.loads(text) if file.suffix == ".json" else tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            raise Invalid(f"not valid {'JSON' if file.suffix == '.json' else 'TOML'}: {exc}", where=str(file)) from None
    keywords = [k.strip() for k in (options.pop("keywords") or "").split(",") if k.strip()]
    synonyms = {}
    for entry in options.pop("synonym") or []:
        word, sep, others = entry.partition("=")
        if not sep:
            raise Invalid(f"expected KEYWORD=SYNONYM,SYNONYM, got {entry!r}", where="--synonym")
        synonyms[word.strip()] = [s.strip() for s in others.split(",") if s.strip()]
    if keywords or synonyms:
        return {"kind": "keyword", "keywords": keywords, "synonyms": synonyms, **options}
    options["event"] = options.pop("on")
    return {"kind": "event", **options}


@app.command()
def save(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The rule's name; saving again makes a new version.")],
    file: Annotated[Path | None, Opt(help="A TOML or JSON file with the definition (see docs/tags.md).")] = None,
    on: Annotated[str | None, Opt(help="Event rule: the event type, e.g. purchase.")] = None,
    where: Annotated[str | None, Opt(help="Event rule: property conditions, e.g. 'product = \"A\"'.")] = None,
    count: Annotated[int | None, Opt(help="Event rule: at least this many events (default 1).")] = None,
    within: Annotated[str | None, Opt(help="Count only this recent span, e.g. 7d.")] = None,
    keywords: Annotated[str | None, Opt(help="Keyword rule: comma-separated keywords, e.g. 'price,价格'.")] = None,
    synonym: Annotated[list[str] | None, Opt(help="Keyword rule: KEYWORD=SYN,SYN (repeatable).")] = None,
    tag: Annotated[str | None, Opt(help="The tag to apply; {property} names one per value: bought:{product}.")] = None,
    expires: Annotated[str | None, Opt(help="The tag lapses this long after the latest event, e.g. 30d.")] = None,
    category: Annotated[str | None, Opt(help="Category for tags the rule creates (create it first).")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Report what the rule would change; save nothing.")] = False,
    backfill: Annotated[bool, Opt("--backfill", help="Apply it over all history once saved.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Create or change a rule; it tags contacts as their events arrive from then on."""
    rule = definition(
        file,
        {
            "on": on,
            "where": where,
            "count": count,
            "within": within,
            "keywords": keywords,
            "synonym": synonym,
            "tag": tag,
            "expires": expires,
            "category": category,
        },
    )
    rule = {k: v for k, v in rule.items() if v is not None}
    container = app_context(ctx).container
    now = container.clock.now()
    with container.uow() as uow:
        if dry_run:
            report = service.dry_run(uow, rule, now)
            return emit(ctx, json_out, report, lambda: _show_dry_run(report))
        saved = service.save_rule(uow, name, rule, app_context(ctx).actor_name, now)
        data: dict[str, Any] = {"name": saved.name, "version": saved.version, "definition": saved.definition}
        if backfill:
            data["backfill"] = service.backfill(uow, name, now)
    emit(
        ctx,
        json_out,
        data,
        lambda: out.print(
            f"Saved rule {name!r}, version {saved.version}."
            + (
                f" Back-fill: {data['backfill']['tagged']} tagged, {data['backfill']['extended']} extended."
                if backfill
                else ""
            )
        ),
    )


def _show_dry_run(report: dict[str, Any]) -> None:
    table(
        "Dry run: nothing was saved",
        ["tag", "qualify", "would tag", "would extend"],
        [[t, r["qualify"], r["would_tag"], r["would_extend"]] for t, r in report["tags"].items()],
    )
    out.print(
        f"{report['qualify']} qualify; {report['would_tag']} would be tagged, "
        f"{report['would_extend']} would have their tag extended."
    )


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every rule with its version and whether it is on."""
    container = app_context(ctx).container
    with container.uow() as uow:
        rows = [
            {
                "name": r.name,
                "kind": r.kind,
                "version": r.version,
                "enabled": r.enabled,
                "tag": r.definition.get("tag"),
                "updated_at": r.updated_at,
                "updated_by": r.updated_by,
            }
            for r in service.list_rules(uow)
        ]
    cells = [
        [r["name"], r["kind"], r["version"], "yes" if r["enabled"] else "no", r["tag"], r["updated_by"]] for r in rows
    ]
    emit(ctx, json_out, rows, lambda: table(None, ["rule", "kind", "version", "on", "tag", "saved by"], cells))


@app.command()
def show(ctx: typer.Context, name: str, json_out: JsonFlag = False) -> None:
    """A rule's definition and every version it had."""
    container = app_context(ctx).container
    with container.uow() as uow:
        rule = service.get_rule(uow, name)
        data = {
            "name": rule.name,
            "kind": rule.kind,
            "version": rule.version,
            "enabled": rule.enabled,
            "definition": rule.definition,
            "versions": [
                {"version": v.version, "saved_at": v.saved_at, "saved_by": v.saved_by, "definition": v.definition}
                for v in service.history(uow, name)
            ],
        }
    emit(ctx, json_out, data, lambda: out.print(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


@app.command()
def backfill(ctx: typer.Context, name: str, json_out: JsonFlag = False) -> None:
    """Apply a rule over all history, as if every event had just arrived."""
    container = app_context(ctx).container
    with container.uow() as uow:
        done = service.backfill(uow, name, container.clock.now())
    emit(ctx, json_out, done, f"Rule {name!r}: {done['tagged']} tagged, {done['extended']} extended.")


@app.command()
def switch(
    ctx: typer.Context, name: str, state: Annotated[str, typer.Argument(help="on or off")], json_out: JsonFlag = False
) -> None:
    """Turn a rule on or off for arriving events."""
    if state not in ("on", "off"):
        raise Invalid(f"expected on or off, got {state!r}", where="state")
    container = app_context(ctx).container
    with container.uow() as uow:
        service.set_enabled(uow, name, state == "on")
    emit(ctx, json_out, {"name": name, "enabled": state == "on"}, f"Rule {name!r} is {state}.")


@app.command()
def delete(ctx: typer.Context, name: str, json_out: JsonFlag = False) -> None:
    """Delete a rule and its history; the tags it applied stay."""
    container = app_context(ctx).container
    with container.uow() as uow:
        service.delete_rule(uow, name)
    emit(ctx, json_out, {"name": name, "deleted": True}, f"Deleted rule {name!r}; its tags stay on contacts.")


# Automatic tagging rules are managed beside the tags they apply, as `herald tags rules …`.
JOINS = {"tags": {"rules": app}}
