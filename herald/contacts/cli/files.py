"""`herald contacts import | export | verify`: contacts in and out of files, and numbers checked live."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from herald.console import JsonFlag, app_context, emit, out, parse_pairs, progress
from herald.contacts import export, verify
from herald.contacts.cli.common import app, count_lines, write_problems
from herald.contacts.importing import importer
from herald.contacts.models import Contact
from herald.errors import Invalid


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV, TSV or .xlsx file with a header row.")],
    default_region: Annotated[
        str | None, typer.Option(help="Country for numbers without a country code, e.g. NP.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="COLUMN=FIELD (phone, email, name, country, "
            "external_id, timezone, consent_sms, consent_whatsapp, "
            "consent_email, tags, attr.NAME or ignore).",
        ),
    ] = None,
    unknown: Annotated[str, typer.Option(help="Unknown columns: error, attribute or ignore.")] = "error",
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding (utf-8, gb18030, big5, utf-16…); detected when not given.")
    ] = None,
    delimiter: Annotated[str | None, typer.Option(help="Field separator; sniffed when not given (, ; tab |).")] = None,
    sheet: Annotated[str | None, typer.Option(help="Sheet of an .xlsx workbook (default: the first).")] = None,
    merge: Annotated[
        str,
        typer.Option(
            help="Known contacts: fill-empty (only empty fields; a differing phone, "
            "email or id is a conflict) or overwrite."
        ),
    ] = "fill-empty",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")] = False,
    check_mx: Annotated[
        bool,
        typer.Option("--check-mx", help="Refuse emails whose domain has no mail server (asks DNS once per domain)."),
    ] = False,
    report: Annotated[Path | None, typer.Option(help="Write every problem row to this CSV.")] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(help="Give every row's contact this tag (created if new); repeat for several."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Import contacts from CSV, TSV or XLSX: normalize, validate, de-duplicate, record consent, tag."""
    container = app_context(ctx).container
    region = default_region or container.settings.default_region
    if unknown not in ("error", "attribute", "ignore"):
        raise typer.BadParameter("expected error, attribute or ignore", param_hint="--unknown")
    now = container.clock.now()
    with progress(f"Importing {file.name}", count_lines(file)) as advance, container.uow(dry_run=dry_run) as uow:
        result = importer.import_file(
            uow,
            file,
            now,
            default_region=region,
            mapping=parse_pairs(map_, "--map"),
            unknown=unknown,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            merge=merge,
            check_mx=check_mx,
            dry_run=dry_run,
            progress=advance,
            erasure_key=container.settings.erasure_keys,
            tags=tag or (),
        )
        container.tag_imported(uow, result, now)
    if report:
        write_problems(report, result.problems)
    emit(ctx, json_out, result.as_dict(), lambda: print_import(result, report))


def print_import(result: importer.ImportReport, report: Path | None) -> None:
    prefix = "Dry run — nothing written. " if result.dry_run else ""
    counts = ", ".join(f"{n} {k}" for k, n in result.counts.items())
    out.print(f"{prefix}{result.rows} rows read from {result.source} ({_read_as(result.read_as)}): {counts}.")
    if result.dry_run:
        out.print("Columns: " + ", ".join(f"{column} → {fld}" for column, fld in result.mapping.items()))
        for row in result.preview:
            out.print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
    for name, done in result.tagged.items():
        out.print(
            f"  tag {name}: {done['contacts']} contact(s), {done['tagged']} newly tagged"
            + (", a new tag" if done["created"] else ""),
            markup=False,
        )
    for p in result.problems[:10]:
        out.print(f"  row {p['row']} {p['field']}: {p['reason']}" + (f" ({p['value']!r})" if p["value"] else ""))
    if len(result.problems) > 10:
        hint = f"all in {report}" if report else "use --report FILE or --json for all"
        out.print(f"  … {len(result.problems) - 10} more problems ({hint})")


def _read_as(read_as: dict) -> str:
    if read_as.get("kind") == "xlsx":
        return f"sheet {read_as.get('sheet')!r}"
    guessed = " — guessed; pass --encoding if names look wrong" if read_as.get("encoding_guessed") else ""
    separator = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(read_as.get("delimiter", ","), "?")
    return f"{read_as.get('encoding')}{guessed}, {separator}-separated"


@app.command("export")
def export_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write: .csv or .xlsx.")],
    segment: Annotated[str | None, typer.Option(help="Only contacts matching this segment expression.")] = None,
    format_: Annotated[str | None, typer.Option("--format", help="csv or xlsx (default: from the file name).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Export contacts for a spreadsheet; no cell can run as a formula, E.164 numbers stay as they are."""
    kind = (format_ or file.suffix.lstrip(".") or "csv").lower()
    if kind not in ("csv", "xlsx"):
        raise Invalid(f"expected csv or xlsx, got {kind!r}", where="--format")
    app_ctx = app_context(ctx)
    with app_ctx.container.uow() as uow:
        ids = app_ctx.audience(uow.session, segment) if segment else None
        written = (export.write_xlsx if kind == "xlsx" else export.write_csv)(uow, file, ids)
    emit(
        ctx,
        json_out,
        {"file": str(file), "format": kind, "contacts": written},
        lambda: out.print(f"{written} contacts written to {file}."),
    )


@app.command("verify")
def verify_(
    ctx: typer.Context,
    segment: Annotated[str, typer.Option(help="Which contacts' numbers to verify.")] = "has:phone",
    limit: Annotated[int | None, typer.Option(help="At most this many numbers (each lookup is paid).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Verify numbers with the configured lookup: live ones get their current line type and carrier, dead
    ones are suppressed as invalid."""
    app_ctx = app_context(ctx)
    container = app_ctx.container
    lookup = container.lookup()
    with container.uow() as uow:
        ids = app_ctx.audience(uow.session, segment).order_by(None).scalar_subquery()
        stmt = select(Contact).where(Contact.id.in_(ids), Contact.phone.is_not(None))
        # As objects: they hold the numbers themselves, when personal data is sealed at rest too.
        numbers = [(c.id, str(c.phone)) for c in uow.session.scalars(stmt.order_by(Contact.id).limit(limit))]
    with progress("Verifying numbers", len(numbers)) as advance:
        result = verify.verify(container.uow, lookup, container.clock, numbers, advance)
    emit(
        ctx,
        json_out,
        result,
        lambda: out.print(
            f"{result['checked']} numbers checked: {result['verified']} live, "
            f"{result['invalid']} invalid (suppressed), {result['retry_later']} to retry later, "
            f"{result['refused']} refused by the service."
        ),
    )
