"""Migrations match the models on both databases; the unit of work commits or leaves nothing."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import bindparam, func, inspect, select, text

from herald.bootstrap import metadata
from herald.db import make_engine, migrate
from herald.errors import Invalid
from herald.tags.models import Tag
from tests.conftest import NOW, PG_URL, _pg_url


def test_the_migrated_schema_matches_the_models(container) -> None:
    assert migrate.is_current(container.engine)
    with container.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata())
    assert diff == []


# Foreign keys whose parent rows are never deleted nor merged away, so nothing looks their children up: an
# index on the ledger's biggest table would cost every message written for a lookup that never happens.
UNLOOKED = {("messages", "trail_id")}


def test_every_foreign_key_a_delete_looks_up_leads_an_index(container) -> None:
    found = inspect(container.engine)
    missing = []
    for table in found.get_table_names():
        leading = {tuple(i["column_names"][:1]) for i in found.get_indexes(table)}
        leading.add(tuple(found.get_pk_constraint(table)["constrained_columns"][:1]))
        leading |= {tuple(u["column_names"][:1]) for u in found.get_unique_constraints(table)}
        for key in found.get_foreign_keys(table):
            column = key["constrained_columns"][0]
            if (column,) not in leading and (table, column) not in UNLOOKED:
                missing.append(f"{table}.{column}")
    assert missing == []


def test_an_empty_database_migrates_itself(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'h.db'}")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def count_tags(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Tag))


def test_the_unit_of_work_commits_on_success(container) -> None:
    with container.uow() as uow:
        uow.session.add(Tag(name="a", created_at=NOW))
    assert count_tags(container) == 1


def test_an_error_leaves_nothing_half_written(container) -> None:
    with pytest.raises(RuntimeError), container.uow() as uow:
        uow.session.add(Tag(name="a", created_at=NOW))
        uow.flush()
        raise RuntimeError("boom")
    assert count_tags(container) == 0


def test_a_dry_run_rolls_back(container) -> None:
    with container.uow(dry_run=True) as uow:
        uow.session.add(Tag(name="a", created_at=NOW))
        uow.flush()
    assert count_tags(container) == 0


@pytest.mark.parametrize("url", ["mysql://x", "not a url"])
def test_unsupported_urls_are_refused(url) -> None:
    with pytest.raises(Invalid, match="database_url"):
        make_engine(url)


def test_postgres_urls_use_psycopg3() -> None:
    from herald.db.engine import normalize_url

    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request, tmp_path):
    """An empty database of each kind, not yet migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL run: set HERALD_TEST_POSTGRES_URL")
    schema, admin = f"herald_fresh_{uuid.uuid4().hex[:10]}", make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield _pg_url(schema)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_the_contact_fact_keys_are_filled_in_for_the_rows_already_there(fresh_url) -> None:
    engine = make_engine(fresh_url)
    migrate.upgrade(engine, "0012")
    stamp = NOW.replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contacts (id, phone, email, attributes, created_at, updated_at) VALUES "
                "(1, '+9779841234567', NULL, '{}', :t, :t), (2, NULL, 'a@example.com', '{}', :t, :t), "
                "(3, '+9779851234567', NULL, '{}', :t, :t)"
            ),
            {"t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO consents (contact_id, channel, purpose, status, recorded_at, source) "
                "VALUES (1, 'sms', 'marketing', 'granted', :t, 'import')"
            ),
            {"t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO suppressions (channel, address, reason, created_at) VALUES "
                "('email', 'a@example.com', 'bounce', :t), ('email', '+9779851234567', 'manual', :t)"
            ),
            {"t": stamp},
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, consent_key, on_suppression_list FROM contacts ORDER BY id")).all()
    engine.dispose()
    assert [(i, (key or "").split("|")[:3], bool(listed)) for i, key, listed in rows] == [
        (1, ["sms", "marketing", "granted"], False),
        (2, [""], True),
        (3, [""], False),
    ]


