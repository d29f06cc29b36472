"""The audit log: every write through an entry point is recorded once, in its own transaction, with its
actor; reads and failures are not; the chain shows tampering. On both databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from herald import access, tags
from herald.access.actors import Actor
from herald.db import make_engine
from tests.conftest import NOW

ADA = Actor("user", "ada", frozenset(), "10.0.0.1", role="owner")


def logged(container) -> list[access.AuditEntry]:
    with container.unaudited() as uow:
        return list(access.entries(uow))


def test_a_write_is_recorded_once_with_its_actor_action_and_notes(container) -> None:
    with container.uow(actor=ADA, action="api tags.create_tag", subject="name=vip", detail={"method": "POST"}) as uow:
        tags.create_tag(uow, "vip", NOW)
        uow.flush()
        uow.note(extra="noted by a service")
    [entry] = logged(container)
    assert (entry.actor, entry.actor_kind, entry.origin, entry.action, entry.subject, entry.outcome) == (
        "ada",
        "user",
        "10.0.0.1",
        "api tags.create_tag",
        "name=vip",
        "done",
    )
    assert entry.detail == {"method": "POST", "extra": "noted by a service"} and entry.at == NOW


def test_reads_failures_and_dry_runs_leave_no_entry(container) -> None:
    with container.uow(actor=ADA, action="api tags.list_tags") as uow:
        tags.search_tags(uow, "v")
    with pytest.raises(RuntimeError), container.uow(actor=ADA, action="api tags.create_tag") as uow:
        tags.create_tag(uow, "vip", NOW)
        raise RuntimeError("the request failed after the write")
    with container.uow(dry_run=True, actor=ADA, action="api tags.create_tag") as uow:
        tags.create_tag(uow, "vip", NOW)
    assert logged(container) == []


def test_a_write_in_driver_sql_is_recorded_too(container) -> None:
    with container.uow(actor=ADA, action="cli odd") as uow:
        uow.session.connection().exec_driver_sql("UPDATE contacts SET name = name WHERE id = -1")
    assert [e.action for e in logged(container)] == ["cli odd"]


def test_the_chain_verifies_and_shows_a_changed_or_removed_entry(container) -> None:
    for n in range(4):
        with container.uow(actor=ADA, action="api tags.create_tag") as uow:
            tags.create_tag(uow, f"t{n}", NOW)
    with container.unaudited() as uow:
        whole = access.verify(uow)
    assert (whole.entries, whole.broken_at) == (4, None)
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 2"))
    with container.unaudited() as uow:
        assert access.verify(uow).broken_at == 2
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'ada' WHERE id = 2"))
        conn.execute(text("DELETE FROM audit_log WHERE id = 3"))
    with container.unaudited() as uow:
        found = access.verify(uow)
    assert found.broken_at == 4 and "removed" in (found.reason or "")


def test_writers_at_once_chain_one_after_another(container, db_url) -> None:
    """Eight threads append at once: the chain stays one line (PostgreSQL locks its head)."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with container.uow(actor=ADA, action=f"api tags.create_tag {n}") as uow:
                tags.create_tag(uow, f"tag{n}", NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with container.unaudited() as uow:
        found = access.verify(uow)
    assert (found.entries, found.broken_at) == (8, None)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT prev_hash) FROM audit_log")).scalar_one() == 8
    engine.dispose()
