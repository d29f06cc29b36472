"""`herald contacts list | show | stats`: find and look at contacts."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import func, select

from herald.console import JsonFlag, app_context, emit, err, out, table
from herald.contacts import export, service
from herald.contacts.cli.common import app, print_consents
from herald.contacts.models import Consent, Contact


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
    """Show one contact: its details and attributes, tags, consent with its proof and history, suppressions."""
    app_ctx = app_context(ctx)
    container = app_ctx.container
    with container.uow() as uow:
        found = service.find_contact(uow, contact, default_region or container.settings.default_region)
        person = export.person(uow, found.id)
        data = {**export.contact_out(found), **{k: v for k, v in person.items() if k != "contact"}}
        data["tags"] = app_ctx.tags_of(uow, found.id, container.clock.now())
    emit(ctx, json_out, data, lambda: _print_contact(data))


def _print_contact(data: dict) -> None:
    if data["erased_at"]:
        out.print(f"Contact {data['id']} was erased on {data['erased_at']:%Y-%m-%d}: only its id is kept.")
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
    tags = ", ".join(
        f"{t['tag']} (by {t['applied_by']}, {t['applied_at']:%Y-%m-%d}"
        + (f", until {t['expires_at']:%Y-%m-%d})" if t["expires_at"] else ")")
        for t in data["tags"]
    )
    out.print(f"{'tags':>16}: {tags or '-'}", markup=False)
    if data["consents"]:
        print_consents(data)
    else:
        out.print("No consent on record.")
    for s in data["suppressions"]:
        until = f" until {s['until']:%Y-%m-%d}" if s["until"] else ""
        out.print(f"Suppressed on {s['channel']} ({s['address']}): {s['reason']}{until}", markup=False)
    for a in data["allow_list"]:
        out.print(f"On the allow-list for {a['channel']} ({a['address']})", markup=False)


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
