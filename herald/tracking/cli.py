"""`herald inbound …`: what people wrote in, the reply classifier's playground, and the complaint inbox."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from herald.console import JsonFlag, app_context, emit, out, print_lines
from herald.errors import Invalid
from herald.providers import read_report
from herald.rules import read_preset
from herald.tracking.mail.bounces import record_mail_report
from herald.tracking.mail.mailbox import MAX_REPORT, Listener, saved_reports
from herald.tracking.models import InboundMessage
from herald.tracking.replies import cases
from herald.tracking.replies.intents import SURVEYS, classify
from herald.tracking.replies.policy import reply_policy
from herald.tracking.replies.sentiment import sentiment
from herald.types import Channel, parse_enum

app = typer.Typer(help="Replies people sent, read and acted on; the complaint inbox.", no_args_is_help=True)
complaints = typer.Typer(help="The complaint inbox: cases due within 24 hours.", no_args_is_help=True)
app.add_typer(complaints, name="complaints")
mail = typer.Typer(help="Bounces and abuse complaints mail servers send back.", no_args_is_help=True)
app.add_typer(mail, name="mail")


def _mail_act(ctx: typer.Context) -> Any:
    """Read one report and act on it, in a transaction of its own; what it did, one line per recipient."""
    container = app_context(ctx).container

    def act(to: str | None, raw: bytes) -> list[str]:
        with container.unaudited() as uow:
            reports = read_report(raw)
            now = container.clock.now()
            limit = container.settings.invalid_after_failures
            return record_mail_report(uow, raw, to, reports, limit, container.replies, now)

    return act


@mail.command("read")
def mail_read(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A saved report (.eml), an mbox file or a Maildir folder.")],
    json_out: JsonFlag = False,
) -> None:
    """Act on every report in a mailbox: hard bounces suppress bad addresses, complaints suppress and open
    a case; a report read before changes nothing."""
    act = _mail_act(ctx)
    done = [{"to": to, "done": act(to, raw)} for to, raw in saved_reports(path)]
    lines = [f"{d['to'] or '-'}: {'; '.join(d['done'])}" for d in done] or ["No reports found."]
    emit(ctx, json_out, done, lambda: print_lines(lines))


@mail.command("listen")
def mail_listen(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="SMTP port (25 behind the bounce domain's MX).")] = 2525,
) -> None:
    """An SMTP listener for the bounce domain: every report it takes in is acted on at once. Ctrl-C stops."""
    import time

    from aiosmtpd.controller import Controller

    act = _mail_act(ctx)
    controller = Controller(
        Listener(lambda to, raw: act(to, raw)), hostname=host, port=port, data_size_limit=MAX_REPORT
    )
    controller.start()
    out.print(f"Taking bounces and complaints on {host}:{port}; Ctrl-C to stop.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@app.command("classify")
def classify_command(
    ctx: typer.Context,
    preset: Annotated[
        str | None, typer.Option(help="Read with this preset's words (default: the installation's).")
    ] = None,
    survey: Annotated[
        str | None, typer.Option(help="The survey the message asked: nps, satisfaction or yes_no.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Read a reply on standard input; print what it asks for (STOP, START, HELP, complaint, survey
    answer, other) and why. Nothing is stored."""
    text = sys.stdin.read()
    if survey is not None and survey not in SURVEYS:
        raise Invalid(f"expected one of {', '.join(SURVEYS)}, got {survey!r}", where="--survey")
    settings = app_context(ctx).settings
    name = preset or settings.policy_preset
    policy = reply_policy(read_preset(name).get("replies", {}), settings.help_reply)
    intent = classify(text, policy.words, survey)
    felt = sentiment(text)
    result: dict[str, Any] = {"intent": intent.kind, "why": intent.why, "matched": intent.matched}
    result |= {"answer": intent.answer, "sentiment": felt.label, "sentiment_score": felt.score}
    shown = f"{intent.kind.upper()}: {intent.why} (sentiment: {felt.label}, {felt.score})"
    emit(ctx, json_out, result, lambda: out.print(shown, markup=False))


@app.command("list")
def list_command(
    ctx: typer.Context,
    intent: Annotated[str | None, typer.Option(help="Only these: stop, start, help, complaint, survey, other.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many, newest first.")] = 50,
    json_out: JsonFlag = False,
) -> None:
    """The messages people sent in, newest first, with what Herald read in them and did."""
    container = app_context(ctx).container
    with container.uow() as uow:
        stmt = select(InboundMessage).order_by(InboundMessage.id.desc()).limit(limit)
        if intent is not None:
            stmt = stmt.where(InboundMessage.intent == intent)
        rows = [_inbound(r) for r in uow.session.scalars(stmt)]
    emit(ctx, json_out, rows, lambda: _print_inbound(rows))


