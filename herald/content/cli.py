"""`herald templates …`"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from herald.console import JsonFlag, app_context, emit, out, table
from herald.content import service, sms
from herald.content.models import Template
from herald.errors import Invalid
from herald.types import Channel, parse_enum

app = typer.Typer(help="Write templates and check SMS encoding.", no_args_is_help=True)


@app.command()
def create(ctx: typer.Context, name: str,
           channel: Annotated[str, typer.Option(help="sms, whatsapp or email")],
           body: Annotated[str | None, typer.Option(help="Template text (Jinja2 variables).")] = None,
           body_file: Annotated[Path | None, typer.Option(help="Read the body from a file.")] = None,
           subject: Annotated[str | None, typer.Option(help="Email subject.")] = None,
           json_out: JsonFlag = False) -> None:
    """Create a template; syntax, variables and size are checked now, not at send time."""
    if (body is None) == (body_file is None):
        raise Invalid("give exactly one of --body or --body-file", where="templates create")
    text = body if body is not None else body_file.read_text(encoding="utf-8")
    container = app_context(ctx).container
    with container.uow() as uow:
        t = service.create_template(uow, name, parse_enum(Channel, channel, "--channel"), text,
                                    container.clock.now(), subject)
        data = {"id": t.id, "name": t.name, "channel": t.channel}
    info = sms.analyze(text).as_dict() if channel == "sms" else None
    emit(ctx, json_out, {**data, "sms": info},
         f"Created template {name!r} (id {data['id']})." + (f" {info['encoding']}, {info['segments']} segment(s)"
                                                              " before variables." if info else ""))


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every template."""
    with app_context(ctx).container.uow() as uow:
        data = [{"id": t.id, "name": t.name, "channel": t.channel, "body": t.body}
                for t in uow.session.scalars(select(Template).order_by(Template.id))]
    emit(ctx, json_out, data, lambda: table(None, ["id", "name", "channel", "body"],
                                            [[d["id"], d["name"], d["channel"], d["body"][:60]] for d in data]))


@app.command("sms-info")
def sms_info(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Read SMS text on standard input; print encoding, characters and segments."""
    text = sys.stdin.read()
    if text.endswith("\n"):
        text = text[:-1]
    info = sms.analyze(text).as_dict()

    def human() -> None:
        out.print(f"{info['encoding']}: {info['characters']} characters, {info['segments']} segment(s)")
        if info["unicode_characters"]:
            out.print("UCS-2 forced by: " + " ".join(info["unicode_characters"]))

    emit(ctx, json_out, info, human)
