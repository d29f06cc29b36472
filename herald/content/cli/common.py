"""What the template commands share: the `herald templates` group, its option types, and the readers of
content given on the command line.

The content service and lint (and with them SQLAlchemy) are imported by the commands that use them:
`herald templates sms-info` needs neither and answers at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from herald.console import app_context, out
from herald.errors import Invalid

if TYPE_CHECKING:
    from herald.content.models import Template


app = typer.Typer(help="Write, review and lint templates; check SMS encoding and cost.", no_args_is_help=True)

coupons = typer.Typer(help="Pools of one-time coupon codes ({{ coupon.POOL }}).", no_args_is_help=True)

words = typer.Typer(help="Edit the banned-words list that lint checks.", no_args_is_help=True)

app.add_typer(coupons, name="coupons")

app.add_typer(words, name="words")

Body = Annotated[str | None, typer.Option(help="SMS text, WhatsApp free-form text, or email plain text.")]

BodyFile = Annotated[Path | None, typer.Option(help="Read --body from a file.")]

ContentFile = Annotated[
    Path | None,
    typer.Option("--file", help="The whole content as JSON (any channel; WhatsApp templates: see docs/content.md)."),
]

Subject = Annotated[str | None, typer.Option(help="Email subject.")]

Preheader = Annotated[str | None, typer.Option(help="Email preheader.")]

HtmlFile = Annotated[Path | None, typer.Option(help="Email HTML body from a file.")]

Locale = Annotated[str | None, typer.Option(help="Locale such as en, zh-CN (default: the template's own).")]

Variant = Annotated[str, typer.Option(help="A/B variant.")]

Preset = Annotated[
    list[str] | None,
    typer.Option(
        "--preset", help="Lint against these presets too, beyond the configured one, the locale's and the template's."
    ),
]

Declared = Annotated[
    list[str] | None,
    typer.Option(
        "--preset", help="A jurisdiction (policy preset) it is written for, beyond its locale's; repeat for several."
    ),
]


def acting_user(ctx: typer.Context) -> str:
    """Who is acting: the user named by `--as` (or the configured operator), else the system user."""
    return app_context(ctx).actor_name


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A file's text, or a one-line reason naming the file."""
    try:
        return path.read_text(encoding=encoding)
    except OSError as exc:
        raise Invalid(exc.strerror or "cannot be read", where=str(path)) from None
    except UnicodeDecodeError:
        raise Invalid("not UTF-8 text", where=str(path)) from None


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise Invalid(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", where=str(path)) from None


def content_given(
    channel: str,
    body: str | None,
    body_file: Path | None,
    file: Path | None,
    subject: str | None,
    preheader: str | None,
    html_file: Path | None,
) -> dict[str, Any]:
    """Content from the command line: a JSON file, or the per-channel options."""
    if file is not None:
        return read_json(file)
    text = read_text(body_file) if body_file is not None else body
    if channel == "email":
        html = read_text(html_file) if html_file else None
        return {
            k: v
            for k, v in {"subject": subject, "preheader": preheader, "html": html, "text": text}.items()
            if v is not None
        }
    if text is None:
        raise Invalid("give --body, --body-file or --file", where="templates")
    return {"text": text} if channel == "whatsapp" else {"body": text}


def version_data(template: Template, version: Any) -> dict[str, Any]:
    return {
        "template": template.name,
        "id": version.id,
        "channel": template.channel,
        "locale": version.locale,
        "variant": version.variant,
        "version": version.version,
        "status": version.status,
        "author": version.author,
        "reviewer": version.reviewer,
        "note": version.review_note,
        "meta_status": version.meta_status,
        "meta_template_id": version.meta_template_id,
        "meta_reason": version.meta_reason,
        "content": version.content,
        "presets": list(template.presets or []),
    }


def print_findings(findings: list[dict[str, Any]]) -> None:
    from herald.content.lint import ERROR

    for f in findings:
        where = f"{f['field']}" + (f" {f['line']}:{f['column']}" if "line" in f else "")
        colour = "red" if f["severity"] == ERROR else "yellow"
        out.print(f"[{colour}]{f['severity']}[/] {where} [{f['code']}] {f['message']}")
