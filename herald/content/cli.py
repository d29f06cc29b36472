"""`herald templates …`: write, review, lint, export and price templates."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.content import sms
from herald.errors import Invalid
from herald.types import Channel, Purpose, parse_enum

if TYPE_CHECKING:
    from herald.content.models import Template

# The content service and lint (and with them SQLAlchemy) are imported by the commands that use them:
# `herald templates sms-info` needs neither and answers at once.

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
By = Annotated[str, typer.Option("--by", help="Who is acting (default: your login).")]
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


def _me() -> str:
    return getpass.getuser()


def _read(path: Path, encoding: str = "utf-8") -> str:
    """A file's text, or a one-line reason naming the file."""
    try:
        return path.read_text(encoding=encoding)
    except OSError as exc:
        raise Invalid(exc.strerror or "cannot be read", where=str(path)) from None
    except UnicodeDecodeError:
        raise Invalid("not UTF-8 text", where=str(path)) from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise Invalid(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", where=str(path)) from None


def _content(
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
        return _read_json(file)
    text = _read(body_file) if body_file is not None else body
    if channel == "email":
        html = _read(html_file) if html_file else None
        return {
            k: v
            for k, v in {"subject": subject, "preheader": preheader, "html": html, "text": text}.items()
            if v is not None
        }
    if text is None:
        raise Invalid("give --body, --body-file or --file", where="templates")
    return {"text": text} if channel == "whatsapp" else {"body": text}


def _version_data(template: Template, version: Any) -> dict[str, Any]:
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
        "content": version.content,
        "presets": list(template.presets or []),
    }


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
    by: By = "",
    json_out: JsonFlag = False,
) -> None:
    """Create a template (version 1, draft); syntax, variables and size are checked now."""
    from herald.content import service
    from herald.content.lint import lint_content

    chan = parse_enum(Channel, channel, "--channel")
    data = _content(chan.value, body, body_file, file, subject, preheader, html_file)
    container = app_context(ctx).container
    with container.uow() as uow:
        version = service.create_template(
            uow,
            name,
            chan,
            data,
            author=by or _me(),
            now=container.clock.now(),
            purpose=parse_enum(Purpose, purpose, "--purpose"),
            locale=locale,
            presets=container.checked_presets(preset or []),
        )
        template = service.get_template(uow, version.template_id)
        result = _version_data(template, version)
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
    _print_findings(result["findings"])
    out.print(f"Next: herald templates submit {result['template']}")


def _print_findings(findings: list[dict[str, Any]]) -> None:
    from herald.content.lint import ERROR

    for f in findings:
        where = f"{f['field']}" + (f" {f['line']}:{f['column']}" if "line" in f else "")
        colour = "red" if f["severity"] == ERROR else "yellow"
        out.print(f"[{colour}]{f['severity']}[/] {where} [{f['code']}] {f['message']}")


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
    by: By = "",
    json_out: JsonFlag = False,
) -> None:
    """Change a draft, or start the next version of an approved or rejected one."""
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        template = service.get_template(uow, name)
        data = _content(template.channel, body, body_file, file, subject, preheader, html_file)
        version = service.edit_version(
            uow,
            template,
            data,
            locale=locale or template.default_locale,
            variant=variant,
            author=by or _me(),
            now=container.clock.now(),
        )
        result = _version_data(template, version)
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
    by: By = "",
    json_out: JsonFlag = False,
) -> None:
    """Add a locale or an A/B variant to a template, as a draft."""
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        template = service.get_template(uow, name)
        data = _content(template.channel, body, body_file, file, subject, preheader, html_file)
        version = service.add_version(
            uow, template, data, locale=locale, variant=variant, author=by or _me(), now=container.clock.now()
        )
        result = _version_data(template, version)
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
        data = [_version_data(template, v) for v in service.versions(uow, template)]
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
    emit(ctx, json_out, findings, lambda: _print_findings(findings) if findings else out.print("No findings."))
    if any(f["severity"] == ERROR for f in findings):
        raise typer.Exit(2)


def _review(
    ctx: typer.Context,
    action: str,
    name: str,
    locale: str | None,
    variant: str,
    by: str,
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
            uow, version, action, actor=by or _me(), now=container.clock.now(), reason=reason, findings=findings
        )
        result = _version_data(template, version)
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
    by: By = "",
    preset: Preset = None,
    json_out: JsonFlag = False,
) -> None:
    """Ask for review; lint errors must be fixed first."""
    _review(ctx, "submit", name, locale, variant, by, None, preset, json_out)


