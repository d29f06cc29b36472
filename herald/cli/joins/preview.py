"""`herald templates preview`: a template as chosen contacts, or a sample of a segment, would get it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, out


def preview_command(
    ctx: typer.Context,
    name: str,
    contact: Annotated[str | None, typer.Option(help="Comma-separated contact ids.")] = None,
    segment: Annotated[
        str | None, typer.Option(help="Preview for a sample of this segment and price the whole of it.")
    ] = None,
    sample: Annotated[int, typer.Option(help="How many contacts of the segment.")] = 3,
    variant: Annotated[str, typer.Option(help="A/B variant.")] = "A",
    approved_only: Annotated[bool, typer.Option(help="Only approved versions.")] = False,
    preset: Annotated[list[str] | None, typer.Option(help="Lint against these presets.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Render a template for contacts with its lint findings, SMS encoding, segments and cost."""
    # Imported here: the templates group loads this command, and `templates sms-info` needs no database.
    from herald.campaigns import Request, preview
    from herald.tags import parse_ids

    container = app_context(ctx).container
    request = Request(name, tuple(parse_ids(contact)) if contact else (), segment, sample, variant, not approved_only)
    with container.uow(dry_run=True) as uow:
        result = preview(
            uow, request, container.lint_profile(uow, preset or []), container.prices(), container.clock.now()
        )
    emit(ctx, json_out, result, lambda: _human(result))


def _human(result: dict[str, Any]) -> None:
    for s in result["samples"]:
        head = f"[bold]contact {s['contact']}[/] ({s.get('region') or '?'}, {s.get('version', '-')})"
        if "body" not in s:
            out.print(f"{head}: not sent — {s.get('skipped') or s.get('error')}")
            continue
        out.print(f"{head}:")
        if s.get("subject"):
            out.print(f"  Subject: {s['subject']}")
        out.print("  " + s["body"].replace("\n", "\n  "), markup=False)
        if "sms" in s:
            cost = s["cost"]["amount"]
            out.print(
                f"  {s['sms']['encoding']}, {s['sms']['characters']} characters, {s['sms']['segments']} "
                f"segment(s), {cost + ' ' + s['cost']['currency'] if cost else 'no price for this region'}"
            )
    for version, findings in result["findings"].items():
        out.print(f"[bold]Lint {version}[/]: " + ("no findings" if not findings else ""))
        for f in findings:
            out.print(f"  {f['severity']} {f['field']} [{f['code']}] {f['message']}", markup=False)
    if "audience" in result:
        a = result["audience"]
        out.print(
            f"[bold]Audience[/] {a['recipients']} recipients × {a['units_per_message']} unit(s): "
            f"{a['total']} {a['currency']}"
            + (f" (no price for {a['unpriced_regions']})" if a["unpriced_regions"] else "")
        )


# Preview needs a campaign's audience, so it lives above the content room, and joins `herald templates`.
JOINS = {"templates": {"preview": preview_command}}
