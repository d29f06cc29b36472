"""The campaign-results workload on PostgreSQL (when HERALD_BENCH_POSTGRES_URL is set): the same data as
on SQLite, copied into a schema of its own, and the same figures by Herald and by hand-written SQL."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, text

from bench.postgres import schema_engine
from bench.results import CAMPAIGN, FLAGS, NOW, TABLES, chunks, herald, kept

# The same questions as on SQLite; only the counting is PostgreSQL's (FILTER, not SUM of a boolean).
COUNTS = """
  count(*) FILTER (WHERE m.planned_action <> 'skip'), count(*) FILTER (WHERE m.status = 'sent'),
  count(*) FILTER (WHERE m.delivery IN ('delivered', 'read')),
  count(*) FILTER (WHERE m.delivery = 'read' OR m.read_at IS NOT NULL),
  count(k.message_id), count(v.message_id)
"""


def build(n: int, server: str) -> Engine:
    """The campaign's data in the schema `bench_results_N` (kept between runs of the same N)."""
    from herald.db.migrate import upgrade

    engine, existed = schema_engine(server, f"bench_results_{n}")
    if existed and _complete(engine):
        upgrade(engine)  # a schema an earlier version of Herald loaded
        return engine
    engine.dispose()
    engine, _ = schema_engine(server, f"bench_results_{n}", fresh=True)
    upgrade(engine)
    raw: Any = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute("SET session_replication_role = replica")  # loading: the foreign keys are not checked
        cur.execute(CAMPAIGN % NOW.replace(tzinfo=None))
        for rows in chunks(n):
            for table, columns in TABLES.items():
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return engine


def _complete(engine: Engine) -> bool:
    """Whether an earlier run loaded the schema to the end (its campaign row is written with the data)."""
    with engine.connect() as conn:
        try:
            return bool(conn.execute(text("SELECT count(*) FROM campaigns")).scalar())
        except Exception:  # no tables yet
            return False


def baseline(engine: Engine) -> float:
    """The same figures by hand: the funnel, each breakdown, the hours by zone, revenue."""
    with engine.connect() as conn:
        started = time.perf_counter()
        conn.execute(text(f"SELECT {COUNTS} {FLAGS} WHERE m.campaign_id = 1")).all()
        for column in ("m.channel", "m.variant", "m.sender"):
            sql = f"SELECT {column}, {COUNTS} {FLAGS} WHERE m.campaign_id = 1 GROUP BY {column}"
            conn.execute(text(sql)).all()
        for column in ("c.region", "c.carrier"):
            sql = f"SELECT {column}, {COUNTS} {FLAGS} JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = 1"
            conn.execute(text(f"{sql} GROUP BY {column}")).all()
        hours = (
            f"SELECT m.channel, date_trunc('hour', m.sent_at) h, c.timezone, c.phone_timezones, {COUNTS} {FLAGS} "
            "JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = 1 AND m.sent_at IS NOT NULL "
            "GROUP BY m.channel, h, c.timezone, c.phone_timezones"
        )
        conn.execute(text(hours)).all()
        revenue = "SELECT currency, sum(CAST(amount AS NUMERIC)) FROM conversions WHERE campaign_id = 1 GROUP BY 1"
        conn.execute(text(revenue)).all()
        return time.perf_counter() - started


def measure(n: int, server: str) -> dict[str, object]:
    engine = build(n, server)
    try:
        base = min(baseline(engine) for _ in range(2))
        figures = kept(engine)
        found = herald(engine)[1]
    finally:
        engine.dispose()
    assert found["funnel"]["sent"] == n, found["funnel"]
    return {
        "database": "postgresql",
        **{name: round(value, 2) for name, value in figures.items()},
        "hand_sql_s": round(base, 2),
        "ratio": round(figures["herald_s"] / base, 2),
        "ratio_with_tail": round(figures["herald_tail_s"] / base, 2),
        "ratio_from_ledger": round(figures["herald_ledger_s"] / base, 2),
    }
