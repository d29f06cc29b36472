"""Every speed shortcut measured end to end against its plain path, in the same run.

A shortcut stays only where it makes the whole job it serves (an import, or sending a campaign) more than
5 % faster; docs/performance.md lists those kept with these figures. Each measurement runs in a forked
process of its own: the plain path is swapped in there (a monkeypatch of the shortcut's entry point), so
the two runs share the machine, the data and everything else. Rounds alternate shortcut and plain runs
(this machine's speed drifts), and the median of each is compared.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

ROUNDS = 3
KEEP_ABOVE = 0.05  # the gain end to end a shortcut must show to stay


# --- the plain paths ---------------------------------------------------------------------------------


def plain_phone_parse() -> None:
    """phonenumbers.parse for every number, instead of the plain-number fast path."""
    import phonenumbers

    from herald.contacts.addresses import plainparse

    plainparse.parse = phonenumbers.parse


def plain_phone_type() -> None:
    """The library's own number_type and region_code_for_number."""
    import phonenumbers

    from herald.contacts.addresses import numbertype

    numbertype.kind_and_region = lambda n: (phonenumbers.number_type(n), phonenumbers.region_code_for_number(n))


def plain_bulk_writes() -> None:
    """SQLAlchemy Core for every bulk insert (not the driver's raw statement on SQLite, not COPY on
    PostgreSQL) and lookup, triggers left in place, SQLite's default page cache."""
    from sqlalchemy import insert, select
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    import herald.campaigns.planning.bulk
    import herald.contacts.importing.importer
    import herald.contacts.service
    import herald.events.service
    import herald.outbox.service  # noqa: F401 - loaded first, so every name they import is swapped
    from herald.db import bulk, rowcount

    def insert_values(uow, table, values, columns, skip_conflicts_on=None) -> int:
        if not values:
            return 0
        conn = uow.session.connection()
        stmt = insert(table)
        if skip_conflicts_on:
            dialect_insert = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
            stmt = dialect_insert(table).on_conflict_do_nothing(index_elements=[skip_conflicts_on])
        rows = [dict(zip(columns, v, strict=True)) for v in values]
        return rowcount(conn.execute(stmt, rows))

    def select_in(uow, key, values, columns, where=None):
        conn, found = uow.session.connection(), []
        for start in range(0, len(values), 5000):
            chunk = key.in_(values[start : start + 5000])
            found.extend(
                tuple(r) for r in conn.execute(select(*columns).where(chunk, *([] if where is None else [where])))
            )
        return found

    @contextmanager
    def unchanged(*args: Any) -> Iterator[bool]:
        yield False

    _swap(bulk.insert_values, insert_values)
    _swap(bulk.select_in, select_in)
    _swap(bulk.triggers_suspended, unchanged)
    _swap(bulk.page_cache, unchanged)


def plain_template_render() -> None:
    """Jinja2's own sandboxed rendering, instead of the template compiled to one Python function."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from herald.content import render

    @lru_cache(maxsize=512)  # as any caller would: a template is parsed once, as the shortcut's is
    def compiled(source: str, html: bool = False) -> Callable[[Any], str]:
        env = ImmutableSandboxedEnvironment(undefined=render.MissingValue, autoescape=html, keep_trailing_newline=True)
        env.filters["replace"] = render.guarded_replace
        template = env.from_string(source)
        return template.render

    render.compiled = compiled


def plain_rule_outcomes() -> None:
    """Each rule's outcome and its sentence made afresh for every recipient, not remembered."""
    from herald.rules.builtin import consent, frequency, line_type, quiet_hours

    for module, name in ((consent, "_granted"), (frequency, "_room"), (line_type, "_judge"), (quiet_hours, "_judge")):
        setattr(module, name, getattr(module, name).__wrapped__)


def _swap(original: Callable, plain: Callable) -> None:
    """Replace a function everywhere it was imported by name."""
    for module in list(sys.modules.values()):
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if value is original:
                setattr(module, name, plain)


# --- the jobs they serve, end to end -----------------------------------------------------------------


def import_job(csv_path: Path, db: Path | str) -> float:
    from bench.workloads import herald_import

    return herald_import(csv_path, str(db))[1]


def send_job(planned: Path, db: Path) -> float:
    """The worker sends a planned campaign to the file provider until nothing is due."""
    from bench.plan import NOW
    from bench.workloads import fresh_sqlite
    from herald import bootstrap
    from herald.clock import FrozenClock
    from herald.config import load_settings

    fresh_sqlite(db)  # a stale write-ahead log beside the copy would replay the last run's sends onto it
    shutil.copyfile(planned, db)
    out = db.with_suffix(".outbox")
    shutil.rmtree(out, ignore_errors=True)
    settings = replace(load_settings(environ={}, config_path=None), database_url=f"sqlite:///{db}", outbox_dir=str(out))
    container = bootstrap.build(settings, FrozenClock(NOW))
    worker = container.worker(500)
    worker.scores_every = None
    started = time.perf_counter()
    stats = asyncio.run(worker.run(until_idle=True))
    seconds = time.perf_counter() - started
    assert stats.sent > 0.4 * stats.claimed > 0, stats.as_dict()  # the job must really send
    return seconds


def render_job(n: int) -> float:
    """A campaign's worth of messages rendered (the render workload's template and contexts)."""
    from bench.render import DISTINCT, SOURCE, contexts
    from herald.content.render import render

    pool = contexts()
    started = time.perf_counter()
    for i in range(n):
        render(SOURCE, pool[i % DISTINCT])
    return time.perf_counter() - started


