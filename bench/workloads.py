"""Workloads. Each returns a dict with its figure, the baseline's figure and their ratio."""

from __future__ import annotations

import csv
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
from sqlalchemy import Engine

from bench import floor, postgres
from bench.auth import measure as api_auth
from bench.events import record_events_workload
from bench.history import recent_sends
from bench.plan import decide_alone, plan_campaign
from bench.profiles import measure as send_time_profiles
from bench.providers import send_throughput
from bench.render import render_templates
from bench.results import measure as campaign_results
from bench.sealed import measure as sealed_at_rest
from bench.segments import rfm_recompute, segment_count
from bench.sendtime import measure as send_time
from bench.shortcuts import shortcuts
from bench.ui import measure as ui_pages
from bench.webhooks import receipts, redirects
from herald.cli.demo.sample import write_csv
from herald.contacts.importing import headers, importer, parallel, sources
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
    batch: list[tuple[str, str, str]] = []
    inserted = 0
    for row in bare_rows(csv_path):
        batch.append(row)
        if len(batch) >= BASELINE_TX:
            inserted += _flush(conn, batch)
    inserted += _flush(conn, batch)
    conn.close()
    return inserted


def bare_rows(csv_path: Path) -> Iterator[tuple[str, str, str]]:
    """The baselines' parsing: (name, E.164, email) of each row whose phone parses and is new."""
    seen: set[str] = set()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for name, phone, email, country, *_ in reader:
            try:
                number = phonenumbers.parse(phone, country or None)
            except phonenumbers.NumberParseException:
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in seen:
                seen.add(e164)
                yield name, e164, email


def _flush(conn: sqlite3.Connection, batch: list[tuple[str, str, str]]) -> int:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO contacts (name, phone, email) VALUES (?, ?, ?)", batch)
    conn.execute("COMMIT")
    done = len(batch)
    batch.clear()
    return done


def baseline_copy(csv_path: Path, server: str) -> float:
    """parse + format + set de-duplication + COPY into a bare table of a fresh schema, one transaction;
    returns its seconds."""
    engine, _ = postgres.schema_engine(server, "bench_import_baseline", fresh=True)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("CREATE TABLE contacts (id BIGSERIAL PRIMARY KEY, name TEXT, phone TEXT UNIQUE, email TEXT)")
        raw.commit()
        started = time.perf_counter()
        with cur.copy("COPY contacts (name, phone, email) FROM STDIN") as copy:
            for row in bare_rows(csv_path):
                copy.write_row(row)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()


def parse_ceiling(csv_path: Path) -> tuple[float, float]:
    """Seconds the import's parsing alone takes (read, validate, normalize, on every core as an import does),
    writing nothing: the rate no writer could beat on this machine; and the CPU seconds it used, workers'
    included."""
    report = importer.ImportReport(source=csv_path.name)
    parser = importer.Importer(report, None, datetime.now(UTC))
    _, rows = sources.open_rows(csv_path)
    header = next(rows)[1]
    started, used = time.perf_counter(), floor.cpu_seconds()
    with importer.fewer_collections():
        for _ in parallel.parse_rows(parser, rows, headers.map_headers(header, {}, "error"), len(header)):
            pass
    return time.perf_counter() - started, floor.cpu_seconds() - used


def _target(db: str, fresh: bool) -> Engine:
    """A SQLite file (emptied with `fresh`) or, for a `postgresql…` URL, the bench's own schema there."""
    if db.startswith("postgresql"):
        return postgres.schema_engine(db, "bench_import", fresh=fresh)[0]
    if fresh:
        fresh_sqlite(Path(db))
    return make_engine(f"sqlite:///{db}")


def herald_import(csv_path: Path, db: str, fresh: bool = True) -> tuple[dict[str, int], float]:
    """The real importer into a migrated database; returns its counts and its seconds."""
    engine = _target(db, fresh)
    upgrade(engine)
    started = time.perf_counter()
    with UnitOfWork(sessions(engine)) as uow:
        report = importer.import_file(uow, csv_path, datetime.now(UTC), erasure_key="bench")
    seconds = time.perf_counter() - started
    engine.dispose()
    return report.counts, seconds


