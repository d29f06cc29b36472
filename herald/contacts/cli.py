"""`herald contacts …`"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select

from herald.console import JsonFlag, app_context, emit, err, out, parse_pairs, progress, table
from herald.contacts import export, service, verify
from herald.contacts.addresses.normalize import Phone, normalize_phone
from herald.contacts.export import safe_cell
from herald.contacts.importing import importer, lists
from herald.contacts.models import Consent, Contact
from herald.errors import Invalid
from herald.types import Channel, ConsentStatus, Purpose, parse_enum, parse_utc

app = typer.Typer(help="Import, inspect and manage contacts, consent and suppression.", no_args_is_help=True)


def count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    except OSError:
        return None


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
            "consent_email, attr.NAME or ignore).",
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
    json_out: JsonFlag = False,
) -> None:
    """Import contacts from CSV, TSV or XLSX: normalize, validate, de-duplicate, record consent."""
    container = app_context(ctx).container
    region = default_region or container.settings.default_region
    if unknown not in ("error", "attribute", "ignore"):
        raise typer.BadParameter("expected error, attribute or ignore", param_hint="--unknown")
    with progress(f"Importing {file.name}", count_lines(file)) as advance, container.uow(dry_run=dry_run) as uow:
        result = importer.import_file(
            uow,
            file,
            container.clock.now(),
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
        )
    if report:
        write_problems(report, result.problems)
    emit(ctx, json_out, result.as_dict(), lambda: print_import(result, report))


def write_problems(path: Path, problems: Iterable[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["row", "field", "value", "reason"])
        writer.writeheader()
        for p in problems:
            writer.writerow({k: safe_cell(v) for k, v in p.items()})


def print_import(result: importer.ImportReport, report: Path | None) -> None:
    prefix = "Dry run — nothing written. " if result.dry_run else ""
    counts = ", ".join(f"{n} {k}" for k, n in result.counts.items())
    out.print(f"{prefix}{result.rows} rows read from {result.source} ({_read_as(result.read_as)}): {counts}.")
    if result.dry_run:
        out.print("Columns: " + ", ".join(f"{column} → {fld}" for column, fld in result.mapping.items()))
        for row in result.preview:
            out.print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
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
        stmt = select(Contact.id, Contact.phone).where(Contact.id.in_(ids), Contact.phone.is_not(None))
        numbers = [(cid, phone) for cid, phone in uow.session.execute(stmt.order_by(Contact.id).limit(limit)) if phone]
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


@app.command("list")
def list_(
    ctx: typer.Context,
    segment: Annotated[str, typer.Option(help="Segment expression.")] = "all",
    limit: int = 20,
    offset: int = 0,
    json_out: JsonFlag = False,
) -> None:
    """List contacts, optionally those matching a segment."""
    app_ctx = app_context(ctx)
    with app_ctx.container.uow() as uow:
        ids = app_ctx.audience(uow.session, segment).limit(limit).offset(offset).subquery()
        rows = list(uow.session.scalars(select(Contact).where(Contact.id.in_(select(ids.c.id))).order_by(Contact.id)))
        data = [export.contact_out(c) for c in rows]
    emit(
        ctx,
        json_out,
        data,
        lambda: table(
            None,
            ["id", "name", "phone", "email", "region", "line"],
            [[c["id"], c["name"], c["phone"], c["email"], c["region"], c["line_type"]] for c in data],
        ),
    )


@app.command()
def show(
    ctx: typer.Context,
    contact: Annotated[str, typer.Argument(help="An id, an e-mail or a phone number in any format.")],
    default_region: Annotated[
        str | None, typer.Option(help="Read a phone without its country code in this country.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Show one contact: its details and attributes, consent with its proof and history, suppressions."""
    container = app_context(ctx).container
    with container.uow() as uow:
        found = service.find_contact(uow, contact, default_region or container.settings.default_region)
        person = export.person(uow, found.id)
        data = {**export.contact_out(found), **{k: v for k, v in person.items() if k != "contact"}}
    emit(ctx, json_out, data, lambda: _print_contact(data))


