"""`herald templates export | import | meta-status | sms-info`: templates in and out, Meta's verdicts, SMS encoding."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from herald.console import JsonFlag, app_context, emit, out
from herald.content import sms
from herald.content.cli.common import acting_user, app, read_json


@app.command("export")
def export(ctx: typer.Context, names: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Print templates as JSON (the newest version of each locale and variant)."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        data = service.export_templates(uow, names or [])
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command("import")
def import_(ctx: typer.Context, path: Path, json_out: JsonFlag = False) -> None:
    """Create templates from an export, as drafts to review again."""
    from herald.content import service

    container = app_context(ctx).container
    data = read_json(path)
    with container.uow() as uow:
        created = service.import_templates(uow, data, author=acting_user(ctx), now=container.clock.now())
        result = {"created": len(created)}
    emit(ctx, json_out, result, f"Imported {len(created)} version(s) as drafts.")


@app.command("meta-status")
def meta_status(ctx: typer.Context, path: Path, json_out: JsonFlag = False) -> None:
    """Apply a saved `message_template_status_update` webhook payload from Meta."""
    from herald.content import service
    from herald.content.whatsapp import meta_status_updates

    container = app_context(ctx).container
    updates = meta_status_updates(read_json(path))
    with container.uow() as uow:
        changed = service.apply_meta_status(uow, updates, container.clock.now())
    emit(ctx, json_out, {"updates": len(updates), "changed": changed}, f"{changed} of {len(updates)} applied.")


@app.command("sms-info")
def sms_info(
    ctx: typer.Context,
    smart: Annotated[bool, typer.Option(help="Swap look-alikes first.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Read SMS text on standard input; print encoding, characters and segments."""
    text = sys.stdin.read()
    if text.endswith("\n"):
        text = text[:-1]
    replaced: tuple[str, ...] = ()
    if smart:
        encoded = sms.smart_encode(text)
        text, replaced = encoded.text, encoded.replaced
    info = sms.analyze(text).as_dict()
    if smart:
        info.update({"smart_encoded": text, "replaced": list(replaced)})

    def human() -> None:
        out.print(f"{info['encoding']}: {info['characters']} characters, {info['segments']} segment(s)")
        if info["unicode_characters"]:
            out.print("UCS-2 forced by: " + " ".join(info["unicode_characters"]))
        if replaced:
            out.print("Swapped: " + " ".join(replaced))

    emit(ctx, json_out, info, human)
