"""A campaign's results (`analytics.results`: the funnel, its breakdowns by channel, variant, region,
carrier and sender, by local hour, revenue) for N sent messages with 3N tracking events (clicks), against
hand-written SQL answering the same questions through the driver in the same run, on SQLite — and on
PostgreSQL too when HERALD_BENCH_POSTGRES_URL is set (the same data copied into a schema of its own).
Targets: at most 1.5x the hand-written SQL, and within 2 s for 1,000,000 messages.

Herald answers from the campaign's tally, which the worker folds once a minute: the bench times the first
pass over every message (`fold_s`, once, in the background), results read from the tally (`herald_s`),
then read again after 1 % of the messages changed since the pass (`herald_tail_s`: moved in memory), and
results grouped straight from the ledger (`herald_ledger_s`: before any pass has ended) — checking that
the tally's figures are the ledger's.

python -m bench.results [--n 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
REGIONS = [("NP", "Asia/Kathmandu", "Ncell"), ("CN", "Asia/Shanghai", "China Mobile"), ("IN", "Asia/Kolkata", "Jio")]
CHUNK = 50_000


TABLES = {
    "contacts": "id, phone, region, phone_timezones, carrier, attributes, created_at, updated_at",
    "messages": "id, idempotency_key, campaign_id, contact_id, template_id, purpose, channel, address, status, "
    "planned_action, due_at, trail, attempts, provider, delivery, variant, sent_at, created_at, updated_at",
    "links": "id, code, message_id, url, position, created_at",
    "clicks": "link_id, message_id, at, human, why, device, visitor",
    "conversions": "contact_id, order_id, amount, currency, occurred_at, message_id, campaign_id, attribution, source, "
    "received_at",
}
CAMPAIGN = (
    "INSERT INTO campaigns (id, name, segment, template_id, channel, purpose, preset, policy_overrides, status, "
    "created_at) VALUES (1, 'bench', 'all', 1, 'sms', 'marketing', 'default', '{}', 'running', '%s')"
)


def chunks(n: int) -> Iterator[dict[str, list[tuple]]]:
    """N contacts, each sent one message of one campaign over a day; 3N clicks on half the messages'
    links; a conversion on one message in fifty: the rows of each table, a chunk at a time."""
    rng = random.Random(5)
    stamp = NOW.replace(tzinfo=None)
    clicks_left = 3 * n
    for start in range(1, n + 1, CHUNK):
        rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
        for i in range(start, min(n, start + CHUNK - 1) + 1):
            region, zone, carrier = REGIONS[i % 3]
            rows["contacts"].append((i, f"+9779{i:09d}", region, zone, carrier, "{}", str(stamp), str(stamp)))
            sent = str(stamp + timedelta(minutes=i % 1440))
            delivery = rng.choice(("delivered", "delivered", "read", "undelivered", None))
            rows["messages"].append(
                (i, f"b:{i}", 1, i, 1, "marketing", "sms", f"+9779{i:09d}", "sent", "send", sent, "[]", 1, "gateway")
                + (delivery, "AB"[i % 2], sent, sent, sent)
            )
            if i % 2 == 0 and clicks_left > 0:
                rows["links"].append((i, f"c{i}", i, "https://shop.example", 0, sent))
                for _ in range(6):
                    rows["clicks"].append((i, i, sent, rng.random() < 0.9, "t", "phone", f"v{i}"))
                clicks_left -= 6
            if i % 50 == 0:
                rows["conversions"].append((i, f"o{i}", "19.90", "NPR", sent, i, 1, "click", "api", sent))
        yield rows


def build(n: int, path: Path) -> int:
    """The campaign's data in a SQLite file. Returns the campaign's id."""
    from herald.db import make_engine
    from herald.db.migrate import upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("BEGIN")
    conn.execute(CAMPAIGN % NOW.replace(tzinfo=None))
    for rows in chunks(n):
        for table, columns in TABLES.items():
            marks = ",".join("?" * len(columns.split(",")))
            # Table and column names are this module's own constants.
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[table])  # noqa: S608
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return 1


FLAGS = """
  FROM messages m
  LEFT JOIN (SELECT message_id FROM clicks WHERE human GROUP BY message_id) k ON k.message_id = m.id
  LEFT JOIN (SELECT message_id FROM conversions WHERE message_id IS NOT NULL GROUP BY message_id) v
    ON v.message_id = m.id
"""
COUNTS = """
  SUM(m.planned_action != 'skip'), SUM(m.status = 'sent'), SUM(m.delivery IN ('delivered', 'read')),
  SUM(m.delivery = 'read' OR m.read_at IS NOT NULL), SUM(k.message_id IS NOT NULL), SUM(v.message_id IS NOT NULL)