def _print_contact(data: dict) -> None:
    for key in (
        "id",
        "name",
        "phone",
        "email",
        "external_id",
        "region",
        "timezone",
        "phone_timezones",
        "carrier",
        "line_type",
    ):
        value = data[key]
        out.print(f"{key:>16}: {', '.join(value) if isinstance(value, list) else value or '-'}", markup=False)
    for key, value in sorted(data["attributes"].items()):
        out.print(f"{'attr.' + key:>16}: {value}", markup=False)
    if data["consents"]:
        _print_consents(data)
    else:
        out.print("No consent on record.")
    for s in data["suppressions"]:
        until = f" until {s['until']:%Y-%m-%d}" if s["until"] else ""
        out.print(f"Suppressed on {s['channel']} ({s['address']}): {s['reason']}{until}", markup=False)
    for a in data["allow_list"]:
        out.print(f"On the allow-list for {a['channel']} ({a['address']})", markup=False)


@app.command()
def consent(
    ctx: typer.Context,
    action: Annotated[str, typer.Argument(help="grant, revoke or show")],
    contact_id: int,
    channel: Annotated[str | None, typer.Option(help="sms, whatsapp or email (grant and revoke)")] = None,
    purpose: Annotated[str, typer.Option(help="marketing or transactional")] = "marketing",
    evidence: Annotated[str | None, typer.Option(help="Proof: the form, the wording agreed to…")] = None,
    ip: Annotated[str | None, typer.Option(help="The IP address the consent came from.")] = None,
    at: Annotated[str | None, typer.Option(help="When the person gave it (ISO 8601), if not now.")] = None,
    source: Annotated[str, typer.Option(help="How it was given: form, keyword, phone, paper…")] = "cli",
    json_out: JsonFlag = False,
) -> None:
    """Grant or revoke one consent with its proof, or show a contact's consent and its full history."""
    container = app_context(ctx).container
    if action == "show":
        with container.uow() as uow:
            data = export.person(uow, contact_id)
        emit(
            ctx,
            json_out,
            {"contact": contact_id, "consents": data["consents"], "history": data["consent_history"]},
            lambda: _print_consents(data),
        )
        return
    status = {"grant": ConsentStatus.GRANTED, "revoke": ConsentStatus.REVOKED}.get(action)
    if status is None:
        raise Invalid(f"expected grant, revoke or show, got {action!r}", where="ACTION")
    if channel is None:
        raise Invalid("give the channel to grant or revoke", where="--channel")
    with container.uow() as uow:
        changed = service.set_consent(
            uow,
            contact_id,
            parse_enum(Channel, channel, "--channel"),
            parse_enum(Purpose, purpose, "--purpose"),
            status,
            source,
            evidence,
            container.clock.now(),
            _until(at, "--at"),
            ip,
            provenance="cli",
        )
    emit(
        ctx,
        json_out,
        {"contact": contact_id, "channel": channel, "status": status.value, "changed": changed},
        f"{'Recorded' if changed else 'Already'} {status.value}: {channel}/{purpose} for contact {contact_id}.",
    )


def _print_consents(data: dict) -> None:
    for c in data["consents"]:
        proven = "with proof" if c["proven"] else "no proof recorded"
        out.print(
            f"{c['channel']}/{c['purpose']}: {c['status']} since {c['since']:%Y-%m-%d %H:%M} ({c['source']}, {proven})"
        )
    out.print("History:")
    for e in data["consent_history"]:
        out.print(
            f"  {e['at']:%Y-%m-%d %H:%M} {e['channel']}/{e['purpose']} {e['status']} via {e['source']}"
            f" — {_proof_text(e)}"
        )


def _proof_text(event: dict) -> str:
    proof = ", ".join(str(x) for x in (event["evidence"], event["ip"] and f"IP {event['ip']}") if x)
    origin = f"; from {event['provenance']}" if event.get("provenance") else ""
    return (f"proof: {proof}" if proof else "no proof") + origin


UntilOption = Annotated[str | None, typer.Option("--until", help="Lift it then (YYYY-MM-DD, UTC); default: never.")]


