"""The monthly health report on SQLite and PostgreSQL: each month's rates from what was sent in it and what
came of it, in all and per channel and provider, with the change from the month before."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from herald.analytics.reports.health import health, latest_complete
from herald.analytics.reports.months import Month
from herald.contacts import service as contacts
from herald.outbox.models import Message
from herald.types import Channel
from tests.analytics.ledger import conversion, message
from tests.cli.test_cli import as_json, herald
from tests.scenario import contact_id, setup

OCT, NOV = datetime(2026, 10, 10, 12, tzinfo=UTC), datetime(2026, 11, 10, 12, tzinfo=UTC)
SITA = "+9779841234567"
NUMBERS = itertools.count(1)  # each message its own address


def sent(uow, key: str, cid: int, at: datetime, channel="sms", provider="gateway", status="sent", **more):
    address = f"+97798{next(NUMBERS):08d}" if channel != "email" else f"{key}@example.com"
    row = message(uow, key, cid, address, at, status, channel=channel, provider=provider, **more)
    uow.flush()
    return row


def history(container, tmp_path) -> None:
    """October: 10 SMS through gateway, 9 delivered. November: 20 SMS (gateway 10, backup 10) of which 15
    delivered, 2 failed more, 1 converted, 1 opted out; 5 e-mails through mail, 5 delivered, 1 complaint."""
    setup(container, tmp_path)
    cid = contact_id(container, SITA)
    with container.uow() as uow:
        for i in range(10):
            sent(uow, f"oct{i:03d}", cid, OCT, delivery="delivered" if i < 9 else "undelivered")
        for i in range(20):
            sent(
                uow,
                f"nov{i:03d}",
                cid,
                NOV,
                provider="gateway" if i < 10 else "backup",
                delivery="delivered" if i < 15 else None,
            )
        for i in range(2):
            sent(uow, f"novf{i:02d}", cid, NOV, status="failed")
        mails = [
            sent(uow, f"mail{i:02d}", cid, NOV, channel="email", provider="mail", delivery="delivered")
            for i in range(5)
        ]
        converted = uow.session.query(Message).filter_by(idempotency_key="nov000").one()
        conversion(uow, cid, "A1", NOV, "20.00", message_id=converted.id, attribution="click")
        opted = uow.session.query(Message).filter_by(idempotency_key="nov001").one()
        contacts.suppress(uow, Channel.SMS, opted.address, "opt-out", NOV + timedelta(hours=1))
        contacts.suppress(uow, Channel.EMAIL, mails[0].address, "complaint", NOV + timedelta(days=1))


def test_a_month_is_compared_with_the_one_before(container, tmp_path) -> None:
    history(container, tmp_path)
    with container.uow() as uow:
        report = health(uow.session, Month(2026, 11))
    assert report["months"] == ["2026-10", "2026-11"]
    october, november = report["total"]["2026-10"], report["total"]["2026-11"]
    assert october["counts"] == {
        "sent": 10,
        "delivered": 9,
        "attempted": 10,
        "failed": 0,
        "converted": 0,
        "opted_out": 0,
        "complained": 0,
    }
    assert november["counts"] == {
        "sent": 25,
        "delivered": 20,
        "attempted": 27,
        "failed": 2,
        "converted": 1,
        "opted_out": 2,
        "complained": 1,
    }
    assert november["rates"]["delivery_rate"] == 80.0 and november["rates"]["failure_rate"] == 7.41
    assert report["total"]["change"]["delivery_rate"] == -10.0  # 80 % against 90 %
    sms, email = report["by_channel"]["sms"], report["by_channel"]["email"]
    assert sms["2026-11"]["rates"]["optout_rate"] == 5.0 and email["2026-11"]["rates"]["complaint_rate"] == 20.0
    assert email["2026-10"]["counts"]["sent"] == 0 and email["change"]["delivery_rate"] is None
    backup = report["by_provider"]["backup"]["2026-11"]
    assert backup["counts"]["sent"] == 10 and backup["rates"]["delivery_rate"] == 50.0


def test_a_month_without_messages_reports_no_rates(container) -> None:
    with container.uow() as uow:
        report = health(uow.session, Month(2026, 11), 1)
    assert report["total"]["2026-11"]["rates"]["delivery_rate"] is None and "change" not in report["total"]
    assert report["by_channel"] == {} and report["complaint_cases"] == {"2026-11": 0}
    assert latest_complete(datetime(2026, 1, 5, tzinfo=UTC)) == Month(2025, 12)


def test_the_cli_shows_it_and_refuses_a_month_that_is_not_one(container, tmp_path, capsys) -> None:
    history(container, tmp_path)
    db = ("--db", container.settings.database_url)
    data = as_json(capsys, *db, "reports", "health", "--month", "2026-11", "--months", "3", "--json")
    assert data["months"] == ["2026-09", "2026-10", "2026-11"]
    shown = herald(capsys, *db, "reports", "health", "--month", "2026-11")
    assert "80.00%" in shown and "(-10.00)" in shown and "backup" in shown  # a table: cells may wrap
    herald(capsys, *db, "reports", "health", "--month", "2026-13", code=2)
    assert "expected a month as YYYY-MM" in herald.last_err
    herald(capsys, *db, "reports", "health", "--month", "2030-01", code=2)
    assert "2030-01 has not begun" in herald.last_err