"""


def baseline(path: Path) -> float:
    """The same figures by hand: the funnel, each breakdown, the hours by zone, revenue."""
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    conn.execute(f"SELECT {COUNTS} {FLAGS} WHERE m.campaign_id = 1").fetchall()
    for column in ("m.channel", "m.variant", "m.sender"):
        conn.execute(f"SELECT {column}, {COUNTS} {FLAGS} WHERE m.campaign_id = 1 GROUP BY {column}").fetchall()
    for column in ("c.region", "c.carrier"):
        conn.execute(
            f"SELECT {column}, {COUNTS} {FLAGS} JOIN contacts c ON c.id = m.contact_id "
            f"WHERE m.campaign_id = 1 GROUP BY {column}"
        ).fetchall()
    conn.execute(
        f"SELECT m.channel, strftime('%Y-%m-%d %H', m.sent_at) h, c.timezone, c.phone_timezones, {COUNTS} {FLAGS} "
        "JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = 1 AND m.sent_at IS NOT NULL "
        "GROUP BY m.channel, h, c.timezone, c.phone_timezones"
    ).fetchall()
    conn.execute(
        "SELECT currency, SUM(CAST(amount AS NUMERIC)) FROM conversions WHERE campaign_id = 1 GROUP BY currency"
    ).fetchall()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def floor(path: Path) -> float:
    """The least any answer costs: reading the campaign's messages with their contacts once, and the
    people's clicks once, without computing anything."""
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    conn.execute(
        "SELECT c.region, count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id "
        "WHERE m.campaign_id = 1 GROUP BY c.region"
    ).fetchall()
    conn.execute("SELECT count(DISTINCT message_id) FROM clicks WHERE human").fetchall()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


GROUPING = """
SELECT count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = 1
 GROUP BY m.channel, m.variant, c.region, c.carrier, m.sender, strftime('%Y-%m-%d %H', m.sent_at), m.provider,
          c.timezone, c.phone_timezones, m.cost_currency
"""


def grouping(path: Path) -> float:
    """The bound of answering from the ledger at request time on SQLite: grouping the campaign's joined
    rows by the breakdowns' keys alone, counting nothing else — the sort SQLite does for any such query."""
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    conn.execute(GROUPING).fetchall()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def herald(engine: Any) -> tuple[float, dict]:
    """Herald's results for the campaign, and how long they took."""
    from herald.analytics.reports.funnel import results
    from herald.campaigns import Campaign
    from herald.db import UnitOfWork, sessions

    started = time.perf_counter()
    with UnitOfWork(sessions(engine)) as uow:
        found = results(uow.session, uow.session.get(Campaign, 1))
    return time.perf_counter() - started, found


AFTER = NOW + timedelta(days=2)  # when the worker folds: after every message went
CHANGED = (
    "UPDATE messages SET delivery = 'read', read_at = :at, updated_at = :at WHERE campaign_id = 1 AND id % 100 = 7"
)


def kept(engine: Any) -> dict[str, float]:
    """The tally's workload: the first pass, results from it, results after 1 % changed, results from the
    ledger — and the tally's figures checked against the ledger's."""
    from sqlalchemy import text

    from herald.analytics.tallies import folding
    from herald.db import UnitOfWork, sessions

    with engine.begin() as conn:  # each run folds from nothing
        for table in ("tallied", "tally_groups", "tally_marks"):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (this module's own names)
    ledger_s, _ = herald(engine)
    started = time.perf_counter()
    folding.fold(lambda: UnitOfWork(sessions(engine)), 1, AFTER)
    fold_s = time.perf_counter() - started
    kept_s = min(herald(engine)[0] for _ in range(2))
    with engine.begin() as conn:
        conn.execute(text(CHANGED), {"at": AFTER + timedelta(minutes=1)})
    tail_s, tail = min((herald(engine) for _ in range(2)), key=lambda r: r[0])
    engine.dispose()
    with engine.begin() as conn:  # the ledger's own figures now: no pass has read the changes
        conn.execute(text("DELETE FROM tally_marks"))
    _, ledger = herald(engine)
    assert tail == ledger, "the tally's figures differ from the ledger's"
    return {"fold_s": fold_s, "herald_s": kept_s, "herald_tail_s": tail_s, "herald_ledger_s": ledger_s}


def measure(n: int, data: Path) -> dict[str, object]:
    from bench import postgres, results_postgres
    from herald.db import make_engine

    db = data / f"results-{n}.db"
    if not db.exists():
        build(n, db)
    base = min(baseline(db) for _ in range(2))
    least = min(floor(db) for _ in range(2))
    grouped = min(grouping(db) for _ in range(2))
    engine = make_engine(f"sqlite:///{db}")
    try:
        figures = kept(engine)
        found = herald(engine)[1]
    finally:
        engine.dispose()
    assert found["funnel"]["sent"] == n, found["funnel"]
    seconds = figures["herald_s"]
    server = postgres.url()
    return {
        **({"postgresql": results_postgres.measure(n, server)} if server else {}),
        "workload": "campaign_results",
        "messages": n,
        "clicks": 3 * n,
        **{name: round(value, 2) for name, value in figures.items()},
        "hand_sql_s": round(base, 2),
        "ratio": round(seconds / base, 2),
        "ratio_with_tail": round(figures["herald_tail_s"] / base, 2),
        "ratio_from_ledger": round(figures["herald_ledger_s"] / base, 2),
        "floor_s": round(least, 2),  # reading the data once: no answer on this machine comes sooner
        "grouping_bound_s": round(grouped, 2),  # the keys' GROUP BY alone: no answer grouped from the ledger beats it
        "targets": {"ratio_at_most": 1.5, "seconds_at_most_for_1m": 2.0},
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="messages (default 1000000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data:
        print(json.dumps(measure(args.n, Path(data)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