@app.command()
def suppress(
    ctx: typer.Context,
    address: str,
    channel: Annotated[str, typer.Option(help="sms, whatsapp or email")],
    reason: Annotated[str, typer.Option(help="opt-out, bounce, complaint, invalid, manual or dnd")] = "manual",
    until: UntilOption = None,
    detail: Annotated[str | None, typer.Option(help="Why, for the record.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Suppress an address on a channel."""
    if reason not in lists.REASONS:
        raise Invalid(f"expected one of {', '.join(lists.REASONS)}, got {reason!r}", where="--reason")
    container = app_context(ctx).container
    ch, address = _address(container, channel, address)
    with container.uow() as uow:
        entry = service.suppress(uow, ch, address, reason, container.clock.now(), detail, _until(until))
        data = {
            "channel": entry.channel,
            "address": entry.address,
            "reason": entry.reason,
            "until": entry.expires_at.isoformat() if entry.expires_at else None,
        }
    emit(ctx, json_out, data, f"Suppressed {address} on {channel} ({entry.reason}).")


def _until(text: str | None, option: str = "--until") -> datetime | None:
    return parse_utc(text, option) if text else None


@app.command("suppress-list")
def suppress_list(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV/TSV/XLSX with a phone or email column, or one address a line.")],
    channel: Annotated[str, typer.Option(help="sms, whatsapp, email or all (phones: SMS and WhatsApp).")] = "all",
    reason: Annotated[str, typer.Option(help="opt-out, bounce, complaint, invalid, manual or dnd")] = "dnd",
    until: UntilOption = None,
    detail: Annotated[str | None, typer.Option(help="Where the list came from, for the record.")] = None,
    default_region: Annotated[str | None, typer.Option(help="Country for numbers without a country code.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding; detected when not given.")] = None,
    sheet: Annotated[str | None, typer.Option(help="Sheet of an .xlsx workbook (default: the first).")] = None,
    report: Annotated[Path | None, typer.Option(help="Write every refused row to this CSV.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Suppress every address of a list (a do-not-disturb register, bounces from another tool)."""
    container = app_context(ctx).container
    entry = lists.Entry(channel, reason, detail or file.name, _until(until))
    with container.uow() as uow:
        result = lists.import_list(
            uow,
            file,
            entry,
            container.clock.now(),
            default_region or container.settings.default_region,
            encoding,
            sheet,
        )
    if report:
        write_problems(report, result.problems)
    emit(
        ctx,
        json_out,
        result.as_dict(),
        lambda: out.print(
            f"{result.rows} rows read from {result.source}: {result.added} suppressed, {result.already} already were, "
            f"{result.invalid} refused" + (f" (see {report})" if report and result.invalid else "") + "."
        ),
    )


def _address(container, channel: str, address: str) -> tuple[Channel, str]:
    """The channel, and the address as stored: a phone number in E.164."""
    ch = parse_enum(Channel, channel, "--channel")
    if ch.uses_phone:
        phone = normalize_phone(address, container.settings.default_region)
        if not isinstance(phone, Phone):
            raise Invalid(getattr(phone, "reason", "empty"), where=f"ADDRESS {address!r}")
        address = phone.e164
    return ch, address


@app.command()
def allow(
    ctx: typer.Context,
    address: str,
    channel: Annotated[str, typer.Option(help="sms, whatsapp or email")],
    remove: Annotated[bool, typer.Option("--remove", help="Take it off the list instead.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Put an address on the allow-list (used by policies in allow-list mode), or take it off."""
    container = app_context(ctx).container
    ch, address = _address(container, channel, address)
    with container.uow() as uow:
        if remove:
            changed = service.disallow(uow, ch, address)
        else:
            changed = service.allow(uow, ch, address, container.clock.now())
    data = {"channel": ch.value, "address": address, "allowed": not remove, "changed": changed}
    verb = "off" if remove else "on"
    emit(ctx, json_out, data, f"{address} is {verb} the {ch.value} allow-list{'' if changed else ' (already)'}.")


@app.command()
def stats(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Counts by region, line type and consent."""
    with app_context(ctx).container.uow() as uow:
        s = uow.session
        data = {
            "contacts": s.scalar(select(func.count()).select_from(Contact)),
            "by_region": dict(
                s.execute(
                    select(Contact.region, func.count()).group_by(Contact.region).order_by(func.count().desc())
                ).all()
            ),
            "by_line_type": dict(s.execute(select(Contact.line_type, func.count()).group_by(Contact.line_type)).all()),
            "consent_granted": dict(
                s.execute(
                    select(Consent.channel, func.count()).where(Consent.status == "granted").group_by(Consent.channel)
                ).all()
            ),
        }
    emit(ctx, json_out, data, lambda: _print_stats(data))
    if not data["contacts"]:
        err.print("No contacts yet: herald contacts import FILE.csv")


def _print_stats(data: dict) -> None:
    out.print(f"{data['contacts']} contacts")
    for title, key in (
        ("By region", "by_region"),
        ("By line type", "by_line_type"),
        ("Consent granted", "consent_granted"),
    ):
        counts = ", ".join(f"{k or 'unknown'} {v}" for k, v in data[key].items())
        out.print(f"{title}: {counts or 'none'}", markup=False)
