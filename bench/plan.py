"""Planning a campaign for N recipients with six rules active, against a bare `INSERT … SELECT` of the
same audience into the same messages table (no rules, no facts, one constant trail) in the same run;
and `decide()` alone. Memory: each size is planned in a child process that reports its own peak RSS."""

from __future__ import annotations

import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from herald.db import UnitOfWork, make_engine, sessions
from herald.db.migrate import upgrade

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
SEGMENT = "has:phone"
ZONES = [
    ("NP", "+97798", "Asia/Kathmandu"),
    ("CN", "+86138", "Asia/Shanghai"),
    ("IN", "+9198", "Asia/Kolkata"),
    ("GB", "+447", "Europe/London"),
    ("BR", "+55119", "America/Sao_Paulo"),
    ("US", "+1415", "America/Los_Angeles"),
]


def build_audience(n: int, path: Path) -> None:
    """N contacts over six countries; 85% with SMS consent from one of three import days, 1% suppressed,
    2% landlines, 10% with a recent marketing message."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    rng = random.Random(11)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    stamp = NOW.replace(tzinfo=None)
    days = [stamp - timedelta(days=d) for d in (3, 40, 200)]
    conn.execute("BEGIN")
    for start in range(0, n, 50_000):
        contacts, consents, supp, sends = [], [], [], []
        for i in range(start + 1, min(n, start + 50_000) + 1):
            region, prefix, zone = ZONES[i % len(ZONES)]
            phone = f"{prefix}{i:08d}"
            line = "fixed_line" if rng.random() < 0.02 else "mobile"
            contacts.append((i, phone, region, zone, line, "{}", stamp, stamp))
            if rng.random() < 0.85:
                consents.append((i, "sms", "marketing", "granted", rng.choice(days), "import", 0))
            if rng.random() < 0.01:
                supp.append(("sms", phone, "opt-out", stamp))
            if rng.random() < 0.10:
                sends.append(
                    (
                        f"old:{i}",
                        0,
                        i,
                        "marketing",
                        "sms",
                        phone,
                        "sent",
                        "send",
                        stamp,
                        "[]",
                        1,
                        stamp - timedelta(hours=rng.randint(1, 600)),
                        stamp,
                        stamp,
                    )
                )
        conn.executemany(
            "INSERT INTO contacts (id, phone, region, phone_timezones, line_type, attributes, "
            "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
            contacts,
        )
        conn.executemany(
            "INSERT INTO consents (contact_id, channel, purpose, status, recorded_at, source, "
            "has_evidence) VALUES (?,?,?,?,?,?,?)",
            consents,
        )
        conn.executemany("INSERT INTO suppressions (channel, address, reason, created_at) VALUES (?,?,?,?)", supp)
        conn.executemany(
            "INSERT INTO messages (idempotency_key, campaign_id, contact_id, purpose, channel, address, "
            "status, planned_action, due_at, trail, attempts, sent_at, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            sends,
        )
    conn.execute("COMMIT")
    conn.close()


def campaign(db: Path) -> int:
    from herald.campaigns import service as campaigns
    from herald.content import service as content
    from herald.types import Channel

    engine = make_engine(f"sqlite:///{db}")
    with UnitOfWork(sessions(engine)) as uow:
        version = content.create_template(
            uow,
            "bench",
            Channel.SMS,
            {"body": "Hi {{ first_name | default('there') }}, sale today. Reply STOP to opt out."},
            author="a",
            now=NOW,
        )
        content.review(uow, version, "submit", actor="a", now=NOW)
        content.review(uow, version, "approve", actor="b", now=NOW)
        cid = campaigns.create_campaign(uow, "bench", SEGMENT, "bench", NOW).id
    engine.dispose()
    return cid


def herald_plan(db: Path, campaign_id: int) -> dict[str, float]:
    from herald.campaigns import service as campaigns

    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    with UnitOfWork(sessions(engine)) as uow:
        stats = campaigns.plan_campaign(uow, campaign_id, NOW)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "seconds": seconds,
        "planned": stats.new,
        "skipped": stats.actions["skip"],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def baseline_plan(db: Path) -> float:
    """The same audience into the same table in one statement, with a constant decision and trail, on a
    connection set up as Herald's are (the table's foreign keys enforced, synchronous=NORMAL)."""
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO messages (idempotency_key, campaign_id, contact_id, template_id, purpose, channel, address, "
        "status, planned_action, due_at, trail, attempts, created_at, updated_at, run) "
        "SELECT 'base:' || id, 999, id, 1, 'marketing', 'sms', phone, 'queued', 'send', ?, '[]', 0, ?, ?, 0 "
        "FROM contacts WHERE phone IS NOT NULL ORDER BY id",
        (NOW.replace(tzinfo=None),) * 3,
    )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def child(db: str, campaign_id: str) -> None:
    """Run in a fresh process: plan, print figures as JSON (peak RSS is this process's alone)."""
    print(json.dumps(herald_plan(Path(db), int(campaign_id))))


def _planned_in_child(db: Path, campaign_id: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.plan", str(db), str(campaign_id)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


ROUNDS = 3  # paired runs at N: this machine's speed drifts between runs, so the median pair is reported


def _paired(pristine: Path, campaign_id: int) -> dict[str, float]:
    """Plan a copy of the audience, then the bare insert into that copy's same table."""
    db = pristine.with_name(pristine.stem + "-run.db")
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, db)
    figures = _planned_in_child(db, campaign_id)
    figures["baseline_seconds"] = baseline_plan(db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return figures


def plan_campaign(n: int, data: Path) -> dict[str, object]:
    sizes = sorted({max(1, n // 10), n})
    figures = {}
    for size in sizes:
        db = data / f"plan-{size}.db"
        build_audience(size, db)
        cid = campaign(db)
        pairs = [_paired(db, cid) for _ in range(ROUNDS if size == n else 1)]
        figures[size] = sorted(pairs, key=lambda f: f["seconds"] / f["baseline_seconds"])[len(pairs) // 2]
        figures[size]["slowdowns"] = [round(f["seconds"] / f["baseline_seconds"], 2) for f in pairs]
        figures[size]["peak_mb"] = max(f["peak_mb"] for f in pairs)  # memory: the worst run, not the median
    big, small = figures[n], figures[sizes[0]]
    return {
        "workload": "plan_campaign",
        "rows": n,
        "herald_rows_per_s": round(n / big["seconds"]),
        "baseline_rows_per_s": round(n / big["baseline_seconds"]),
        "ratio": round(big["baseline_seconds"] / big["seconds"], 3),
        "slowdown": round(big["seconds"] / big["baseline_seconds"], 2),
        "slowdowns": big["slowdowns"],
        "peak_mb": round(big["peak_mb"]),
        "peak_mb_at_tenth": round(small["peak_mb"]),
        "memory_growth": round(big["peak_mb"] / small["peak_mb"], 2),
        "summary": (
            f"plan_campaign    N={n:<9} herald {n / big['seconds']:>8,.0f} recipients/s   bare INSERT…SELECT "
            f"{n / big['baseline_seconds']:>9,.0f} rows/s   herald takes "
            f"{big['seconds'] / big['baseline_seconds']:.2f}x "
            f"its time (median of {', '.join(f'{x:.2f}x' for x in big['slowdowns'])}); "
            f"peak RSS {big['peak_mb']:.0f} MB at N, {small['peak_mb']:.0f} MB at N/10 "
            f"({big['peak_mb'] / small['peak_mb']:.2f}x); six rules, {big['skipped']:,} skipped"
        ),
    }


def decide_alone(n: int, data: Path) -> dict[str, object]:
    """decide() on in-memory recipients like the planning workload's, with and without the planner's memory."""
    from herald.rules import ConsentFact, MessageIntent, Recipient, SendFact, decide, load_policy
    from herald.rules.memo import Decider
    from herald.types import Channel, Purpose

    rng = random.Random(5)
    days = [NOW - timedelta(days=d) for d in (3, 40, 200)]
    people = []
    for i in range(min(n, 200_000)):
        region, prefix, zone = ZONES[i % len(ZONES)]
        consent = ConsentFact(Channel.SMS, Purpose.MARKETING, "granted", rng.choice(days))
        consents = (consent,) if rng.random() < 0.85 else ()
        sends = (
            (SendFact(Channel.SMS, Purpose.MARKETING, NOW - timedelta(hours=rng.randint(1, 600))),)
            if rng.random() < 0.1
            else ()
        )
        people.append(
            Recipient(i, {Channel.SMS: f"{prefix}{i:08d}"}, (zone,), region, "mobile", consents, {}, None, sends)
        )
    policy, intent = load_policy("default"), MessageIntent(Purpose.MARKETING, (Channel.SMS,))
    raw_n = min(len(people), 50_000)
    started = time.perf_counter()
    for r in people[:raw_n]:
        decide(r, intent, policy, NOW)
    raw = raw_n / (time.perf_counter() - started)
    decider = Decider(policy)
    started = time.perf_counter()
    for i in range(n):
        decider(people[i % len(people)], intent, NOW)
    memo = n / (time.perf_counter() - started)
    return {
        "workload": "decide",
        "rows": n,
        "decisions_per_s": round(memo),
        "raw_decisions_per_s": round(raw),
        "distinct": decider.misses,
        "summary": (
            f"decide           N={n:<9} {memo:>9,.0f} decisions/s as the planner calls it "
            f"({decider.misses:,} decided afresh: new fact sets and the 10% messaged lately); "
            f"{raw:,.0f}/s deciding every "
            f"recipient afresh; {len(policy.rules)} rules"
        ),
    }


if __name__ == "__main__":
    child(*sys.argv[1:3])
