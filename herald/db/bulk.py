"""Inserting many rows at once. On SQLite the rows go straight to the driver: an import or a plan writes a
million of them, and SQLAlchemy's per-value type processing would cost more than the insert itself.
Values are written exactly as SQLAlchemy stores them there (naive UTC datetimes, JSON text, 0/1).
PostgreSQL takes them by COPY: SQLAlchemy's batched multi-row INSERT spent more time in the driver's
parsing of each statement's thousands of placeholders than the server spent inserting."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import JSON, Boolean, ColumnElement, Connection, Table, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from herald.db.base import UTCDateTime, dump_json
from herald.db.uow import WROTE, UnitOfWork, rowcount

# A table's Column or a model's mapped attribute: the second proxies the first's interface at run time,
# which SQLAlchemy's type stubs do not describe.
ColumnLike = Any


def insert_rows(
    uow: UnitOfWork,
    table: Table,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    skip_conflicts_on: str | None = None,
) -> int:
    """Insert `rows` (dicts holding `columns`); with `skip_conflicts_on`, rows clashing on that unique
    column are left out. Returns the rows inserted."""
    if not rows:
        return 0
    pick = itemgetter(*columns)
    values = [(pick(r),) for r in rows] if len(columns) == 1 else [pick(r) for r in rows]
    return insert_values(uow, table, values, columns, skip_conflicts_on)


def insert_values(
    uow: UnitOfWork, table: Table, values: Sequence[tuple], columns: Sequence[str], skip_conflicts_on: str | None = None
) -> int:
    """`insert_rows` for rows given as tuples in the order of `columns` (a bulk writer's own rows)."""
    if not values:
        return 0
    conn = uow.session.connection()
    if conn.dialect.name != "sqlite":
        return _copy_in(conn, table, values, columns, skip_conflicts_on)
    conflict = f" ON CONFLICT ({skip_conflicts_on}) DO NOTHING" if skip_conflicts_on else ""
    # Built from the table's own column names only; every value is a bound parameter.
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join('?' * len(columns))}){conflict}"
    )
    return rowcount(conn.exec_driver_sql(sql, _params(table, values, columns)))


@contextmanager
def triggers_suspended(uow: UnitOfWork, names: Sequence[str]) -> Iterator[bool]:
    """On SQLite, drop the named triggers for the block and create them again after it, inside the caller's
    transaction; yields whether they were suspended (elsewhere nothing changes and it yields False).
    A row trigger costs SQLite about ten microseconds a row just to start, more than the row's own insert:
    a bulk writer suspends it and applies its effect to the whole batch in one statement. Schema changes
    are transactional there, and the write lock is held: no other writer runs without them, and a
    rollback brings them back."""
    conn = uow.session.connection()
    if conn.dialect.name != "sqlite":
        yield False
        return
    marks = ", ".join("?" * len(names))
    found = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "  # noqa: S608
        f"AND name IN ({marks})",
        tuple(names),
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield True
    finally:
        for _, sql in found:
            conn.exec_driver_sql(sql)


@contextmanager
def page_cache(uow: UnitOfWork, megabytes: int) -> Iterator[None]:
    """On SQLite, let the connection keep up to `megabytes` of pages for the block (SQLite's own default is
    2 MB), then give it back. A bulk write into tables with unique indexes lands on pages all over each
    index: at a million rows a 32 MB cache made an import an eighth faster. Per block, not per engine:
    every pooled connection would keep its own."""
    conn = uow.session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _copy_in(
    conn: Connection, table: Table, rows: Sequence[tuple], columns: Sequence[str], skip_conflicts_on: str | None
) -> int:
    """PostgreSQL: COPY the rows in; with `skip_conflicts_on`, through a scratch table and one INSERT …
    SELECT … ON CONFLICT DO NOTHING. Names are the table's own; values never enter the SQL."""
    cur = cast(Any, conn.connection.dbapi_connection).cursor()  # psycopg's own cursor, for COPY
    conn.info[WROTE] = True  # the driver's cursor passes by the engine's watch: say so for the audit log
    names = ", ".join(columns)
    target = f"herald_copy_{table.name}" if skip_conflicts_on else table.name
    if skip_conflicts_on:
        cur.execute(
            f"CREATE TEMP TABLE {target} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
    jsons: list[tuple[int, Callable[[Any], Any]]] = [
        (i, _json) for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)
    ]
    with cur.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in _converted(rows, jsons):
            copy.write_row(row)
    if not skip_conflicts_on:
        return len(rows)
    cur.execute(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {target} "  # noqa: S608
        f"ON CONFLICT ({skip_conflicts_on}) DO NOTHING"
    )
    inserted = cur.rowcount
    cur.execute(f"DROP TABLE {target}")
    return inserted


