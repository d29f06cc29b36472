"""`herald templates lint | submit | withdraw | approve | reject | presets`: the review of a version."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, out
from herald.content.cli.common import (
    Declared,
    Locale,
    Preset,
    Variant,
    acting_user,
    app,
    print_findings,
    version_data,
)


@app.command()
def lint(
    ctx: typer.Context,
    name: str,
    locale: Locale = None,
    variant: Variant = "A",
    preset: Preset = None,
    json_out: JsonFlag = False,
) -> None:
    """Compliance findings for the newest version; exits 2 when there are errors."""
    from herald.content import service
    from herald.content.lint import ERROR, lint_content

    container = app_context(ctx).container
    with container.uow() as uow:
        template = service.get_template(uow, name)
        version = service.latest_version(uow, template, locale, variant)
        findings = [
            f.as_dict()
            for f in lint_content(
                template.channel,
                template.purpose,
                version.content,
                container.template_profile(uow, template, version.locale, preset or []),
            )
        ]
    emit(ctx, json_out, findings, lambda: print_findings(findings) if findings else out.print("No findings."))
    if any(f["severity"] == ERROR for f in findings):
        raise typer.Exit(2)


def _review(
    ctx: typer.Context,
    action: str,
    name: str,
    locale: str | None,
    variant: str,
    reason: str | None,
    preset: list[str] | None,
    json_out: bool,
) -> None:
    from herald.content import service
    from herald.content.lint import lint_content

    container = app_context(ctx).container
    with container.uow() as uow:
        template = service.get_template(uow, name)
        version = service.latest_version(uow, template, locale, variant)
        findings = lint_content(
            template.channel,
            template.purpose,
            version.content,
            container.template_profile(uow, template, version.locale, preset or []),
        )
        service.review(
            uow, version, action, actor=acting_user(ctx), now=container.clock.now(), reason=reason, findings=findings
        )
        result = version_data(template, version)
    emit(
        ctx,
        json_out,
        result,
        f"{name} {result['locale']}/{result['variant']} v{result['version']} is now {result['status']}.",
    )


@app.command()
def submit(
    ctx: typer.Context,
    name: str,
    locale: Locale = None,
    variant: Variant = "A",
    preset: Preset = None,
    json_out: JsonFlag = False,
) -> None:
    """Ask for review; lint errors must be fixed first."""
    _review(ctx, "submit", name, locale, variant, None, preset, json_out)


@app.command()
def withdraw(
    ctx: typer.Context,
    name: str,
    locale: Locale = None,
    variant: Variant = "A",
    json_out: JsonFlag = False,
) -> None:
    """Take a version back from review to edit it."""
    _review(ctx, "withdraw", name, locale, variant, None, None, json_out)


@app.command()
def approve(
    ctx: typer.Context,
    name: str,
    locale: Locale = None,
    variant: Variant = "A",
    preset: Preset = None,
    json_out: JsonFlag = False,
) -> None:
    """Approve a pending version (not your own); it can then be sent and never changes."""
    _review(ctx, "approve", name, locale, variant, None, preset, json_out)


@app.command()
def reject(
    ctx: typer.Context,
    name: str,
    reason: Annotated[str, typer.Option(help="What the author must fix.")],
    locale: Locale = None,
    variant: Variant = "A",
    json_out: JsonFlag = False,
) -> None:
    """Reject a pending version with a reason."""
    _review(ctx, "reject", name, locale, variant, reason, None, json_out)


@app.command("presets")
def presets(
    ctx: typer.Context,
    name: str,
    preset: Declared = None,
    clear: Annotated[bool, typer.Option(help="Declare none beyond the locale's.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Show the jurisdictions a template is reviewed against, or declare its own with --preset."""
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        template = service.get_template(uow, name)
        if preset or clear:
            service.set_presets(uow, template, container.checked_presets(preset or []))
        effective = {
            f"{v.locale}/{v.variant}": container.template_presets(template, v.locale)
            for v in service.newest_versions(uow, template).values()
        }
        data = {"template": template.name, "declared": list(template.presets or []), "reviewed_against": effective}
    emit(ctx, json_out, data, lambda: _print_presets(data))


def _print_presets(data: dict[str, Any]) -> None:
    out.print(f"{data['template']} declares: {', '.join(data['declared']) or 'no presets of its own'}")
    for version, names in data["reviewed_against"].items():
        out.print(f"  {version} is linted against {', '.join(names)}")