def test_a_migration_that_rebuilds_a_table_keeps_the_rows_that_reference_it(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0008")  # 0009 rebuilds the tags table on SQLite
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contacts (id, phone, attributes, created_at, updated_at) "
                "VALUES (1, '+9779841234567', '{}', :t, :t)"
            ),
            {"t": NOW.replace(tzinfo=None)},
        )
        conn.execute(text("INSERT INTO tags (id, name, created_at) VALUES (1, 'vip', :t)"), {"t": NOW})
        conn.execute(text("INSERT INTO contact_tags VALUES (1, 1, 'ana', :t)"), {"t": NOW})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT contact_id, tag_id FROM contact_tags")).all() == [(1, 1)]
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_migration_that_leaves_broken_references_is_rolled_back(tmp_path) -> None:
    path = tmp_path / "orphans.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, "0012")
    raw = sqlite3.connect(path)  # foreign keys off, as another tool might have written
    raw.execute(
        "INSERT INTO consents (contact_id, channel, purpose, status, recorded_at) "
        "VALUES (42, 'sms', 'marketing', 'granted', '2026-03-10 14:00:00.000000')"
    )
    raw.commit()
    raw.close()
    with pytest.raises(RuntimeError, match="references are gone.*consents"):
        migrate.upgrade(engine)
    assert migrate.current_revision(engine) == "0012"
    with engine.connect() as conn:
        columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(contacts)")}
        assert "consent_key" not in columns and conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_the_ledger_indexes_come_and_go_with_their_migration(fresh_url) -> None:
    engine = make_engine(fresh_url)
    migrate.upgrade(engine)

    def indexes() -> set[str]:
        with engine.connect() as conn:
            return {i["name"] for i in inspect(conn).get_indexes("messages")}

    new = {"ix_messages_contact", "ix_messages_sent_at", "ix_messages_failed"}
    assert new <= indexes() and "ix_messages_contact_id" not in indexes()
    command.downgrade(migrate.alembic_config(engine), "0013")
    assert not new & indexes() and "ix_messages_contact_id" in indexes()
    migrate.upgrade(engine)
    assert new <= indexes()
    engine.dispose()


def test_consent_keys_are_kept_before_and_after_the_index_friendly_trigger(fresh_url) -> None:
    engine = make_engine(fresh_url)
    migrate.upgrade(engine)
    postgres = engine.dialect.name == "postgresql"

    def keyed(contact: int, channels: tuple[str, ...]) -> str | None:
        with engine.begin() as conn:  # the contact, then its consents in one statement, as a bulk writer would
            conn.execute(
                text(
                    "INSERT INTO contacts (id, phone, attributes, created_at, updated_at) "
                    "VALUES (:id, :phone, '{}', :t, :t)"
                ),
                {"id": contact, "phone": f"+97798412{contact:05d}", "t": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO consents (contact_id, channel, purpose, status, recorded_at, source, "
                    "has_evidence) VALUES (:c, :ch, 'marketing', 'granted', :t, 'import', false)"
                ),
                [{"c": contact, "ch": ch, "t": NOW} for ch in channels],
            )
            return conn.execute(text("SELECT consent_key FROM contacts WHERE id = :id"), {"id": contact}).scalar()

    def body() -> str:
        with engine.connect() as conn:
            return conn.execute(text("SELECT prosrc FROM pg_proc WHERE oid = 'herald_consent_key'::regproc")).scalar()

    assert [item.split("|")[0] for item in keyed(1, ("sms", "whatsapp")).split("\x1e")] == ["sms", "whatsapp"]
    assert not postgres or "ANY(ids)" in body()
    command.downgrade(migrate.alembic_config(engine), "0014")
    assert keyed(2, ("email",)).startswith("email|marketing|granted|")
    assert not postgres or "ANY(ids)" not in body()
    migrate.upgrade(engine)
    assert keyed(3, ("sms",)).startswith("sms|marketing|granted|")
    engine.dispose()


def test_new_contacts_are_flagged_before_and_after_the_statement_trigger(fresh_url) -> None:
    engine = make_engine(fresh_url)
    migrate.upgrade(engine)
    phones = [f"+97798416{i:05d}" for i in range(12)]
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO suppressions (channel, address, reason, created_at) VALUES ('sms', :a, 'dnd', :t)"),
            [{"a": p, "t": NOW} for p in phones[::3]],
        )

    def flags(start: int) -> list[bool]:
        """Four contacts in one statement; the second comes flagged already, which it keeps."""
        rows = [{"p": p, "listed": i == start + 1, "t": NOW} for i, p in enumerate(phones) if start <= i < start + 4]
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO contacts (phone, attributes, created_at, updated_at, on_suppression_list) "
                    "VALUES (:p, '{}', :t, :t, :listed)"
                ),
                rows,
            )
            found = conn.execute(
                text("SELECT on_suppression_list FROM contacts WHERE phone IN :p ORDER BY phone").bindparams(
                    bindparam("p", expanding=True)
                ),
                {"p": [r["p"] for r in rows]},
            )
            return [bool(f) for f in found.scalars()]

    assert flags(0) == [True, True, False, True]
    command.downgrade(migrate.alembic_config(engine), "0015")
    # 0015's row trigger on PostgreSQL decided the flag from the list alone.
    assert flags(4) == [False, engine.dialect.name == "sqlite", True, False]
    migrate.upgrade(engine)
    assert flags(8) == [False, True, False, False]
    engine.dispose()


