"""`herald providers status`: each account's circuit as the workers see it (it joins the providers group)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, out, print_lines, table
from herald.errors import Invalid, NotFound
from herald.types import Channel, parse_enum


def status_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Each provider account's health: closed, open (its traffic goes to the next account of its route)
    or trying again, with its faults in a row and the last one; its pace and what it took today."""
    from herald.dispatch.circuit import Health
    from herald.dispatch.pacing import Bucket
    from herald.dispatch.service import buckets, health_of, notices_of

    container = app_context(ctx).container
    now = container.clock.now()
    with container.uow() as uow:
        found, paced, said = health_of(uow.session), buckets(uow.session), notices_of(uow.session)
    data: list[dict[str, Any]] = []
    for name, account in container.accounts.items():
        health = found.get(name, Health(name))
        bucket = paced.get(f"account:{name}", Bucket(name))
        data.append(
            {
                "account": name,
                "kind": account.kind,
                "state": health.state(now),
                "faults_in_a_row": health.failures,
                "open_until": health.open_until,
                "last_fault": health.reason,
                "rate": account.rate,
                "daily_limit": account.daily_limit,
                "unit": "segment" if account.meters_segments else "message",
                "used_today": bucket.used if bucket.day == now.date() else 0,
                "senders": [_sender(name, s, paced, now) for s in account.listed_senders],
                "notice": said[name][0] if name in said else None,
                "notice_at": said[name][1] if name in said else None,
            }
        )
    emit(ctx, json_out, data, lambda: _print(data))


def _sender(account: str, sender: Any, paced: dict[str, Any], now: Any) -> dict[str, Any]:
    """One of an account's senders: whom it sends as, where it is preferred, its pools, pace and use."""
    from herald.dispatch.pacing import Bucket
    from herald.dispatch.service import sender_bucket

    bucket = paced.get(sender_bucket(account, sender.name), Bucket(""))
    return {
        "name": sender.name,
        "address": sender.address,
        "country": sender.country,
        "pools": sorted(sender.pools),
        "rate": sender.rate,
        "daily_limit": sender.daily_limit,
        "used_today": bucket.used if bucket.day == now.date() else 0,
    }


def _print(data: list[dict[str, Any]]) -> None:
    rows = [
        [
            d["account"],
            d["kind"],
            d["state"],
            d["faults_in_a_row"],
            f"{d['open_until']:%Y-%m-%d %H:%M:%S} UTC" if d["open_until"] else "",
            _pace(d),
            d["last_fault"] or "",
        ]
        for d in data
    ]
    table(None, ["account", "kind", "circuit", "faults in a row", "open until", "pace (today)", "last fault"], rows)
    for d in data:
        if d["notice"]:
            out.print(f"{d['account']}: {d['notice']} (said by the vendor {d['notice_at']:%Y-%m-%d %H:%M} UTC)")
    listed = [(d, s) for d in data for s in d["senders"]]
    if listed:
        senders = [
            [
                d["account"],
                s["name"],
                s["address"] or "(the vendor's choice)",
                s["country"] or "",
                ", ".join(s["pools"]),
            ]
            + [_pace({**s, "unit": d["unit"]})]
            for d, s in listed
        ]
        table("Senders", ["account", "sender", "sends as", "preferred in", "pools", "pace (today)"], senders)


def _pace(d: dict[str, Any]) -> str:
    """`2.5/s, 40 of 1000 a day (segments)`, or `unpaced (40 today)`."""
    parts = [f"{d['rate']:g}/s" if d["rate"] else ""]
    used = d["used_today"]
    parts.append(f"{used} of {d['daily_limit']} a day" if d["daily_limit"] else f"{used} today" if used else "")
    said = ", ".join(p for p in parts if p) or "unpaced"
    return f"{said} ({d['unit']}s)" if d["rate"] or d["daily_limit"] else said


def send_test_command(
    ctx: typer.Context,
    name: str,
    to: Annotated[str, typer.Option("--to", help="A phone number (E.164, or with --region) or an e-mail address.")],
    text: Annotated[str, typer.Option("--text", help="What to send.")],
    channel: Annotated[str, typer.Option(help="sms, whatsapp or email.")] = "sms",
    region: Annotated[str | None, typer.Option(help="Country to read a local number in.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Send one message through one account now, outside any campaign, and show what the vendor said."""
    import asyncio
    import uuid

    from herald.contacts import Phone, normalize_email, normalize_phone
    from herald.providers import Accepted, Outgoing

    container = app_context(ctx).container
    if name not in container.providers:
        raise NotFound(f"no provider account named {name!r} (accounts: {', '.join(container.providers)})")
    kind = parse_enum(Channel, channel, "--channel")
    if kind is Channel.EMAIL:
        email = normalize_email(to)
        address = email if isinstance(email, str) else None
        why = getattr(email, "reason", "no address given")
    else:
        phone = normalize_phone(to, region)
        address = phone.e164 if isinstance(phone, Phone) else None
        why = getattr(phone, "reason", "no number given")
        if why.startswith("no country code"):  # the importer's wording speaks of columns; here it is an option
            why = "no country code: write the number as +CC… or pass --region"
    if address is None:
        raise Invalid(why, where="--to")
    item = Outgoing(0, f"send-test:{uuid.uuid4()}", kind.value, address, text, subject=text[:60])
    [result] = asyncio.run(container.providers[name].send([item]))
    data = {"account": name, "to": address, "result": type(result).__name__, **result_fields(result)}
    emit(ctx, json_out, data, f"{name} → {address}: {type(result).__name__} {result_fields(result)}")
    if not isinstance(result, Accepted):
        raise typer.Exit(1)


def result_fields(result: object) -> dict[str, Any]:
    return {k: getattr(result, k) for k in getattr(result, "__slots__", ()) if getattr(result, k) not in (None, False)}


# The circuits are the dispatcher's, so these live above the providers room and join `herald providers`.
def resume_command(
    ctx: typer.Context, account: Annotated[str, typer.Argument(help="The provider account's name.")]
) -> None:
    """Let an account send again after a pause (an alert's, or its circuit's)."""
    from herald.dispatch.service import resume_account

    container = app_context(ctx).container
    if account not in container.accounts:
        raise Invalid(f"no provider account {account!r} (known: {', '.join(container.accounts)})", where="account")
    with container.uow() as uow:
        resumed = resume_account(uow, account, container.clock.now())
    print_lines([f"Account {account} {'sends again' if resumed else 'was not paused'}."])


JOINS = {"providers": {"status": status_command, "send-test": send_test_command, "resume": resume_command}}
