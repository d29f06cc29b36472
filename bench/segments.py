"""Counting a segment over N contacts carrying 20 tags with 5 events each, and recomputing RFM and
lifecycle for them, each against hand-written SQL answering the same question in the same run, on
SQLite — and on PostgreSQL too when HERALD_BENCH_POSTGRES_URL is set."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from bench import postgres
from herald.db import UnitOfWork, make_engine, sessions
from herald.db.migrate import upgrade

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
TAGS = 20
EVENTS_PER_CONTACT = 5
CITIES = ("北京", "上海", "广州", "深圳", "Kathmandu", "Pokhara", "London", "São Paulo")
TYPES = ("purchase", "page_view", "page_view", "cart_abandoned", "inquiry")
EXPRESSION = 'tag:t1 and tag:t2 and not tag:t3 and attr.city = "北京" and event:purchase count >= 2 within 90d'
CHUNK = 50_000


def sqlite_time(moment: datetime) -> str:
    """A time as Herald's SQLite columns hold it (UTC, naive, microseconds), so text comparisons agree."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def rows(n: int, stamp_of: Callable[[datetime], object]) -> Iterator[tuple[list, list, list]]:
    """(contacts, contact_tags, events) in chunks; tag t<k> is carried by about 1/(k+1) of the contacts."""
    rng = random.Random(7)
    stamp = NOW
    for start in range(1, n + 1, CHUNK):
        contacts, tagged, events = [], [], []
        for cid in range(start, min(n, start + CHUNK - 1) + 1):
            attrs = json.dumps({"city": rng.choice(CITIES), "tier": str(rng.randint(1, 5))}, ensure_ascii=False)
            contacts.append(
                (
                    cid,
                    f"c{cid}@example.com",
                    attrs,
                    stamp_of(stamp - timedelta(days=rng.randint(0, 900))),
                    stamp_of(stamp),
                )
            )
            tagged.extend(
                (cid, k, "bench", stamp_of(stamp), None) for k in range(1, TAGS + 1) if rng.random() < 1 / (k + 1)
            )
            for _ in range(EVENTS_PER_CONTACT):
                kind = rng.choice(TYPES)
                props = json.dumps(
                    {"amount": rng.randint(5, 900), "product": f"p{rng.randint(1, 40)}"}
                    if kind == "purchase"
                    else {"product": f"p{rng.randint(1, 40)}"}
                )
                events.append(
                    (
                        cid,
                        kind,
                        props,
                        stamp_of(stamp - timedelta(minutes=rng.randint(1, 400 * 1440))),
                        "bench",
                        stamp_of(stamp),
                    )
                )
        yield contacts, tagged, events


INSERTS = {
    "contacts": "INSERT INTO contacts (id, email, attributes, created_at, updated_at) VALUES ({})",
    "contact_tags": "INSERT INTO contact_tags (contact_id, tag_id, applied_by, applied_at, expires_at) VALUES ({})",
    "events": "INSERT INTO events (contact_id, type, properties, occurred_at, source, received_at) VALUES ({})",
}


def _tags(stamp) -> list[tuple]:
    return [(k, f"t{k}", stamp) for k in range(1, TAGS + 1)]


def build_sqlite(n: int, path: Path) -> None:
    """The data set in a SQLite file, kept between runs (rebuilt when missing)."""
    if path.exists():
        return
    tmp = path.with_suffix(".tmp")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{tmp}")
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO tags (id, name, created_at, kind) VALUES (?, ?, ?, 'manual')", _tags(sqlite_time(NOW))
    )
    for chunk in rows(n, sqlite_time):
        for sql, values in zip(INSERTS.values(), chunk, strict=True):
            conn.executemany(sql.format(", ".join("?" * len(values[0]))), values)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)


def build_postgres(n: int, url: str) -> Engine:
    """The data set in its own PostgreSQL schema, kept between runs."""
    engine, exists = postgres.schema_engine(url, f"bench_segments_{n}")
    if exists:
        return engine
    upgrade(engine)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy("COPY tags (id, name, created_at, kind) FROM STDIN") as copy:
            for k, name, stamp in _tags(NOW):
                copy.write_row((k, name, stamp, "manual"))
        for chunk in rows(n, lambda moment: moment):
            for (table, sql), values in zip(INSERTS.items(), chunk, strict=True):
                columns = sql.split("(", 1)[1].split(")", 1)[0]
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return engine


