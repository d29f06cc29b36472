"""The outbox's reads stay proportional to what they ask for, not to the ledger's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from herald.contacts.models import Contact
from herald.db import make_engine, sessions
from herald.db.uow import UnitOfWork
from herald.outbox import queries
from herald.outbox.models import Message
from tests.conftest import NOW


def _query_plans(tmp_path, sqlite_template, ask) -> list[str]:
    """SQLite's plan of each read of `messages` that `ask(session)` makes, on an empty migrated database."""
    path = tmp_path / "h.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    seen: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, sql, params, ctx, many: seen.append((sql, params)))
    with UnitOfWork(sessions(engine)) as uow:
        ask(uow.session)
        asked = [(sql, params) for sql, params in seen if "FROM messages" in sql]
        plans = [
            " ".join(row[3] for row in uow.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in asked
        ]
    engine.dispose()
    return plans


@pytest.mark.parametrize("contacts", [[1, 2, 3], lambda column: column.between(1, 5000)])
def test_recent_sends_are_read_from_the_contacts_sends_not_every_message(tmp_path, sqlite_template, contacts) -> None:
    [plan] = _query_plans(
        tmp_path, sqlite_template, lambda session: queries.recent_sends(session, contacts, NOW - timedelta(days=7))
    )
    assert "ix_messages_contact (contact_id" in plan and "ix_messages_due" not in plan


def _ledger(container) -> None:
    """Messages on both sides of the usage window (a day back from NOW), with and without allowances."""
    hour = timedelta(hours=1)
    with container.uow() as uow:
        uow.session.add(Contact(name="c", phone="+9779841000000", attributes={}, created_at=NOW, updated_at=NOW))
        uow.flush()
        cid = uow.session.scalar(select(Contact.id))
        rows = [
            ("old-sent", "sent", "sms", "s1", NOW - 30 * hour, NOW - 30 * hour),
            ("new-sent", "sent", "sms", "s1", NOW - 2 * hour, NOW - 3 * hour),
            ("new-sent-email", "sent", "email", None, NOW - hour, NOW - hour),
            ("inflight", "inflight", "sms", "s1", None, NOW - hour),
            ("queued", "queued", "sms", "s1", None, NOW + hour),
            ("old-queued", "queued", "sms", "s1", None, NOW - 30 * hour),
            ("new-failed", "failed", "sms", "s1", None, NOW - hour),
            ("old-failed", "failed", "email", None, None, NOW - 30 * hour),
        ]
        for key, status, channel, buckets, sent_at, at in rows:
            uow.session.add(
                Message(
                    idempotency_key=key,
                    campaign_id=1,
                    contact_id=cid,
                    purpose="marketing",
                    channel=channel,
                    status=status,
                    planned_action="send",
                    due_at=at,
                    attempts=1,
                    created_at=at,
                    updated_at=sent_at or at,
                    sent_at=sent_at,
                    buckets=buckets,
                )
            )


def test_bucket_use_counts_recent_sends_in_flight_and_with_planned_the_queue(container) -> None:
    """Every message on a channel counts, with or without other allowances (the email has none)."""
    _ledger(container)
    since = NOW - timedelta(days=1)
    with container.uow() as uow:
        gone = sorted((t.replace(tzinfo=None), ch, b) for ch, b, t in queries.bucket_use(uow.session, since, False))
        planned = sorted(t for _, _, t in queries.bucket_use(uow.session, since, planned=True))
    hour = timedelta(hours=1)
    naive = NOW.replace(tzinfo=None)
    assert gone == [(naive - 2 * hour, "sms", "s1"), (naive - hour, "email", None), (naive - hour, "sms", "s1")]
    assert len(planned) == 4 and max(planned).replace(tzinfo=None) == (NOW + hour).replace(tzinfo=None)


def test_failure_rates_count_what_settled_since_the_moment_per_channel(container) -> None:
    _ledger(container)
    with container.uow() as uow:
        rates = queries.failure_rates(uow.session, NOW - timedelta(days=1))
    assert rates == {"sms": 0.5, "email": 0.0}


def test_usage_reads_go_through_the_recent_indexes_not_the_history(tmp_path, sqlite_template) -> None:
    def ask(session) -> None:
        queries.bucket_use(session, NOW - timedelta(days=1), planned=True)
        queries.failure_rates(session, NOW - timedelta(days=1))

    sent_buckets, waiting, sent_counts, failed = _query_plans(tmp_path, sqlite_template, ask)
    assert "ix_messages_sent_at" in sent_buckets and "ix_messages_sent_at" in sent_counts
    assert "ix_messages_due (status=? AND due_at>?)" in waiting
    assert "ix_messages_failed (status=? AND updated_at>?)" in failed


def test_everyones_recent_sends_are_read_from_the_recent_rows_alone(tmp_path, sqlite_template) -> None:
    [plan] = _query_plans(
        tmp_path, sqlite_template, lambda session: session.execute(queries.sends_since(NOW - timedelta(days=7)))
    )
    assert "ix_messages_sent_at (sent_at>?)" in plan and "ix_messages_due (status=?)" in plan
