"""Which statements read a whole table: the database's query plans of what a block of code ran. A hot path
(a vendor's receipts, a click) that scans the ledger costs nothing on a test's handful of rows and seconds
on a real one, so the tests ask the plans instead of the clock.

SQLite plans by the query's shape alone. PostgreSQL plans by its statistics, and reads a test's few rows
whole because that is cheapest; asked with sequential scans priced out (`enable_seqscan = off`), it still
reads a table whole only where no index can serve the query — which is what the tests look for."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
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
        "tallied",
    }
)
# A scan of the table or of a whole index of it; or a range of its ids open at one end, which reads every
# row after one (a range closed at both ends — a planner's batch of contacts — reads what it names).
_SCAN = re.compile(r"^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?")
_RANGE = re.compile(r"^SEARCH (\w+) USING INTEGER PRIMARY KEY \(rowid[<>]=?\?\)")
_READS = ("SELECT", "UPDATE", "DELETE", "WITH")  # (what an insert looks up is its keys: `test_db`)


@contextmanager
def scans(engine: Engine, tables: frozenset[str] = LEDGER) -> Iterator[list[str]]:
    """The statements run inside the block that read every row of one of `tables`, each with its plan's
    line; filled when the block ends."""
    ran: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        # Many sets of parameters come as a list (the first stands for them all); PostgreSQL's batched
        # inserts come as one set, flagged as many.
        many = executemany and isinstance(parameters, list) and parameters
        ran.append((statement, parameters[0] if many else parameters))

    found: list[str] = []
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    read = _sqlite_reads if engine.dialect.name == "sqlite" else _postgres_reads
    found += read(engine, [(s, p) for s, p in ran if s.lstrip().upper().startswith(_READS)], tables)


def _sqlite_reads(engine: Engine, ran: list[tuple[str, Any]], tables: frozenset[str]) -> list[str]:
    found = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection  # sqlite3's own, which takes the parameters as they were sent
        partial = {
            name
            for name, sql in raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            if sql and " WHERE " in sql.upper()
        }
        for statement, parameters in ran:
            try:
                plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters or ()).fetchall()
            except sqlite3.OperationalError:  # over a temporary table, gone with its connection
                continue
            found += [f"{row[-1]}: {statement}" for row in plan if _read_whole(row[-1], partial) in tables]
    return found


def _postgres_reads(engine: Engine, ran: list[tuple[str, Any]], tables: frozenset[str]) -> list[str]:
    found = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection  # psycopg's own, which takes the parameters as they were sent
        indexes = {name: tuple(rest) for name, *rest in raw.execute(INDEXES)}
        raw.execute("SET enable_seqscan = off")
        for statement, parameters in ran:
            try:
                with raw.transaction():  # a savepoint: a statement that cannot be explained leaves the rest
                    ((plan,),) = raw.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters or None).fetchall()
            except psycopg.Error:  # over a temporary table, gone with its connection
                continue
            found += [f"{node}: {statement}" for node in _whole_nodes(plan[0]["Plan"], indexes, tables)]
    return found


# Each index of the schema: its table, its leading column, whether it is partial, whether it is the key.
INDEXES = """
SELECT i.relname, t.relname, a.attname, x.indpred IS NOT NULL, x.indisprimary
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
WHERE t.relnamespace = current_schema()::regnamespace
"""


def _whole_nodes(
    node: dict[str, Any], indexes: dict[str, tuple], tables: frozenset[str], limited: bool = False
) -> Iterator[str]:
    """PostgreSQL's plan nodes that read one of `tables` in full: a sequential scan, or a walk over a whole
    index that is not a partial one — no condition on it, or none on its leading column (a B-tree searched
    by its second column alone is read from end to end; "is not null" asks nothing, but where a row or two
    is taken, as for `min()`) — or the primary key's ids from one on, as SQLite's check sees them."""
    kind, name = node["Node Type"], node.get("Index Name")
    if kind == "Seq Scan" and node.get("Relation Name") in tables:
        yield f"Seq Scan on {node['Relation Name']}"
    elif name in indexes and indexes[name][0] in tables and not indexes[name][2]:
        table, lead, _, key = indexes[name]
        # What the condition does with the leading column: its first operator after each mention of it.
        asked = re.findall(rf"\b{lead}\b[^=<>]*?(<>|[<>]=?|=| IS (?:NOT )?NULL)", node.get("Index Cond", ""))
        if lead and not [a for a in asked if a != " IS NOT NULL" or limited]:
            yield f"{kind} on {table} using {name}, nothing asked of {lead}"
        elif key and {a[0] for a in asked} in ({"<"}, {">"}):
            yield f"{kind} on {table} using {name}, its ids from one on"
    for inner in node.get("Plans", []):
        yield from _whole_nodes(inner, indexes, tables, limited or kind == "Limit")


def _read_whole(detail: str, partial: set[str]) -> str | None:
    """The table a line of SQLite's plan reads in full, if it does: a partial index (the rows still due,
    say) is no whole table."""
    if scan := _SCAN.match(detail):
        return None if scan.group(2) in partial else scan.group(1)
    ranged = _RANGE.match(detail)
    return ranged.group(1) if ranged else None
