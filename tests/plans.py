"""Which statements read a whole table: SQLite's query plans of what a block of code ran. A hot path (a
vendor's receipts, a click) that scans the ledger costs nothing on a test's handful of rows and seconds
on a real one, so the tests ask the plans instead of the clock."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# The tables that grow with every message, click and reply.
LEDGER = frozenset(
    {
        "messages",
        "receipts",
        "events",
        "clicks",
        "opens",
        "links",
        "contacts",
        "inbound_messages",
        "replies",
        "webhook_deliveries",
    }
)
# A scan of the table or of a whole index of it; or a range of its ids, which reads every row after one.
_SCAN = re.compile(r"^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?")
_RANGE = re.compile(r"^SEARCH (\w+) USING INTEGER PRIMARY KEY \(rowid[<>]")
_READS = ("SELECT", "UPDATE", "DELETE", "WITH")  # (what an insert looks up is its keys: `test_db`)


def on_sqlite(tmp_path: Path, template: Path, clock: Any, **settings: Any) -> Any:
    """A container over a fresh copy of the migrated SQLite template, whose plans the tests can ask."""
    from herald import bootstrap
    from tests.conftest import settings_for

    shutil.copy(template, tmp_path / "plans.db")
    return bootstrap.build(settings_for(f"sqlite:///{tmp_path / 'plans.db'}", tmp_path, **settings), clock=clock)


@contextmanager
def scans(engine: Engine, tables: frozenset[str] = LEDGER) -> Iterator[list[str]]:
    """The statements run inside the block that read every row of one of `tables`, each with its plan's
    line; filled when the block ends."""
    ran: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        ran.append((statement, parameters[0] if executemany and parameters else parameters))

    found: list[str] = []
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection  # sqlite3's own, which takes the parameters as they were sent
        partial = {
            name
            for name, sql in raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            if sql and " WHERE " in sql.upper()
        }
        for statement, parameters in ran:
            if statement.lstrip().upper().startswith(_READS):
                try:
                    plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters or ()).fetchall()
                except sqlite3.OperationalError:  # over a temporary table, gone with its connection
                    continue
                found += [f"{row[-1]}: {statement}" for row in plan if _read_whole(row[-1], partial) in tables]


def _read_whole(detail: str, partial: set[str]) -> str | None:
    """The table a plan's line reads in full, if it does: a partial index (the rows still due, say) is no
    whole table."""
    if scan := _SCAN.match(detail):
        return None if scan.group(2) in partial else scan.group(1)
    ranged = _RANGE.match(detail)
    return ranged.group(1) if ranged else None
