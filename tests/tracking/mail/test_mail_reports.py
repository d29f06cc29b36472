"""Bounces and abuse complaints acted on: a bad address suppressed at once, other permanent failures
counted, a complaint suppressing with its proof and opening a case; through a mailbox and through the
SMTP listener."""

from __future__ import annotations

import hashlib
import mailbox
import smtplib

from herald import providers, tracking
from herald.contacts.models import Consent, Suppression
from herald.outbox.models import Message
from herald.tracking.mail.mailbox import Listener, delivered_to, saved_reports
from herald.tracking.models import ComplaintCase, MailReport
from herald.web import free_port
from tests.cli.test_cli import as_json
from tests.providers.incoming.test_bounces import arf, dsn
from tests.scenario import contact_id, rows, setup

SITA = "sita@example.com"


def mailed(container, tmp_path, clock) -> Message:
    """The scenario, and a marketing mail sent to Sita through the `mail` account."""
    setup(container, tmp_path)
    with container.uow() as uow:
        row = Message(
            idempotency_key="mail:1",
            contact_id=contact_id(container, "+9779841234567"),
            purpose="marketing",
            channel="email",
            address=SITA,
            status="sent",
            planned_action="send",
            due_at=clock.now(),
            attempts=1,
            provider="mail",
            provider_message_id="<x@mail>",
            created_at=clock.now(),
            updated_at=clock.now(),
            sent_at=clock.now(),
        )
        uow.session.add(row)
        uow.flush()
        uow.session.expunge(row)
        return row


def act(container, raw: bytes, to: str | None) -> list[str]:
    with container.uow() as uow:
        reports = providers.read_report(raw)
        return tracking.record_mail_report(uow, raw, to, reports, 3, container.replies, container.clock.now())


def herald_ids(raw: bytes, message: Message) -> bytes:
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:12]
    return raw.replace(b"herald.42.0123456789ab", f"herald.{message.id}.{digest}".encode())


def test_a_mailbox_that_does_not_exist_is_suppressed_at_once_and_the_message_is_undelivered(container, tmp_path, clock):
    message = mailed(container, tmp_path, clock)
    (done,) = act(container, dsn("failed", "5.1.1"), f"bounces+m{message.id}@mail.shop.example")
    assert done.startswith(f"hard bounce: {SITA} suppressed as invalid (5.1.1: 550 5.1.1")
    (entry,) = rows(container, Suppression, Suppression.address == SITA)
    assert (entry.channel, entry.reason) == ("email", "invalid")
    (row,) = rows(container, Message, Message.id == message.id)
    assert (row.delivery, row.error_code) == ("undelivered", "5.1.1")
    assert act(container, dsn("failed", "5.1.1"), f"bounces+m{message.id}@mail.shop.example") == ["repeated"]


def test_other_permanent_failures_count_until_the_limit(container, tmp_path, clock):
    message = mailed(container, tmp_path, clock)
    to = f"bounces+m{message.id}@mail.shop.example"
    first = act(container, dsn("failed", "5.2.2", "smtp; 552 mailbox full"), to)
    second = act(container, dsn("failed", "5.2.2", "smtp; 552 mailbox full (again)"), to)
    assert first == [f"hard bounce 1 of 3 for {SITA} (5.2.2: 552 mailbox full continued on a second line)"]
    assert second[0].startswith("hard bounce 2 of 3") and rows(container, Suppression) == []
    third = act(container, dsn("failed", "5.7.1", "smtp; 554 refused"), to)
    assert third[0].startswith(f"hard bounce: {SITA} suppressed as invalid")
    assert "3 permanent failures" in rows(container, Suppression)[0].detail


def test_a_soft_bounce_is_kept_and_changes_nothing(container, tmp_path, clock):
    message = mailed(container, tmp_path, clock)
    assert act(container, dsn("delayed", "4.4.7"), f"bounces+m{message.id}@x.example") == [f"soft for {SITA}: kept"]
    assert rows(container, Suppression) == [] and rows(container, Message, Message.id == message.id)[0].delivery is None


def test_a_complaint_suppresses_withdraws_consent_with_its_proof_and_opens_a_case(container, tmp_path, clock):
    message = mailed(container, tmp_path, clock)
    (done,) = act(container, herald_ids(arf(), message), "abuse@mail.shop.example")
    assert done.startswith(f"complaint: {SITA} suppressed, consent withdrawn, case ")
    assert rows(container, Suppression)[0].reason == "complaint"
    (consent,) = rows(container, Consent, Consent.channel == "email")
    assert (consent.status, consent.source) == ("revoked", "complaint")
    (case,) = rows(container, ComplaintCase)
    assert (case.source, case.address, case.contact_id) == ("report", SITA, message.contact_id)
    (report,) = rows(container, MailReport)
    assert report.message_id == message.id


def test_a_report_whose_message_id_check_is_wrong_names_no_message(container, tmp_path, clock):
    message = mailed(container, tmp_path, clock)
    forged = arf().replace(b"herald.42.0123456789ab", f"herald.{message.id}.ffffffffffff".encode())
    act(container, forged, "abuse@mail.shop.example")
    (report,) = rows(container, MailReport)
    assert report.message_id is None and report.address == SITA  # the mailbox provider's own word stands


def test_a_report_that_names_nothing_is_kept_and_said(container, tmp_path, clock):
    mailed(container, tmp_path, clock)
    assert act(container, b"Subject: hello\n\nhi", None) == ["unknown: no address or message of Herald's named"]


def test_a_mailbox_is_read_from_an_eml_an_mbox_or_a_maildir(capsys, container, db_url, tmp_path, clock):
    message = mailed(container, tmp_path, clock)
    raw = b"Delivered-To: bounces+m%d@mail.shop.example\n" % message.id + dsn("failed", "5.1.1")
    eml = tmp_path / "one.eml"
    eml.write_bytes(raw)
    box = mailbox.mbox(tmp_path / "box.mbox")
    box.add(raw)
    box.flush()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(arf())
    assert [t for t, _ in saved_reports(eml)] == [f"bounces+m{message.id}@mail.shop.example"]
    assert len(list(saved_reports(tmp_path / "box.mbox"))) == 1
    assert [t for t, _ in saved_reports(tmp_path / "Maildir")] == ["abuse@mail.shop.example"]
    done = as_json(capsys, "--db", db_url, "inbound", "mail", "read", str(eml), "--json")
    assert done[0]["done"][0].startswith("hard bounce: sita@example.com suppressed")
    again = as_json(capsys, "--db", db_url, "inbound", "mail", "read", str(tmp_path / "box.mbox"), "--json")
    assert again[0]["done"] == ["repeated"]  # the same report, from another mailbox


def test_delivered_to_reads_the_headers_a_server_adds():
    assert delivered_to(b"X-Original-To: <b+m7@x.example>\nTo: other@x.example\n\nhi") == "b+m7@x.example"
    assert delivered_to(b"Subject: none\n\nhi") is None


def test_the_smtp_listener_acts_on_each_report_it_takes_in():
    taken: list[tuple[str | None, bytes]] = []
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Listener(lambda to, raw: taken.append((to, raw))), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail("MAILER-DAEMON@mx.example.com", ["bounces+m42@mail.shop.example"], dsn("failed", "5.1.1"))
    finally:
        controller.stop()
    ((to, raw),) = taken
    assert to == "bounces+m42@mail.shop.example" and b"5.1.1" in raw