def child(csv_path: str, db: str, phase: str) -> None:
    """Run in a fresh process, as `herald contacts import` runs: the first import (`fresh`) or the same
    file again; figures as JSON, with this process's own peak RSS (parsing workers have their own)."""
    counts, seconds = herald_import(Path(csv_path), db, fresh=phase == "fresh")
    print(
        json.dumps(
            {"counts": counts, "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        )
    )


def _in_child(csv_path: Path, db: Path | str) -> dict:
    """Import in one process, then import the same file again in another; the higher peak counts."""
    first, again = (
        json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.workloads", str(csv_path), str(db), phase],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for phase in ("fresh", "again")
    )
    return {
        "counts": first["counts"],
        "seconds": first["seconds"],
        "again": again["counts"],
        "again_seconds": again["seconds"],
        "peak_mb": max(first["peak_mb"], again["peak_mb"]),
    }


def import_contacts(n: int, data: Path) -> dict[str, object]:
    csv_path = sample_file(n, data)
    started = time.perf_counter()
    kept = baseline_import(csv_path, data / "baseline.db")
    baseline_seconds = time.perf_counter() - started
    big = _in_child(csv_path, data / "herald.db")
    small = _in_child(sample_file(max(1, n // 10), data), data / "herald-tenth.db")
    seconds, (parsing, parse_cpu) = big["seconds"], parse_ceiling(csv_path)
    fresh_sqlite(data / "floor.db")
    storing, store_cpu = floor.sqlite_floor(data / "herald.db", data / "floor.db")
    # CPU adds up: however parsing and storing overlap, the cores cannot give an import more than this.
    cores = os.cpu_count() or 1
    both = n * cores / (parse_cpu + store_cpu)
    result = {
        "workload": "import_contacts",
        "rows": n,
        "herald_rows_per_s": round(n / seconds),
        "baseline_rows_per_s": round(n / baseline_seconds),
        "ratio": round(baseline_seconds / seconds, 3),
        "reimport_rows_per_s": round(n / big["again_seconds"]),
        "reimport_ratio": round(baseline_seconds / big["again_seconds"], 3),
        "reimport_new_rows": big["again"]["imported"],
        "parse_only_rows_per_s": round(n / parsing),
        "parse_only_ratio": round(baseline_seconds / parsing, 3),
        "storage_only_rows_per_s": round(n / storing),
        "storage_only_ratio": round(baseline_seconds / storing, 3),
        "parse_and_store_cpu_us_per_row": round((parse_cpu + store_cpu) / n * 1e6, 1),
        "parse_and_store_rows_per_s": round(both),
        "parse_and_store_ratio": round(both * baseline_seconds / n, 3),
        "peak_mb": round(big["peak_mb"]),
        "peak_mb_at_tenth": round(small["peak_mb"]),
        "herald_counts": big["counts"],
        "baseline_kept": kept,
        "summary": (
            f"import_contacts  N={n:<9} herald {n / seconds:>8,.0f} rows/s   baseline "
            f"{n / baseline_seconds:>8,.0f} rows/s   ratio {baseline_seconds / seconds:.2f}x; re-import "
            f"{n / big['again_seconds']:,.0f} rows/s ({baseline_seconds / big['again_seconds']:.2f}x, "
            f"{big['again']['imported']} new); peak RSS {big['peak_mb']:.0f} MB at N, "
            f"{small['peak_mb']:.0f} MB at N/10 ({big['peak_mb'] / small['peak_mb']:.2f}x)\n"
            f"  parsing alone, writing nothing: {n / parsing:,.0f} rows/s ({baseline_seconds / parsing:.2f}x), "
            "the most any import could do here\n"
            f"  storing alone, what the import stored written again by bare executemany: {n / storing:,.0f} "
            f"rows/s ({baseline_seconds / storing:.2f}x), the most any import storing it could do\n"
            f"  both: {parse_cpu / n * 1e6:.0f} + {store_cpu / n * 1e6:.0f} us of CPU a row; on {cores} cores, "
            f"however they overlap, at most {both:,.0f} rows/s ({both * baseline_seconds / n:.2f}x)"
        ),
    }
    if postgres.url():
        result.update(_import_postgres(n, csv_path, postgres.url()))
        result["summary"] += "\n" + result.pop("postgres_summary")
    return result


def _import_postgres(n: int, csv_path: Path, server: str) -> dict[str, object]:
    copy_seconds = baseline_copy(csv_path, server)
    pg = _in_child(csv_path, server)
    seconds, again = pg["seconds"], pg["again_seconds"]
    storing = floor.postgres_floor(server, "bench_import", "bench_floor")
    return {
        "postgres_rows_per_s": round(n / seconds),
        "postgres_copy_rows_per_s": round(n / copy_seconds),
        "postgres_ratio": round(copy_seconds / seconds, 3),
        "postgres_reimport_ratio": round(copy_seconds / again, 3),
        "postgres_reimport_new_rows": pg["again"]["imported"],
        "postgres_storage_only_rows_per_s": round(n / storing),
        "postgres_storage_only_ratio": round(copy_seconds / storing, 3),
        "postgres_summary": (
            f"  on PostgreSQL   herald {n / seconds:>8,.0f} rows/s   COPY baseline "
            f"{n / copy_seconds:>8,.0f} rows/s   ratio {copy_seconds / seconds:.2f}x; re-import "
            f"{n / again:,.0f} rows/s ({copy_seconds / again:.2f}x, {pg['again']['imported']} new)\n"
            f"  storing alone on PostgreSQL, by bare COPY: {n / storing:,.0f} rows/s "
            f"({copy_seconds / storing:.2f}x)"
        ),
    }


def describe(result: dict[str, object]) -> str:
    if "summary" in result:
        return str(result["summary"])
    return (
        f"{result['workload']:<16} N={result['rows']:<9} herald {result['herald_rows_per_s']:>8,} rows/s   "
        f"baseline {result['baseline_rows_per_s']:>8,} rows/s   ratio {result['ratio']:.2f}x "
        f"(herald does more per row: validation, time zones, carrier, line type, e-mail, consent)"
    )


ALL: dict[str, Callable[[int, Path], dict[str, object]]] = {
    "import_contacts": import_contacts,
    "render_templates": render_templates,
    "plan_campaign": plan_campaign,
    "decide": decide_alone,
    "record_events": record_events_workload,
    "segment_count": segment_count,
    "rfm_recompute": rfm_recompute,
    "recent_sends": recent_sends,
    "shortcuts": shortcuts,
    "send_throughput": send_throughput,
    "receipts": lambda n, data: receipts(min(n, 5000), data),
    "redirects": lambda n, data: redirects(min(n, 5000), data),
    "api_auth": lambda n, data: api_auth(min(n, 3000), data),
    "sealed_at_rest": lambda n, data: sealed_at_rest(min(n, 100_000), data),
    "campaign_results": campaign_results,
    "send_time": lambda n, data: send_time(min(n, 20_000)),
    "send_time_profiles": send_time_profiles,
    "ui_pages": lambda n, data: ui_pages(20),
}


if __name__ == "__main__":
    child(*sys.argv[1:4])
