"""Shared fixtures. Every test that takes `db_url` (or anything built on it) runs twice: on SQLite and on
PostgreSQL. The PostgreSQL run needs HERALD_TEST_POSTGRES_URL; when that is set, an unreachable server
fails the run instead of skipping it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from herald import bootstrap
from herald import db as herald_db
from herald.clock import FrozenClock
from herald.config import Settings
from herald.db import make_engine
from herald.db.migrate import upgrade

PG_URL = os.environ.get("HERALD_TEST_POSTGRES_URL")
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # a Tuesday; 14:00 UTC is daytime in Europe and Africa


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test would dominate the run)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    # Fold the WAL into the main file so that copying one file copies the whole schema.
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """A private schema for this test run, migrated once and dropped at the end."""
    if not PG_URL:
        yield None
        return
    schema = f"herald_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        pytest.fail(f"HERALD_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}")
    engine = make_engine(_pg_url(schema))
    upgrade(engine)
    engine.dispose()
    yield schema
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        left = conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": f"{schema}_ws_%"})
        for (workspace,) in left.all():  # workspaces' schemas a failed test did not drop
            conn.execute(text(f'DROP SCHEMA "{workspace}" CASCADE'))
    admin.dispose()


def _pg_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def _truncate(url: str) -> None:
    tables = [t.name for t in bootstrap.metadata().sorted_tables]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        target = tmp_path / "herald.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    schema = request.getfixturevalue("pg_schema")
    if schema is None:
        pytest.skip("PostgreSQL run: set HERALD_TEST_POSTGRES_URL")
    url = _pg_url(schema)
    _truncate(url)
    return url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def settings_for(db_url: str, tmp_path: Path, **more) -> Settings:
    """The settings every test container starts from."""
    return Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        batch_size=50,
        allowed_hosts="localhost,127.0.0.1,::1,testserver",
        **more,
    )


@pytest.fixture
def container(db_url: str, tmp_path: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    built = bootstrap.build(settings_for(db_url, tmp_path), clock=clock)
    yield built
    built.close()


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text (or bytes) to a file under tmp_path and return its path."""

    def write(content: str | bytes, name: str = "contacts.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding)
        return path

    return write


def migrate_head() -> str:
    """The newest migration's revision: versions are numbered in their file names."""
    versions = Path(herald_db.__file__).parent / "migrations" / "versions"
    return max(p.name[:4] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))


KEY_FILE = "k2={k2}\nlookup={lk}\n".format(
    k2="AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=", lk="AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
)


@pytest.fixture
def sealed(db_url: str, tmp_path: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    """A container whose personal data is sealed at rest (the attribute `birthday` too)."""
    keys = tmp_path / "herald.keys"
    keys.write_text(KEY_FILE)
    settings = settings_for(db_url, tmp_path, encryption_key_file=str(keys), sensitive_attributes="birthday")
    built = bootstrap.build(settings, clock=clock)
    built.migrate()
    yield built
    built.close()
