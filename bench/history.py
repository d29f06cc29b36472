"""Reading each recipient's recent sends from a ledger with history: N/10 contacts, each in thirty past
campaigns (two in three sent to them, the last three days ago; the others skipped them). Herald's read, as
the dispatcher makes it before each batch, against the same read on the same data with only a plain
index on the contact, as the ledger was indexed before, in the same run."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from herald.db import make_engine
from herald.db.migrate import upgrade
from herald.outbox import queries

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
CAMPAIGNS = 30
LOOKBACK = timedelta(days=7)
BATCH = 5_000  # contacts a read, as the dispatcher and the planner load them


def build(contacts: int, path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    stamp = NOW.replace(tzinfo=None)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO contacts (id, phone, attributes, created_at, updated_at) VALUES (?, ?, '{}', ?, ?)",
        ((i, f"+9779841{i:06d}", stamp, stamp) for i in range(1, contacts + 1)),
    )
    for k in range(CAMPAIGNS):
        sent = k % 3 != 1  # two campaigns in three reached them; the others skipped them
        when = stamp - timedelta(days=3 * (CAMPAIGNS - k))  # the last campaign is three days old
        conn.executemany(
            "INSERT INTO messages (idempotency_key, campaign_id, contact_id, purpose, channel, address, status, "
            "planned_action, due_at, attempts, sent_at, created_at, updated_at, run) "
            "VALUES (?, ?, ?, 'marketing', 'sms', ?, ?, 'send', ?, 0, ?, ?, ?, 0)",
            (
                (
                    f"campaign:{k}:contact:{i}",
                    k,
                    i,
                    f"+9779841{i:06d}",
                    "sent" if sent else "skipped",
                    when,
                    when if sent else None,
                    when,
                    when,
                )
                for i in range(1, contacts + 1)
            ),
        )
    conn.execute("COMMIT")
    conn.close()


def _read(path: Path, contacts: int) -> tuple[float, int]:
    """Every contact's countable sends, read as the dispatcher and the recipient-by-recipient planner read
    them (`outbox.queries.recent_sends`, a batch of contacts at a time); seconds, and contacts with one."""
    engine = make_engine(f"sqlite:///{path}")
    since, times = NOW - LOOKBACK, []
    with Session(engine) as session:
        for _ in range(3):  # the best of three: the first also pays for reading the file into the cache
            started, found = time.perf_counter(), set()
            for low in range(1, contacts + 1, BATCH):
                ids = list(range(low, min(low + BATCH, contacts + 1)))
                found.update(row[0] for row in queries.recent_sends(session, ids, since))
            times.append(time.perf_counter() - started)
    engine.dispose()
    return min(times), len(found)


def recent_sends(n: int, data: Path) -> dict[str, object]:
    contacts = max(1_000, n // 10)
    db, plain = data / "history.db", data / "history-plain.db"
    build(contacts, db)
    shutil.copyfile(db, plain)
    conn = sqlite3.connect(plain)
    conn.execute("DROP INDEX ix_messages_contact")
    conn.execute("CREATE INDEX ix_messages_contact_id ON messages (contact_id)")
    conn.close()
    herald, found = _read(db, contacts)
    baseline, same = _read(plain, contacts)
    if found != same or found != contacts:
        raise RuntimeError(f"the two reads disagree: {found} and {same} contacts with a recent send of {contacts}")
    return {
        "workload": "recent_sends",
        "rows": contacts * CAMPAIGNS,
        "herald_seconds": round(herald, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(baseline / herald, 2),
        "summary": (
            f"recent_sends     N={contacts * CAMPAIGNS:<9} {contacts:,} recipients' recent sends read "
            f"in {herald:.2f} s from a ledger of {CAMPAIGNS} campaigns; {baseline:.2f} s through a "
            f"plain contact index ({baseline / herald:.1f}x faster)"
        ),
    }
