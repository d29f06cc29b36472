"""Send-time profiles recomputed (`scores.recompute_profiles`: each contact's engagements per hour of the
week in their own zone, and the crowds' patterns) for N contacts with 3N engagement events (reads, clicks,
replies over 90 days), against hand-written SQL storing the same rows through the driver in the same run,
on SQLite. Target: at most 1.5x the hand-written SQL for 1,000,000 contacts.

python -m bench.profiles [--n 1000000]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
ZONES = [("NP", "Asia/Kathmandu", 345), ("CN", "Asia/Shanghai", 480), ("DE", "Europe/Berlin", 60)]
KINDS = ("message.read", "message.read", "message.clicked", "message.replied")
CHUNK = 50_000


def build(n: int, path: Path) -> None:
    """N contacts in three zones, each with three engagements at their own favourite hours."""
    from herald.db import make_engine
    from herald.db.migrate import upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    rng = random.Random(23)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    stamp = str(NOW.replace(tzinfo=None))
    conn.execute("BEGIN")
    for start in range(1, n + 1, CHUNK):
        contacts, events = [], []
        for i in range(start, min(n, start + CHUNK - 1) + 1):
            region, zone, _ = ZONES[i % 3]
            contacts.append((i, f"+9779{i:09d}", region, zone, "{}", stamp, stamp))
            favourite = rng.randrange(24)
            for _ in range(3):
                at = NOW - timedelta(days=rng.randrange(90), hours=favourite + rng.choice((-1, 0, 0, 1)))
                events.append((i, rng.choice(KINDS), "{}", str(at.replace(tzinfo=None)), "bench", stamp))
        conn.executemany(
            "INSERT INTO contacts (id, phone, region, phone_timezones, attributes, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?)",
            contacts,
        )
        conn.executemany(
            "INSERT INTO events (contact_id, type, properties, occurred_at, source, received_at) VALUES (?,?,?,?,?,?)",
            events,
        )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


HAND = """
INSERT INTO send_profile_hours (contact_id, hour, weight)
SELECT e.contact_id,
       ((CAST(strftime('%s', e.occurred_at) AS INTEGER) + 60 * CASE c.phone_timezones {zones} ELSE 0 END) / 3600
        + 72) % 168 AS hour,
       SUM(CASE e.type WHEN 'message.read' THEN 1.0 WHEN 'message.clicked' THEN 2.0 ELSE 2.0 END)
  FROM events e JOIN contacts c ON c.id = e.contact_id
 WHERE e.type IN ('message.read', 'message.clicked', 'message.replied') AND e.occurred_at >= ?
   AND c.erased_at IS NULL
 GROUP BY e.contact_id, hour
"""


def baseline(path: Path) -> float:
    """The same rows by hand: the profiles in one INSERT … SELECT, the regions' patterns in one read."""
    conn = sqlite3.connect(path, isolation_level=None)
    zones = " ".join(f"WHEN '{zone}' THEN {minutes}" for _, zone, minutes in ZONES)
    since = str((NOW - timedelta(days=180)).replace(tzinfo=None))
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("DELETE FROM send_profile_hours")
    conn.execute(HAND.format(zones=zones), (since,))
    conn.execute(
        "SELECT c.region, h.hour, SUM(h.weight) FROM send_profile_hours h JOIN contacts c ON c.id = h.contact_id "
        "GROUP BY c.region, h.hour"
    ).fetchall()
    conn.execute(
        "SELECT c.region, COUNT(DISTINCT h.contact_id) FROM send_profile_hours h JOIN contacts c "
        "ON c.id = h.contact_id GROUP BY c.region"
    ).fetchall()
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    rows = conn.execute("SELECT COUNT(*), SUM(weight) FROM send_profile_hours").fetchone()
    conn.close()
    return seconds, rows


def herald(path: Path) -> tuple[float, tuple, dict]:
    from herald.db import UnitOfWork, make_engine, sessions
    from herald.scores import recompute_profiles

    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    with UnitOfWork(sessions(engine)) as uow:
        counts = recompute_profiles(uow, NOW)
    seconds = time.perf_counter() - started
    engine.dispose()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT COUNT(*), SUM(weight) FROM send_profile_hours").fetchone()
    conn.close()
    return seconds, rows, counts


def measure(n: int, data: Path) -> dict[str, object]:
    db = data / f"profiles-{n}.db"
    build(n, db)
    base, expected = min(baseline(db) for _ in range(2))
    seconds, rows, counts = min((herald(db) for _ in range(2)), key=lambda r: r[0])
    assert rows == expected and counts["contacts"] == n, (rows, expected, counts)  # the very same profiles
    return {
        "workload": "send_time_profiles",
        "contacts": n,
        "engagements": 3 * n,
        "profile_rows": rows[0],
        "herald_s": round(seconds, 2),
        "hand_sql_s": round(base, 2),
        "ratio": round(seconds / base, 2),
        "targets": {"ratio_at_most": 1.5},
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="contacts (default 1000000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data:
        print(json.dumps(measure(args.n, Path(data)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
