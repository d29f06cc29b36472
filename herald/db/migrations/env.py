"""Alembic environment: runs on the engine handed over by herald.db.migrate."""

import importlib

from alembic import context

config = context.config
# The composition root knows every room's models; loaded by name so the db package imports no room.
target_metadata = importlib.import_module("herald.bootstrap").metadata()


def run() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
