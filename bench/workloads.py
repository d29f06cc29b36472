"""Workloads. Each returns a dict with its figure, the baseline's figure and their ratio."""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers

from bench.events import record_events_workload
from bench.plan import decide_alone, plan_campaign
from bench.render import render_templates
from herald.cli.sample import write_csv
from herald.contacts import importer
from herald.db import UnitOfWork, make_engine, sessions
from herald.db.migrate import upgrade

BASELINE_TX = 10_000


def sample_file(n: int, data: Path) -> Path:
    """The generated sample of `n` rows, cached between runs (mixed formats, ~5% duplicates, ~3% invalid)."""
    path = data / f"contacts-{n}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        write_csv(str(tmp), n)
        tmp.rename(path)
    return path


def fresh_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def baseline_import(csv_path: Path, db_path: Path) -> int:
    """parse + format + set de-duplication + executemany in 10k-row transactions, same SQLite pragmas."""
    fresh_sqlite(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, phone TEXT UNIQUE, email TEXT)")
    seen: set[str] = set()
    batch: list[tuple[str, str, str]] = []
    inserted = 0
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for name, phone, email, country, *_ in reader:
            try:
                number = phonenumbers.parse(phone, country or None)
            except phonenumbers.NumberParseException:
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 in seen:
                continue
            seen.add(e164)
            batch.append((name, e164, email))
            if len(batch) >= BASELINE_TX:
                inserted += _flush(conn, batch)
    inserted += _flush(conn, batch)
    conn.close()
    return inserted


def _flush(conn: sqlite3.Connection, batch: list[tuple[str, str, str]]) -> int:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO contacts (name, phone, email) VALUES (?, ?, ?)", batch)
    conn.execute("COMMIT")
    done = len(batch)
    batch.clear()
    return done


def herald_import(csv_path: Path, db_path: Path) -> tuple[dict[str, int], float]:
    """The real importer into a migrated SQLite database; returns its counts and its seconds."""
    fresh_sqlite(db_path)
    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    started = time.perf_counter()
    with UnitOfWork(sessions(engine)) as uow:
        report = importer.import_file(uow, csv_path, datetime.now(UTC), erasure_key="bench")
    seconds = time.perf_counter() - started
    engine.dispose()
    return report.counts, seconds


def import_contacts(n: int, data: Path) -> dict[str, object]:
    csv_path = sample_file(n, data)
    started = time.perf_counter()
    kept = baseline_import(csv_path, data / "baseline.db")
    baseline_seconds = time.perf_counter() - started
    counts, herald_seconds = herald_import(csv_path, data / "herald.db")
    return {
        "workload": "import_contacts", "rows": n,
        "herald_rows_per_s": round(n / herald_seconds), "baseline_rows_per_s": round(n / baseline_seconds),
        "ratio": round(baseline_seconds / herald_seconds, 3),
        "herald_seconds": round(herald_seconds, 2), "baseline_seconds": round(baseline_seconds, 2),
        "herald_counts": counts, "baseline_kept": kept,
    }


def describe(result: dict[str, object]) -> str:
    if "summary" in result:
        return str(result["summary"])
    return (f"{result['workload']:<16} N={result['rows']:<9} herald {result['herald_rows_per_s']:>8,} rows/s   "
            f"baseline {result['baseline_rows_per_s']:>8,} rows/s   ratio {result['ratio']:.2f}x "
            f"(herald does more per row: validation, time zones, carrier, line type, e-mail, consent)")


ALL: dict[str, Callable[[int, Path], dict[str, object]]] = {"import_contacts": import_contacts,
                                                             "render_templates": render_templates,
                                                             "plan_campaign": plan_campaign,
                                                             "decide": decide_alone,
                                                             "record_events": record_events_workload}