@app.command()
def withdraw(
    ctx: typer.Context,
    name: str,
    locale: Locale = None,
    variant: Variant = "A",
    by: By = "",
    json_out: JsonFlag = False,
) -> None:
    """Take a version back from review to edit it."""
    _review(ctx, "withdraw", name, locale, variant, by, None, None, json_out)


@app.command()
def approve(
    ctx: typer.Context,
    name: str,
    locale: Locale = None,
    variant: Variant = "A",
    by: By = "",
    preset: Preset = None,
    json_out: JsonFlag = False,
) -> None:
    """Approve a pending version (not your own); it can then be sent and never changes."""
    _review(ctx, "approve", name, locale, variant, by, None, preset, json_out)


@app.command()
def reject(
    ctx: typer.Context,
    name: str,
    reason: Annotated[str, typer.Option(help="What the author must fix.")],
    locale: Locale = None,
    variant: Variant = "A",
    by: By = "",
    json_out: JsonFlag = False,
) -> None:
    """Reject a pending version with a reason."""
    _review(ctx, "reject", name, locale, variant, by, reason, None, json_out)


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


@app.command("export")
def export(ctx: typer.Context, names: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Print templates as JSON (the newest version of each locale and variant)."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        data = service.export_templates(uow, names or [])
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command("import")
def import_(ctx: typer.Context, path: Path, by: By = "", json_out: JsonFlag = False) -> None:
    """Create templates from an export, as drafts to review again."""
    from herald.content import service

    container = app_context(ctx).container
    data = _read_json(path)
    with container.uow() as uow:
        created = service.import_templates(uow, data, author=by or _me(), now=container.clock.now())
        result = {"created": len(created)}
    emit(ctx, json_out, result, f"Imported {len(created)} version(s) as drafts.")


@app.command("meta-status")
def meta_status(ctx: typer.Context, path: Path, json_out: JsonFlag = False) -> None:
    """Apply a saved `message_template_status_update` webhook payload from Meta."""
    from herald.content import service
    from herald.content.whatsapp import meta_status_updates

    container = app_context(ctx).container
    updates = meta_status_updates(_read_json(path))
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


@coupons.command("add")
def coupons_add(
    ctx: typer.Context,
    pool: str,
    path: Annotated[Path, typer.Argument(help="One code per line.")],
    json_out: JsonFlag = False,
) -> None:
    """Add codes to a pool (codes already there are skipped)."""
    from herald.content import service

    codes = _read(path, "utf-8-sig").splitlines()
    with app_context(ctx).container.uow() as uow:
        added = service.add_coupons(uow, pool, codes)
    emit(ctx, json_out, {"pool": pool, "added": added}, f"Added {added} code(s) to {pool}.")


@coupons.command("list")
def coupons_list(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Codes per pool, total and free."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        data = service.coupon_stock(uow)
    emit(
        ctx,
        json_out,
        data,
        lambda: table(None, ["pool", "total", "free"], [[d["pool"], d["total"], d["free"]] for d in data]),
    )


def _edit_word(ctx: typer.Context, word: str, action: str, by: str) -> None:
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        service.set_lint_word(uow, word, action, by=by or _me(), now=container.clock.now())
    out.print(f"{word!r} is {'banned' if action == 'ban' else 'allowed'}.")


@words.command("ban")
def words_ban(ctx: typer.Context, word: str, by: By = "") -> None:
    """Add a word to the banned list."""
    _edit_word(ctx, word, "ban", by)


@words.command("allow")
def words_allow(ctx: typer.Context, word: str, by: By = "") -> None:
    """Allow a word that a preset bans."""
    _edit_word(ctx, word, "allow", by)


@words.command("remove")
def words_remove(ctx: typer.Context, word: str) -> None:
    """Forget your edit of a word (the presets' list applies again)."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        service.remove_lint_word(uow, word)
    out.print(f"{word!r} follows the presets again.")


@words.command("list")
def words_list(ctx: typer.Context, preset: Preset = None, json_out: JsonFlag = False) -> None:
    """The banned words in force, and your edits."""
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        data = {"in_force": list(container.lint_profile(uow, preset or []).banned_words), **service.lint_words(uow)}
    emit(ctx, json_out, data, lambda: out.print("\n".join(data["in_force"]) or "No banned words."))
