"""A PostgreSQL schema of its own for a bench workload, when HERALD_BENCH_POSTGRES_URL is set."""

from __future__ import annotations

import os

from sqlalchemy import Engine, text

from herald.db import make_engine

URL_VARIABLE = "HERALD_BENCH_POSTGRES_URL"


def url() -> str | None:
    """The server to bench PostgreSQL on, or None to bench SQLite alone."""
    return os.environ.get(URL_VARIABLE) or None


def schema_engine(server: str, schema: str, fresh: bool = False) -> tuple[Engine, bool]:
    """An engine whose tables live in `schema` (made if missing; emptied first with `fresh`), and whether
    the schema was there already."""
    admin = make_engine(server)
    with admin.begin() as conn:
        if fresh:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        existed = bool(
            conn.scalar(text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :s"), {"s": schema})
        )
        if not existed:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(server, connect_args={"options": f"-csearch_path={schema}"}), existed