HAND_COUNT = """
SELECT count(*) FROM contacts c
WHERE c.erased_at IS NULL
  AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag_id = :t1
              AND (t.expires_at IS NULL OR t.expires_at > :now))
  AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag_id = :t2
              AND (t.expires_at IS NULL OR t.expires_at > :now))
  AND NOT EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag_id = :t3
                  AND (t.expires_at IS NULL OR t.expires_at > :now))
  AND {city} = '北京'
  AND (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.type = 'purchase'
       AND e.occurred_at >= :since) >= 2
"""
CITY = {"sqlite": "json_extract(c.attributes, '$.city')", "postgresql": "c.attributes ->> 'city'"}


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[object, float]:
    """The result and the best time of `repeat` runs (the first warms the cache)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return result, best


def count_on(engine: Engine) -> dict[str, object]:
    from herald.segments import queries

    dialect = engine.dialect.name
    since = NOW - timedelta(days=90)
    bind = sqlite_time if dialect == "sqlite" else (lambda v: v)

    def herald() -> int:
        with UnitOfWork(sessions(engine)) as uow:
            return queries.count(uow.session, EXPRESSION, NOW)

    def hand() -> int:
        with engine.connect() as conn:
            return conn.scalar(
                text(HAND_COUNT.format(city=CITY[dialect])),
                {"now": bind(NOW), "since": bind(since), "t1": 1, "t2": 2, "t3": 3},
            )

    got, seconds = timed(herald)
    expected, hand_seconds = timed(hand)
    assert got == expected, (got, expected)
    return {
        "count": got,
        "seconds": round(seconds, 3),
        "hand_seconds": round(hand_seconds, 3),
        "ratio": round(seconds / hand_seconds, 2),
    }


HAND_RFM = [
    """
INSERT INTO contact_scores (contact_id, last_purchase, purchases, spent, r, f, m, stage, computed_at)
WITH bought AS (
  SELECT contact_id, max(occurred_at) AS last, count(*) AS n, sum(coalesce({amount}, 0)) AS spent
  FROM events WHERE type = 'purchase' GROUP BY contact_id),
ranked AS (
  SELECT *, ntile(5) OVER (ORDER BY last, contact_id) AS r, ntile(5) OVER (ORDER BY n, contact_id) AS f,
         ntile(5) OVER (ORDER BY spent, contact_id) AS m FROM bought)
SELECT b.contact_id, b.last, b.n, b.spent, b.r, b.f, b.m,
  CASE WHEN c.created_at >= :new THEN 'new' WHEN b.last >= :active THEN 'active'
       WHEN b.last >= :churn THEN 'dormant' ELSE 'churned' END, :now
FROM ranked b JOIN contacts c ON c.id = b.contact_id WHERE c.erased_at IS NULL
""",
    """
INSERT INTO contact_scores (contact_id, last_purchase, purchases, spent, r, f, m, stage, computed_at)
SELECT c.id, NULL, 0, 0, NULL, NULL, NULL, CASE WHEN c.created_at >= :new THEN 'new' ELSE 'potential' END, :now
FROM contacts c WHERE c.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM contact_scores s WHERE s.contact_id = c.id)
""",
]


def rfm_on(engine: Engine) -> dict[str, object]:
    from herald.scores import service as scores

    dialect = engine.dialect.name
    amount = (
        "CAST(json_extract(properties, '$.amount') AS REAL)"
        if dialect == "sqlite"
        else "CAST(properties ->> 'amount' AS DOUBLE PRECISION)"
    )
    bind = sqlite_time if dialect == "sqlite" else (lambda v: v)
    params = {
        "new": bind(NOW - timedelta(days=30)),
        "active": bind(NOW - timedelta(days=90)),
        "churn": bind(NOW - timedelta(days=180)),
        "now": bind(NOW),
    }

    def herald() -> dict:
        with UnitOfWork(sessions(engine)) as uow:
            return scores.compute(uow, NOW)

    def hand() -> dict:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM contact_scores"))
            for sql in HAND_RFM:
                conn.execute(text(sql.format(amount=amount)), params)
            return dict(conn.execute(text("SELECT stage, count(*) FROM contact_scores GROUP BY stage")).all())

    stages, seconds = timed(herald, 2)
    expected, hand_seconds = timed(hand, 2)
    assert {k: v for k, v in stages.items() if v} == expected, (stages, expected)
    return {
        "stages": stages,
        "seconds": round(seconds, 3),
        "hand_seconds": round(hand_seconds, 3),
        "ratio": round(seconds / hand_seconds, 2),
    }


def _engines(n: int, data: Path) -> list[tuple[str, Engine]]:
    path = data / f"segments-{n}.db"
    build_sqlite(n, path)
    engines = [("sqlite", make_engine(f"sqlite:///{path}"))]
    if postgres.url():
        engines.append(("postgresql", build_postgres(n, postgres.url())))
    return engines


def _report(workload: str, n: int, results: dict[str, dict], what: str) -> dict[str, object]:
    parts = [
        f"{db} {r['seconds']:.2f}s vs hand SQL {r['hand_seconds']:.2f}s = {r['ratio']:.2f}x"
        for db, r in results.items()
    ]
    return {
        "workload": workload,
        "rows": n,
        "events": n * EVENTS_PER_CONTACT,
        "results": results,
        "ratio": max(r["ratio"] for r in results.values()),
        "summary": f"{workload:<16} N={n:<9} {what}: " + "; ".join(parts),
    }


def segment_count(n: int, data: Path) -> dict[str, object]:
    results = {db: count_on(engine) for db, engine in _engines(n, data)}
    what = f"{TAGS} tags, {EVENTS_PER_CONTACT * n:,} events, 3 tags + attr + event"
    return _report("segment_count", n, results, what)


def rfm_recompute(n: int, data: Path) -> dict[str, object]:
    results = {db: rfm_on(engine) for db, engine in _engines(n, data)}
    return _report("rfm_recompute", n, results, "RFM quintiles + lifecycle for every contact")
