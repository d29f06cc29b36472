"""`herald contacts consent | suppress | suppress-list | allow`: consent with its proof, suppression and the
allow-list."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from herald.console import JsonFlag, app_context, emit, out
from herald.contacts import export, service
from herald.contacts.addresses.normalize import Phone, normalize_phone
from herald.contacts.cli.common import UntilOption, app, print_consents, write_problems
from herald.contacts.importing import lists
from herald.errors import Invalid
from herald.types import Channel, ConsentStatus, Purpose, parse_enum, parse_utc


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
            lambda: print_consents(data),
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