def _inbound(row: InboundMessage) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.occurred_at,
        "account": row.account,
        "channel": row.channel,
        "from": row.address,
        "contact_id": row.contact_id,
        "text": row.text,
        "intent": row.intent,
        "why": row.why,
        "sentiment": row.sentiment,
        "reaction": row.reaction,
        "replied_to": row.replied_to,
    }


def _print_inbound(rows: list[dict[str, Any]]) -> None:
    if not rows:
        out.print("No messages have come in.")
    for r in rows:
        said = f"{r['channel']:<8} {r['from']:<16} {r['intent']:<9} {r['text'][:60]!r}"
        out.print(f"{r['id']:>6}  {r['at']:%Y-%m-%d %H:%M}  {said}", markup=False)
        if r["reaction"]:
            out.print(f"        → {r['reaction']}", markup=False)


@complaints.command("list")
def complaints_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open, answered or closed.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases past their due time.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """The cases, the most pressing first; overdue ones are marked."""
    container = app_context(ctx).container
    with container.uow() as uow:
        found = cases.list_cases(uow, container.clock.now(), status, overdue)
    emit(ctx, json_out, [asdict(c) for c in found], lambda: _print_cases(found))


def _print_cases(found: list[cases.CaseOut]) -> None:
    if not found:
        out.print("No complaint cases.")
    for c in found:
        late = "  OVERDUE" if c.overdue else ""
        who = c.assignee or "unassigned"
        out.print(
            f"#{c.id}  {c.status:<8} due {c.due_at:%Y-%m-%d %H:%M} UTC{late}  {who}  {c.address or '-'}", markup=False
        )
        out.print(f"     {c.text[:100]!r}", markup=False)


@complaints.command("open")
def complaints_open(
    ctx: typer.Context,
    contact: Annotated[int, typer.Argument(help="The contact's id.")],
    text: Annotated[str, typer.Option(help="What the complaint says.")],
    channel: Annotated[str | None, typer.Option(help="Suppress the contact's address on this channel.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """File a complaint a person received (a call, a letter, a regulator's notice)."""
    container = app_context(ctx).container
    chosen = parse_enum(Channel, channel, "--channel") if channel else None
    with container.uow() as uow:
        case = cases.flag_complaint(uow, contact, text, chosen, container.replies, container.clock.now())
        shown = asdict(cases.CaseOut.of(case, container.clock.now()))
    emit(ctx, json_out, shown, f"Case #{shown['id']} opened, due {shown['due_at']:%Y-%m-%d %H:%M} UTC.")


def _change(ctx: typer.Context, json_out: bool, done: str, change: Any) -> None:
    container = app_context(ctx).container
    with container.uow() as uow:
        case = change(uow, container.clock.now())
        shown = asdict(cases.CaseOut.of(case, container.clock.now()))
    emit(ctx, json_out, shown, f"Case #{shown['id']} {done}.")


@complaints.command("assign")
def complaints_assign(
    ctx: typer.Context,
    case: Annotated[int, typer.Argument(help="The case's number.")],
    to: Annotated[str, typer.Option(help="The person who handles it.")],
    json_out: JsonFlag = False,
) -> None:
    """Give a case to a person."""
    _change(ctx, json_out, f"assigned to {to}", lambda uow, now: cases.assign_case(uow, case, to))


@complaints.command("answer")
def complaints_answer(
    ctx: typer.Context,
    case: Annotated[int, typer.Argument(help="The case's number.")],
    text: Annotated[str, typer.Option(help="What the person was told.")],
    json_out: JsonFlag = False,
) -> None:
    """Record the answer given to the person who complained."""
    _change(ctx, json_out, "answered", lambda uow, now: cases.answer_case(uow, case, text, now))


@complaints.command("close")
def complaints_close(
    ctx: typer.Context,
    case: Annotated[int, typer.Argument(help="The case's number.")],
    note: Annotated[str, typer.Option(help="How it ended.")],
    json_out: JsonFlag = False,
) -> None:
    """Close a case with a note."""
    _change(ctx, json_out, "closed", lambda uow, now: cases.close_case(uow, case, note, now))
