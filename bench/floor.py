"""Storage alone: the rows an import stored, written again into a fresh database with nothing but the
driver (bare executemany on SQLite, COPY on PostgreSQL), a batch of contacts with their consents and
consent events at a time, as the import writes them. No parsing, matching or Python per row beyond the
driver's: the least time the database itself needs to hold what Herald holds, whoever writes it."""

from __future__ import annotations

import resource
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from bench import postgres
from herald.contacts.service import facts
from herald.db import make_engine
from herald.db.migrate import upgrade

BATCH = 5000  # contacts a batch, as the importer writes them
CONTACTS = (
    "id, name, phone, phone_extension, email, external_id, region, timezone, phone_timezones, carrier, "
    "line_type, attributes, created_at, updated_at, consent_key"
)
EVENTS = "contact_id, channel, purpose, status, source, evidence, ip, recorded_at"
CONSENTS = "contact_id, channel, purpose, status, recorded_at, source, has_evidence"
TABLES = (("contacts", CONTACTS, "id"), ("consent_events", EVENTS, "contact_id"), ("consents", CONSENTS, "contact_id"))
# The importer suspends these while a batch writes (db.bulk.triggers_suspended) and does their work itself.
SUSPENDED = (facts.CONTACT_LISTED, facts.CONSENT_KEYED)


def _batches(read, last_id: int, schema: str = "", marks: str = "?") -> Iterator[list[list[tuple]]]:
    """Each batch's rows of the three tables, read from the imported database (reading is not timed);
    JSON is read as its text, as both drivers write it."""
    prefix = f'"{schema}".' if schema else ""
    for start in range(1, last_id + 1, BATCH):
        yield [
            read(
                f"SELECT {columns.replace('attributes', 'CAST(attributes AS TEXT)')} "  # noqa: S608
                f"FROM {prefix}{table} WHERE {key} BETWEEN {marks} AND {marks} ORDER BY {key}",
                (start, start + BATCH - 1),
            )
            for table, columns, key in TABLES
        ]


def cpu_seconds() -> float:
    """CPU seconds this process and its finished children have used."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sqlite_floor(imported: Path, target: Path) -> tuple[float, float]:
    """Seconds SQLite takes to store again what an import stored in `imported`, in one transaction, into
    `target` (a file that does not exist yet), and the CPU seconds it used (SQLite runs in this process)."""
    engine = make_engine(f"sqlite:///{target}")
    upgrade(engine)
    engine.dispose()
    source, conn = sqlite3.connect(imported), sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-32768"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("BEGIN")
    for name in SUSPENDED:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    inserts = [
        f"INSERT INTO {t} ({c}) VALUES ({', '.join('?' * len(c.split(',')))})"  # noqa: S608
        for t, c, _ in TABLES
    ]
    last = source.execute("SELECT max(id) FROM contacts").fetchone()[0] or 0
    seconds = cpu = 0.0
    for batch in _batches(lambda sql, args: source.execute(sql, args).fetchall(), last):
        started, used = time.perf_counter(), time.process_time()
        for sql, rows in zip(inserts, batch, strict=True):
            conn.executemany(sql, rows)
        seconds, cpu = seconds + time.perf_counter() - started, cpu + time.process_time() - used
    started, used = time.perf_counter(), time.process_time()
    conn.execute("COMMIT")
    seconds, cpu = seconds + time.perf_counter() - started, cpu + time.process_time() - used
    source.close()
    conn.close()
    return seconds, cpu


def postgres_floor(server: str, imported_schema: str, schema: str) -> float:
    """Seconds PostgreSQL takes to store again, by COPY, what an import stored in `imported_schema`:
    the tables with their indexes, foreign keys and triggers, in one transaction."""
    engine, _ = postgres.schema_engine(server, schema, fresh=True)
    upgrade(engine)
    raw = engine.raw_connection()
    cur = raw.cursor()
    last = cur.execute(f'SELECT coalesce(max(id), 0) FROM "{imported_schema}".contacts').fetchone()[0]  # noqa: S608
    seconds = 0.0
    try:
        for batch in _batches(lambda sql, args: cur.execute(sql, args).fetchall(), last, imported_schema, "%s"):
            started = time.perf_counter()
            for (table, columns, _), rows in zip(TABLES, batch, strict=True):
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            seconds += time.perf_counter() - started
        started = time.perf_counter()
        raw.commit()
        return seconds + time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()