def test_json_written_with_escapes_is_rewritten_so_sqlite_finds_chinese_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'escaped.db'}")
    migrate.upgrade(engine, "0016")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contacts (id, phone, attributes, created_at, updated_at) VALUES "
                "(1, '+9779841234567', :a, :t, :t), (2, '+9779841234568', :b, :t, :t)"
            ),
            {"a": '{"\\u57ce\\u5e02": "\\u5317\\u4eac"}', "b": '{"odd": "\\ud800"}', "t": NOW},
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        found = conn.execute(
            text("""SELECT id FROM contacts
                                      WHERE json_extract(attributes, '$."城市"') = '北京'""")
        ).all()
        odd = conn.execute(text("SELECT attributes FROM contacts WHERE id = 2")).scalar()
    engine.dispose()
    assert found == [(1,)]
    assert odd == '{"odd": "\\ud800"}'  # a lone surrogate stays escaped: it has no UTF-8 form


def test_events_stored_without_an_id_get_their_content_identity(fresh_url) -> None:
    from herald.events.identity import content_id

    engine = make_engine(fresh_url)
    migrate.upgrade(engine, "0017")
    stamp = NOW.replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contacts (id, phone, attributes, created_at, updated_at) "
                "VALUES (1, '+9779841234567', '{}', :t, :t)"
            ),
            {"t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO events (id, contact_id, type, properties, occurred_at, event_id, source, "
                "received_at) VALUES (1, 1, 'page_view', :p, :t, NULL, 'import', :t), "
                "(2, 1, 'page_view', :p, :t, NULL, 'import', :t), (3, 1, 'purchase', '{}', :t, 'o-1', "
                "'api', :t)"
            ),
            {"t": stamp, "p": '{"page": "/店"}'},
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id, event_id FROM events ORDER BY id")).all()
    engine.dispose()
    assert ids == [(1, content_id(1, "page_view", NOW, {"page": "/店"})), (2, None), (3, "o-1")]


def test_consent_provenance_recorded_as_evidence_is_moved_out_of_it(fresh_url) -> None:
    engine = make_engine(fresh_url)
    migrate.upgrade(engine, "0018")
    stamp = NOW.replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contacts (id, phone, attributes, created_at, updated_at) VALUES "
                "(1, '+9779841234567', '{}', :t, :t), (2, '+9779841234568', '{}', :t, :t), "
                "(3, '+9779841234569', '{}', :t, :t)"
            ),
            {"t": stamp},
        )
        for cid, evidence, ip in [
            (1, "members.csv row 2", None),
            (2, "signed form (members.csv row 3)", None),
            (3, "api row 1", "203.0.113.9"),
        ]:
            conn.execute(
                text(
                    "INSERT INTO consent_events (contact_id, channel, purpose, status, source, evidence, ip,"
                    " recorded_at) VALUES (:c, 'sms', 'marketing', 'granted', 'import', :e, :ip, :t)"
                ),
                {"c": cid, "e": evidence, "ip": ip, "t": stamp},
            )
            conn.execute(
                text(
                    "INSERT INTO consents (contact_id, channel, purpose, status, recorded_at, source, "
                    "has_evidence) VALUES (:c, 'sms', 'marketing', 'granted', :t, 'import', true)"
                ),
                {"c": cid, "t": stamp},
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        moved = conn.execute(text("SELECT contact_id, evidence, provenance FROM consent_events ORDER BY 1")).all()
        proven = conn.execute(text("SELECT contact_id, has_evidence FROM consents ORDER BY 1")).all()
    engine.dispose()
    assert moved == [(1, None, "members.csv row 2"), (2, "signed form", "members.csv row 3"), (3, None, "api row 1")]
    assert [(c, bool(p)) for c, p in proven] == [(1, False), (2, True), (3, True)]  # an IP is proof
