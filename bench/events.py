"""Recording N events in bulk (by contact id and by phone, 10% with event ids seen before) through the
ingestion path that also runs the automatic tag rules, against a bare executemany of the same rows into
the same table in the same run."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.plan import build_audience
from herald.autotag.service import record
from herald.db import UnitOfWork, make_engine, sessions
from herald.events.service import EventIn

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
CONTACTS = 20_000
BATCH = 5000
TYPES = ("purchase", "page_view", "cart_abandoned", "inquiry")


def events(n: int) -> list[EventIn]:
    """Events of the bench audience: half by id, half by phone (as build_audience numbers them)."""
    rng = random.Random(3)
    from bench.plan import ZONES

    made = []
    for i in range(n):
        who = rng.randint(1, CONTACTS)
        region, prefix, _ = ZONES[who % len(ZONES)]
        ref = {"contact_id": who} if i % 2 else {"phone": f"{prefix}{who:08d}"}
        repeat = i > 10 and rng.random() < 0.1  # an event id sent again
        made.append(
            EventIn(
                type=rng.choice(TYPES),
                occurred_at=NOW - timedelta(minutes=rng.randint(1, 90 * 1440)),
                properties={"amount": rng.randint(1, 500), "product": f"p{rng.randint(1, 50)}"},
                event_id=f"e{rng.randint(0, i - 1) if repeat else i}",
                **ref,
            )
        )
    return made


def herald_record(db: Path, batch: list[EventIn]) -> float:
    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    for start in range(0, len(batch), BATCH):
        with UnitOfWork(sessions(engine)) as uow:
            record(uow, batch[start : start + BATCH], NOW, source="bench")  # as ingestion runs: tag rules on
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def baseline_record(db: Path, batch: list[EventIn]) -> float:
    """The same rows, contact ids already known, straight into the table in the same batches."""
    conn = sqlite3.connect(db, isolation_level=None)
    stamp = NOW.replace(tzinfo=None).isoformat(sep=" ")
    rows = [
        (
            e.contact_id or 1,
            e.type,
            json.dumps(e.properties),
            e.occurred_at.replace(tzinfo=None).isoformat(" "),
            f"b{e.event_id}-{i}",
            "bench",
            stamp,
        )
        for i, e in enumerate(batch)
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO events (contact_id, type, properties, occurred_at, event_id, source, "
            "received_at) VALUES (?,?,?,?,?,?,?)",
            rows[start : start + BATCH],
        )
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def record_events_workload(n: int, data: Path) -> dict[str, object]:
    db = data / "events.db"
    build_audience(CONTACTS, db)
    batch = events(n)
    herald_seconds = herald_record(db, batch)
    baseline_seconds = baseline_record(db, batch)
    return {
        "workload": "record_events",
        "rows": n,
        "herald_rows_per_s": round(n / herald_seconds),
        "baseline_rows_per_s": round(n / baseline_seconds),
        "ratio": round(baseline_seconds / herald_seconds, 3),
        "summary": (
            f"record_events    N={n:<9} herald {n / herald_seconds:>9,.0f} events/s   bare executemany "
            f"{n / baseline_seconds:>9,.0f} rows/s   ratio {baseline_seconds / herald_seconds:.2f}x "
            f"(half by phone, normalized; 10% repeated event ids)"
        ),
    }
