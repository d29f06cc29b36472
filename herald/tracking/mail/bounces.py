"""Bounces and abuse complaints by mail, acted on. A report is kept once (the same bytes to the same
address are one report) and finds its message by the address it came to (VERP) or by the original's
Message-ID, whose check must match the message — a forged report names nothing.

- A hard bounce that says the address does not exist (5.1.1 and its kind) suppresses it as `invalid`
  at once; any other permanent failure (a full mailbox, a policy refusal) counts, and the address is
  suppressed once it has failed `invalid_after` times. The message is `undelivered`, with the code.
- A soft bounce (the remote server is still trying) is kept; the server's final report decides.
- A complaint suppresses the address (`complaint`), withdraws its e-mail marketing consent with the report
  as proof, and opens a complaint case; each one is counted in the report of its campaign."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select

from herald import contacts, outbox
from herald.access import sealer_of
from herald.db import UnitOfWork, insert_new
from herald.outbox import Message
from herald.providers import MailReport as Report
from herald.providers import message_of_bounce
from herald.tracking.models import MailReport
from herald.tracking.replies.cases import open_case
from herald.tracking.replies.policy import ReplyPolicy
from herald.types import Channel, ConsentStatus, Purpose


def record_mail_report(
    uow: UnitOfWork,
    raw: bytes,
    to: str | None,
    reports: list[Report],
    invalid_after: int,
    policy: ReplyPolicy | None,
    now: datetime,
) -> list[str]:
    """Keep and act on what a report says of each recipient: what was done, one line each ("repeated"
    for a report kept before)."""
    done = []
    for index, report in enumerate(reports):
        fingerprint = hashlib.sha256(b"%d|%s|" % (index, (to or "").encode()) + raw).hexdigest()
        message = _message(uow, to, report)
        address = report.recipient or (message.address if message is not None else None)
        report = _unnamed(uow, report, address)
        row = _keep(uow, fingerprint, report, address, message, now)
        if row is None:
            done.append("repeated")
            continue
        row.outcome = _act(uow, report, address, message, invalid_after, policy, row.id, now)
        done.append(row.outcome)
    return done


def _message(uow: UnitOfWork, to: str | None, report: Report) -> Message | None:
    """The message a report is about: by the VERP address it came to, else by the original's Message-ID
    when its check matches the message's own."""
    by_address = message_of_bounce(to) if to else None
    if by_address is not None:
        return uow.session.get(Message, by_address)
    if report.message_id is None or report.digest is None:
        return None
    found = uow.session.get(Message, report.message_id)
    if found is None or hashlib.sha256(found.idempotency_key.encode()).hexdigest()[:12] != report.digest:
        return None
    return found


def _keep(
    uow: UnitOfWork, fingerprint: str, report: Report, address: str | None, message: Message | None, now: datetime
) -> MailReport | None:
    values = {
        "fingerprint": fingerprint,
        "kind": report.kind,
        "address": address,
        "status": report.status,
        "detail": report.detail,
        "message_id": message.id if message is not None else None,
        "received_at": now,
    }
    if address is not None:
        values["address"], values["address_sealed"] = sealer_of(uow.session).sealed_pair("email", address)
    new_id = insert_new(uow.session, MailReport, values, ["fingerprint"])
    return uow.session.get(MailReport, new_id) if new_id is not None else None


def _act(
    uow: UnitOfWork,
    report: Report,
    address: str | None,
    message: Message | None,
    invalid_after: int,
    policy: ReplyPolicy | None,
    report_id: int,
    now: datetime,
) -> str:
    if report.kind in ("hard", "delivered") and message is not None and message.provider:
        stage = "delivered" if report.kind == "delivered" else "undelivered"
        receipt = outbox.Receipt(stage, now, message.id, None, report.status, report.detail)
        outbox.apply_receipts(uow, [(message.provider, receipt)], now)
    if address is None:
        return f"{report.kind}: no address or message of Herald's named"
    if report.kind == "hard":
        return _bounced(uow, report, address, invalid_after, now)
    if report.kind == "complaint":
        return _complained(uow, report, address, message, policy, report_id, now)
    return f"{report.kind} for {_named(uow, address)}: kept"


def _bounced(uow: UnitOfWork, report: Report, address: str, invalid_after: int, now: datetime) -> str:
    said = f"{report.status or 'no code'}: {report.detail or 'no reason given'}"
    key = sealer_of(uow.session).key("email", address)
    failures = uow.session.scalar(select(func.count()).where(MailReport.address == key, MailReport.kind == "hard"))
    if report.invalid_address or (invalid_after and (failures or 0) >= invalid_after):
        why = "the address does not exist" if report.invalid_address else f"{failures} permanent failures"
        contacts.suppress(uow, Channel.EMAIL, address, "invalid", now, f"{why}; the last: {said}")
        return f"hard bounce: {_named(uow, address)} suppressed as invalid ({said})"
    return f"hard bounce {failures} of {invalid_after} for {_named(uow, address)} ({said})"


def _complained(
    uow: UnitOfWork,
    report: Report,
    address: str,
    message: Message | None,
    policy: ReplyPolicy | None,
    report_id: int,
    now: datetime,
) -> str:
    proof = f"abuse report {report_id} ({report.detail}) for {_named(uow, address)}" + (
        f" about message {message.id}" if message is not None else ""
    )
    contacts.suppress(uow, Channel.EMAIL, address, "complaint", now, proof)
    contact = message.contact_id if message is not None else contacts.contact_at(uow, Channel.EMAIL, address)
    if contact is not None:
        contacts.set_consent(
            uow, contact, Channel.EMAIL, Purpose.MARKETING, ConsentStatus.REVOKED, "complaint", proof, now
        )
    case = open_case(uow, contact, None, "email", address, f"abuse report: {report.detail}", "report", policy, now)
    return f"complaint: {_named(uow, address)} suppressed, consent withdrawn, case {case.id} opened"


def _unnamed(uow: UnitOfWork, report: Report, address: str | None) -> Report:
    """With personal data sealed at rest, the mail server's words keep the address out ("550 <…>: user
    unknown" names it), since they are kept as they are."""
    if not address or not report.detail or not sealer_of(uow.session).on:
        return report
    return replace(report, detail=re.sub(re.escape(address), "(the address)", report.detail, flags=re.IGNORECASE))


def _named(uow: UnitOfWork, address: str) -> str:
    """The address as texts kept in the database name it: itself, or "the address" when sealed at rest."""
    return "the address" if sealer_of(uow.session).on else address
