"""Alembic environment: runs on the engine handed over by herald.db.migrate."""

import importlib
from contextlib import contextmanager

from alembic import context

config = context.config
# The composition root knows every room's models; loaded by name so the db package imports no room.
target_metadata = importlib.import_module("herald.bootstrap").metadata()


def run() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection, _foreign_keys_off(connection):
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            transactional_ddl=True,  # SQLite's DDL is transactional too: an upgrade commits whole or not at all
        )
        with context.begin_transaction():
            context.run_migrations()
            _references_hold(connection)
        connection.commit()


@contextmanager
def _foreign_keys_off(connection):
    """On SQLite, foreign keys off while migrating: a batch step rebuilds a table by copying it and dropping
    the original, and with the keys on, that drop cascades to every row that references it (a tag's
    assignments, a contact's consents). `_references_hold` checks them before the migration commits."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection  # outside any transaction, where the pragma takes effect
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _references_hold(connection) -> None:
    """Refuse to commit a migration that left rows pointing at rows that are gone (it is rolled back)."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows whose references are gone (table, row, parent): {broken[:5]}")


run()