def plan_job(pristine: Path, db: Path) -> float:
    """A campaign planned recipient by recipient (its policy caps the sender, so every decision reads usage)."""
    from bench.plan import NOW
    from bench.workloads import fresh_sqlite
    from herald.campaigns import get_campaign, plan_campaign
    from herald.db import UnitOfWork, make_engine, sessions

    fresh_sqlite(db)
    shutil.copyfile(pristine, db)
    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    with UnitOfWork(sessions(engine)) as uow:
        stats = plan_campaign(uow, get_campaign(uow, "capped").id, NOW)
    seconds = time.perf_counter() - started
    engine.dispose()
    assert stats is not None and stats.new > 0
    return seconds


SHORTCUTS: dict[str, tuple[str, Callable[[], None], str]] = {
    "phone_parse": ("import", plain_phone_parse, "contacts/addresses/plainparse.py"),
    "phone_type": ("import", plain_phone_type, "contacts/addresses/numbertype.py"),
    "bulk_writes": ("import", plain_bulk_writes, "db/bulk.py (SQLite)"),
    "bulk_writes_pg": ("import_pg", plain_bulk_writes, "db/bulk.py (PostgreSQL: COPY)"),
    "template_codegen": ("send", plain_template_render, "content/codegen.py"),
    "template_codegen_render": ("render", plain_template_render, "the same, rendering alone"),
    "rule_outcomes": ("send", plain_rule_outcomes, "rules/builtin (remembered outcomes)"),
    "rule_outcomes_plan": ("plan", plain_rule_outcomes, "the same, planning recipient by recipient"),
}


def _timed(job: Callable[..., float], plain: Callable[[], None] | None, args: tuple, pipe) -> None:
    if plain is not None:
        plain()
    pipe.send(job(*args))


def _in_fork(job: Callable[..., float], plain: Callable[[], None] | None, args: tuple) -> float:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_timed, args=(job, plain, args, send))
    process.start()
    seconds = receive.recv()
    process.join()
    return seconds


def measure(job: Callable[..., float], plain: Callable[[], None], args: tuple) -> dict[str, float]:
    fast, slow = [], []
    for _ in range(ROUNDS):
        fast.append(_in_fork(job, None, args))
        slow.append(_in_fork(job, plain, args))
    shortcut, plainly = statistics.median(fast), statistics.median(slow)
    return {"shortcut_s": round(shortcut, 3), "plain_s": round(plainly, 3), "gain": round(plainly / shortcut - 1, 3)}


def prepare_send(n: int, data: Path) -> Path:
    """N contacts and a campaign planned for them, kept to be copied before every send."""
    from bench.plan import NOW, build_audience, campaign
    from herald.campaigns import plan_campaign
    from herald.db import UnitOfWork, make_engine, sessions

    db = data / f"send-{n}.db"
    build_audience(n, db)
    cid = campaign(db)
    engine = make_engine(f"sqlite:///{db}")
    with UnitOfWork(sessions(engine)) as uow:
        plan_campaign(uow, cid, NOW)
    engine.dispose()
    return db


def prepare_plan(n: int, data: Path) -> Path:
    """N contacts and a campaign whose policy caps the sender's daily sends, not yet planned."""
    from bench.plan import NOW, build_audience, campaign
    from herald.campaigns import create_campaign
    from herald.db import UnitOfWork, make_engine, sessions

    db = data / f"capped-{n}.db"
    build_audience(n, db)
    campaign(db)
    engine = make_engine(f"sqlite:///{db}")
    with UnitOfWork(sessions(engine)) as uow:
        cap = {"sender_capacity": {"daily_cap": {"sms": 10 * n}}}
        create_campaign(uow, "capped", "has:phone", "bench", NOW, overrides=cap)
    engine.dispose()
    return db


def shortcuts(n: int, data: Path) -> dict[str, object]:
    from bench import postgres
    from bench.workloads import sample_file

    jobs = {
        "import": (import_job, (sample_file(n, data), data / "shortcut-import.db")),
        "send": (send_job, (prepare_send(n, data), data / "shortcut-send.db")),
        "plan": (plan_job, (prepare_plan(n, data), data / "shortcut-plan.db")),
        "render": (render_job, (n,)),
    }
    if postgres.url():  # PostgreSQL's own shortcut (COPY) is measured where a server is given
        jobs["import_pg"] = (import_job, (sample_file(n, data), postgres.url()))
    figures = {}
    for name, (job, plain, _) in SHORTCUTS.items():
        if job not in jobs:
            continue
        run, args = jobs[job]
        figures[name] = measure(run, plain, args)
    lines = [
        f"  {name:<17} {SHORTCUTS[name][0]:<6} with it {f['shortcut_s']:.2f} s, plain {f['plain_s']:.2f} s: "
        f"{f['gain']:+.1%} ({'over' if f['gain'] > KEEP_ABOVE else 'under'} 5 %) — {SHORTCUTS[name][2]}"
        for name, f in figures.items()
    ]
    return {
        "workload": "shortcuts",
        "rows": n,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "figures": figures,
        "summary": f"shortcuts        N={n:<9} each speed shortcut on the job it serves against its plain "
        f"path, median of {ROUNDS}\n" + "\n".join(lines),
    }