def one_of(uow: UnitOfWork, column: ColumnLike, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`, one parameter where IN takes one a value
    (the driver parses every statement's placeholders in Python: thousands of them cost more than the query)."""
    if uow.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def select_in(
    uow: UnitOfWork,
    key: ColumnLike,
    values: Sequence[Any],
    columns: Sequence[ColumnLike],
    where: ColumnElement[bool] | None = None,
) -> Sequence[tuple]:
    """`columns` of the rows whose `key` is one of `values` (and that pass `where`, a condition without
    parameters such as `erased_at IS NULL`), 5,000 values a query.
    SQLite gets the query straight, with one placeholder per value: SQLAlchemy would name and process
    each of 5,000 parameters, which costs more than the lookup. Values come back typed as SQLAlchemy
    gives them on either database."""
    if not values:
        return []
    conn, found = uow.session.connection(), list[tuple[Any, ...]]()
    condition = where.compile(dialect=conn.dialect) if where is not None else None
    if condition is not None and condition.params:
        raise ValueError("select_in takes a condition without parameters")
    if conn.dialect.name != "sqlite":
        for start in range(0, len(values), 5000):
            wanted = one_of(uow, key, values[start : start + 5000])
            found.extend(
                tuple(r) for r in conn.execute(select(*columns).where(wanted, *([where] if where is not None else [])))
            )
        return found
    extra = f" AND {condition}" if condition is not None else ""
    head = f"SELECT {', '.join(c.name for c in columns)} FROM {key.table.name} WHERE {key.name} IN "  # noqa: S608
    for start in range(0, len(values), 5000):
        chunk = tuple(values[start : start + 5000])
        found.extend(conn.exec_driver_sql(f"{head}({', '.join('?' * len(chunk))}){extra}", chunk).all())
    return _typed(conn, columns, found)


def _typed(conn: Connection, columns: Sequence[ColumnLike], rows: list[tuple]) -> Sequence[tuple]:
    """Raw SQLite rows with each value as SQLAlchemy would give it (datetimes, JSON, booleans)."""
    steps: list[tuple[int, Callable[[Any], Any]]] = []
    for i, column in enumerate(columns):
        process = column.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
        if process and isinstance(column.type, UTCDateTime):
            steps.append((i, _remembered(process)))
        elif process and isinstance(column.type, JSON):
            steps.append((i, _empty_object_first(process)))
        elif process:
            steps.append((i, process))
    return _converted(rows, steps)


def _remembered(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process` answering a value it has seen from memory (the last 10,000 or so): rows written or read
    in bulk hold a handful of moments (an import stamps all its rows alike), and both sides are immutable."""
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        found = seen.get(value, seen)
        if found is seen:
            if len(seen) >= 10_000:
                seen.clear()
            found = seen[value] = process(value)
        return found

    return remembered


def _params(table: Table, rows: Sequence[tuple], columns: Sequence[str]) -> Sequence[tuple]:
    """The rows as driver tuples; only the columns whose type needs it are converted."""
    return _converted(rows, [(i, f) for i, c in enumerate(columns) if (f := _converter(table.c[c].type))])


def _empty_object_first(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLite's JSON processor, answering the common empty object without parsing it."""
    return lambda value: {} if value == "{}" else process(value)


def _converted(rows: Sequence[tuple], steps: list[tuple[int, Callable[[Any], Any]]]) -> Sequence[tuple]:
    """The rows with the value at each step's position passed through its function."""
    if not steps:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i, convert in steps:
            values[i] = convert(values[i])
        converted.append(tuple(values))
    return converted


def _converter(kind: Any) -> Callable[[Any], Any] | None:
    if isinstance(kind, UTCDateTime):
        return _Stamps()
    if isinstance(kind, JSON):
        return _json
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(bool(v))
    return None


def _json(value: Any) -> str | None:
    # As SQLAlchemy's default serializer writes it; most contacts carry no attributes.
    return None if value is None else "{}" if value == {} else dump_json(value)


class _Stamps:
    """Datetimes as SQLAlchemy writes them to SQLite: naive UTC with microseconds. The rows of one batch
    share a handful of moments, mostly the very same object: that one is answered without hashing it (an
    aware datetime's hash asks its zone for the offset)."""

    def __init__(self) -> None:
        self.last: datetime | None = None
        self.text: str | None = None

    def __call__(self, value: datetime | None) -> str | None:
        if value is self.last:
            return self.text
        self.last, self.text = value, sqlite_stamp(value)
        return self.text


def _sqlite_text(value: datetime | None) -> str | None:
    """A datetime as SQLAlchemy writes it to SQLite: naive UTC with microseconds."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


sqlite_stamp = _remembered(_sqlite_text)
