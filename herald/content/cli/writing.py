"""`herald templates create | edit | add | list | show`: write templates and their versions."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.content import sms
from herald.content.cli.common import (
    Body,
    BodyFile,
    ContentFile,
    Declared,
    HtmlFile,
    Locale,
    Preheader,
    Subject,
    Variant,
    acting_user,
    app,
    content_given,
    print_findings,
    version_data,
)
from herald.types import Channel, Purpose, parse_enum


@app.command()
def create(
    ctx: typer.Context,
    name: str,
    channel: Annotated[str, typer.Option(help="sms, whatsapp or email")],
    body: Body = None,
    body_file: BodyFile = None,
    file: ContentFile = None,
    subject: Subject = None,
    preheader: Preheader = None,
    html_file: HtmlFile = None,
    purpose: Annotated[str, typer.Option(help="marketing or transactional")] = "marketing",
    locale: Annotated[str, typer.Option(help="The first version's locale.")] = "en",
    preset: Declared = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a template (version 1, draft); syntax, variables and size are checked now."""
    from herald.content import service
    from herald.content.lint import lint_content

    chan = parse_enum(Channel, channel, "--channel")
    data = content_given(chan.value, body, body_file, file, subject, preheader, html_file)
    container = app_context(ctx).container
    with container.uow() as uow:
        version = service.create_template(
            uow,
            name,
            chan,
            data,
            author=acting_user(ctx),
            now=container.clock.now(),
            purpose=parse_enum(Purpose, purpose, "--purpose"),
            locale=locale,
            presets=container.checked_presets(preset or []),
        )
        template = service.get_template(uow, version.template_id)
        result = version_data(template, version)
        result["findings"] = [
            f.as_dict()
            for f in lint_content(
                chan.value, purpose, version.content, container.template_profile(uow, template, version.locale)
            )
        ]
    info = sms.analyze(data["body"]).as_dict() if chan is Channel.SMS else None
    emit(ctx, json_out, {**result, "sms": info}, lambda: _created(result, info))


def _created(result: dict[str, Any], info: dict[str, Any] | None) -> None:
    out.print(f"Created {result['template']} {result['locale']} v{result['version']} (draft).")
    if info:
        out.print(f"{info['encoding']}, {info['segments']} segment(s) before variables.")
    print_findings(result["findings"])
    out.print(f"Next: herald templates submit {result['template']}")


@app.command()
def edit(
    ctx: typer.Context,
    name: str,
    locale: Locale = None,
    variant: Variant = "A",
    body: Body = None,
    body_file: BodyFile = None,
    file: ContentFile = None,
    subject: Subject = None,
    preheader: Preheader = None,
    html_file: HtmlFile = None,
    json_out: JsonFlag = False,
) -> None:
    """Change a draft, or start the next version of an approved or rejected one."""
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        template = service.get_template(uow, name)
        data = content_given(template.channel, body, body_file, file, subject, preheader, html_file)
        version = service.edit_version(
            uow,
            template,
            data,
            locale=locale or template.default_locale,
            variant=variant,
            author=acting_user(ctx),
            now=container.clock.now(),
        )
        result = version_data(template, version)
    emit(
        ctx,
        json_out,
        result,
        f"{name} {result['locale']}/{result['variant']} is now v{result['version']} ({result['status']}).",
    )


@app.command()
def add(
    ctx: typer.Context,
    name: str,
    locale: Annotated[str, typer.Option(help="Locale such as zh-CN.")],
    variant: Variant = "A",
    body: Body = None,
    body_file: BodyFile = None,
    file: ContentFile = None,
    subject: Subject = None,
    preheader: Preheader = None,
    html_file: HtmlFile = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a locale or an A/B variant to a template, as a draft."""
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        template = service.get_template(uow, name)
        data = content_given(template.channel, body, body_file, file, subject, preheader, html_file)
        version = service.add_version(
            uow, template, data, locale=locale, variant=variant, author=acting_user(ctx), now=container.clock.now()
        )
        result = version_data(template, version)
    emit(ctx, json_out, result, f"Added {name} {result['locale']}/{result['variant']} v1 (draft).")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every template with the status of its newest versions."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        data: list[dict[str, Any]] = []
        for t in service.all_templates(uow):
            newest = service.newest_versions(uow, t)
            data.append(
                {
                    "id": t.id,
                    "name": t.name,
                    "channel": t.channel,
                    "purpose": t.purpose,
                    "versions": [f"{loc}/{var} v{v.version} {v.status}" for (loc, var), v in newest.items()],
                }
            )
    emit(
        ctx,
        json_out,
        data,
        lambda: table(
            None,
            ["id", "name", "channel", "purpose", "versions"],
            [[d["id"], d["name"], d["channel"], d["purpose"], "; ".join(d["versions"])] for d in data],
        ),
    )


@app.command()
def show(ctx: typer.Context, name: str, json_out: JsonFlag = False) -> None:
    """Every version of a template with who wrote and reviewed it."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        template = service.get_template(uow, name)
        data = [version_data(template, v) for v in service.versions(uow, template)]
    emit(ctx, json_out, data, lambda: _print_versions(name, data))


def _print_versions(name: str, data: list[dict[str, Any]]) -> None:
    """The review table, then the words of every version: what a reviewer reads before approving."""
    table(
        name,
        ["locale", "variant", "version", "status", "author", "reviewer", "meta", "note"],
        [
            [
                d["locale"],
                d["variant"],
                d["version"],
                d["status"],
                d["author"],
                d["reviewer"] or "",
                d["meta_status"] or "",
                d["note"] or "",
            ]
            for d in data
        ],
    )
    for d in data:
        out.print(f"\n{d['locale']}/{d['variant']} v{d['version']} ({d['status']}):", markup=False)
        for key, value in d["content"].items():
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
            out.print(f"  {key}: {text}", markup=False)
