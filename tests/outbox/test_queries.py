"""The outbox's reads stay proportional to what they ask for, not to the ledger's history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from herald.db import make_engine, sessions
from herald.db.uow import UnitOfWork
from herald.outbox import queries
from tests.conftest import NOW


def test_recent_sends_are_read_through_the_contact_index_not_every_sent_message(tmp_path, sqlite_template) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    seen: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, sql, params, ctx, many: seen.append((sql, params)))
    with UnitOfWork(sessions(engine)) as uow:
        assert queries.recent_sends(uow.session, [1, 2, 3], NOW - timedelta(days=7)) == []
        sql, params = next((s, p) for s, p in seen if "FROM messages" in s)
        plan = " ".join(row[3] for row in uow.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}",
                                                                                      params))
    engine.dispose()
    assert "ix_messages_contact_id" in plan and "ix_messages_due" not in plan
