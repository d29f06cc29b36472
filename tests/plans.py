"""Which statements read a whole table: SQLite's query plans of what a block of code ran. A hot path (a
vendor's receipts, a click) that scans the ledger costs nothing on a test's handful of rows and seconds
on a real one, so the tests ask the plans instead of the clock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# The tables that grow with every message, click and reply.
LEDGER = frozenset(
    {"messages", "receipts", "events", "clicks", "opens", "links", "contacts", "inbound_messages", "replies"}
)
_SCAN = re.compile(r"^SCAN (\w+)")
_READS = ("SELECT", "UPDATE", "DELETE", "WITH")  # (what an insert looks up is its keys: `test_db`)


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
        for statement, parameters in ran:
            if statement.lstrip().upper().startswith(_READS):
                plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters or ()).fetchall()
                found += [f"{row[-1]}: {statement}" for row in plan if _scanned(row[-1]) in tables]


def _scanned(detail: str) -> str | None:
    match = _SCAN.match(detail)
    return match.group(1) if match else None
