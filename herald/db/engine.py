"""Engine construction. SQLite gets WAL and a busy timeout so the web, the CLI and one worker can share
a file; PostgreSQL goes through psycopg 3."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from herald.db.base import dump_json
from herald.db.jsonpath import register_sqlite_functions
from herald.db.uow import WROTE
from herald.errors import Invalid


def normalize_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and route them to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url` with Herald's per-backend settings."""
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except Exception:
        raise Invalid(f"{url!r} is not a database URL", where="database_url") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, **kwargs)
    if parsed.get_backend_name() != "postgresql":
        raise Invalid("only sqlite and postgresql are supported", where="database_url")
    return watched(create_engine(url, pool_pre_ping=True, json_serializer=dump_json, **kwargs))


CHANGES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE")


def watched(engine: Engine) -> Engine:
    """Mark each transaction that changes a row, so a unit of work knows whether it has a write to audit
    whichever way its services wrote (the ORM, Core statements or driver SQL)."""

    @event.listens_for(engine, "begin")
    def _fresh(conn) -> None:
        conn.info[WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _mark(conn, _cursor, statement: str, _params, _context, _many) -> None:
        if not conn.info.get(WROTE):
            head = statement.lstrip()[:8].upper()
            if head.startswith(CHANGES) or (head.startswith("WITH") and any(c in statement.upper() for c in CHANGES)):
                conn.info[WROTE] = True

    return engine


def _sqlite_engine(url: str, database: str | None, **kwargs) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Few prepared statements kept per connection: bulk work prepares statements with thousands of
    # placeholders, each hundreds of KB inside SQLite, and the driver's default 128 of them held a
    # million-row import at 400 MB.
    engine = create_engine(
        url, connect_args={"timeout": 30, "cached_statements": 16}, json_serializer=dump_json, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        # Let SQLAlchemy issue BEGIN itself, so a unit of work is one real transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()
        register_sqlite_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        # IMMEDIATE takes the write lock up front: no deadlock when two readers both upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return watched(engine)
