"""Bulk lookups give the same rows on SQLite's raw path and PostgreSQL's, in chunks of 5,000."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from herald.contacts.models import Contact
from herald.contacts.service import ContactInput, upsert_contacts
from herald.db import UnitOfWork, make_engine, sessions
from herald.db.bulk import _remembered, page_cache, select_in, sqlite_stamp, triggers_suspended
from tests.conftest import NOW


def test_it_finds_rows_by_key_past_one_chunk(container) -> None:
    with container.uow() as uow:
        made = upsert_contacts(uow, [ContactInput(row=i, email=f"b{i}@example.com") for i in range(30)], NOW, "t")
        ids = {f"b{i}@example.com": o.contact_id for i, o in enumerate(made)}
        uow.session.get(Contact, ids["b3@example.com"]).erased_at = NOW
        uow.flush()
        wanted = [f"b{i}@example.com" for i in range(0, 30, 3)] + [f"nobody{i}@example.com" for i in range(6000)]
        found = select_in(uow, Contact.email, wanted, (Contact.email, Contact.id), Contact.erased_at.is_(None))
    assert sorted(found) == sorted((e, ids[e]) for e in wanted[:10] if e != "b3@example.com")


def test_a_condition_with_parameters_is_refused(container) -> None:
    with container.uow() as uow, pytest.raises(ValueError, match="without parameters"):
        select_in(uow, Contact.email, ["a@b.c"], (Contact.id,), Contact.region == "NP")


def test_suspended_triggers_come_back_even_when_the_block_fails(container) -> None:
    names = ["consent_key_insert", "contact_listed_insert"]
    with container.uow() as uow:
        sqlite = uow.session.get_bind().dialect.name == "sqlite"
        with pytest.raises(RuntimeError), triggers_suspended(uow, [*names, "no_such_trigger"]) as suspended:
            inside = _triggers(uow, names) if sqlite else None
            raise RuntimeError("the batch failed")
        after = _triggers(uow, names) if sqlite else None
    assert suspended is sqlite
    if sqlite:  # elsewhere nothing is dropped
        assert (inside, after) == ([], names)


def _triggers(uow, names: list[str]) -> list[str]:
    found = uow.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
    return sorted(set(found) & set(names))


def test_a_bigger_page_cache_lasts_only_for_its_block(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    with UnitOfWork(sessions(engine)) as uow:
        before = uow.session.execute(text("PRAGMA cache_size")).scalar()
        with page_cache(uow, 32):
            inside = uow.session.execute(text("PRAGMA cache_size")).scalar()
        after = uow.session.execute(text("PRAGMA cache_size")).scalar()
    engine.dispose()
    assert (inside, after) == (-32 * 1024, before)


def test_rows_found_come_back_typed_on_either_database(container) -> None:
    with container.uow() as uow:
        (made,) = upsert_contacts(
            uow, [ContactInput(row=1, email="t@example.com", attributes={"tier": "gold"})], NOW, "t"
        )
        found = select_in(
            uow, Contact.id, [made.contact_id], (Contact.attributes, Contact.created_at, Contact.on_suppression_list)
        )
    assert found == [({"tier": "gold"}, NOW, False)]


def test_rows_that_share_a_moment_or_empty_attributes_come_back_as_values_of_their_own(container) -> None:
    with container.uow() as uow:
        made = upsert_contacts(uow, [ContactInput(row=i, email=f"s{i}@example.com") for i in range(3)], NOW, "t")
        later = NOW.replace(microsecond=NOW.microsecond + 1 if NOW.microsecond < 999_999 else 0)
        uow.session.get(Contact, made[2].contact_id).updated_at = later
        uow.flush()
        found = select_in(
            uow, Contact.id, [o.contact_id for o in made], (Contact.id, Contact.attributes, Contact.updated_at)
        )
    found.sort()
    assert [(attributes, at) for _, attributes, at in found] == [({}, NOW), ({}, NOW), ({}, later)]
    found[0][1]["tier"] = "gold"  # each row's attributes are its own to change
    assert found[1][1] == {} and all(at.tzinfo is not None for _, _, at in found)


def test_moments_are_written_as_utc_text_and_a_naive_one_is_refused() -> None:
    nepal = datetime(2026, 12, 2, 5, 45, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    assert sqlite_stamp(nepal) == sqlite_stamp(nepal) == "2026-12-02 00:00:00.000000"
    assert sqlite_stamp(datetime(2026, 12, 2, tzinfo=UTC)) == "2026-12-02 00:00:00.000000"
    assert sqlite_stamp(None) is None
    with pytest.raises(ValueError, match="naive"):
        sqlite_stamp(datetime(2026, 12, 2))


def test_a_remembered_conversion_forgets_when_full_and_still_answers() -> None:
    calls: list[int] = []
    double = _remembered(lambda v: calls.append(v) or v * 2)
    assert [double(i) for i in range(10_005)] == [i * 2 for i in range(10_005)]
    assert double(10_004) == 20_008 and double(0) == 0
    assert calls.count(10_004) == 1 and calls.count(0) == 2  # 0 was forgotten when the memory filled


def test_bulk_inserted_rows_read_back_as_rows_sqlalchemy_inserted(container) -> None:
    """The shortcut (raw driver rows on SQLite, COPY on PostgreSQL) stores what SQLAlchemy's own insert
    stores: the same row written both ways reads back the same, and a conflicting key is skipped alike."""
    from sqlalchemy import insert, select

    from herald.db.bulk import insert_values
    from herald.events.models import Event

    with container.uow() as uow:
        cid = upsert_contacts(uow, [ContactInput(row=1, email="e@example.com")], NOW, "t")[0].contact_id
        columns = ("contact_id", "type", "properties", "occurred_at", "event_id", "source", "received_at")
        moment = datetime(2026, 3, 1, 8, 30, 15, 250_000, tzinfo=UTC)
        shapes = [{}, {"城市": "北京", "amount": 12.5, "tags": ["a", None], "ok": True}, {"nested": {"x": [1, {}]}}]
        rows = [
            (cid, "purchase", p, moment + timedelta(seconds=i), f"bulk-{i}", "api", NOW) for i, p in enumerate(shapes)
        ]
        assert insert_values(uow, Event.__table__, rows, columns, skip_conflicts_on="event_id") == len(rows)
        assert insert_values(uow, Event.__table__, rows[:1], columns, skip_conflicts_on="event_id") == 0
        uow.session.execute(
            insert(Event), [dict(zip(columns, (*r[:4], f"core-{i}", *r[5:]), strict=True)) for i, r in enumerate(rows)]
        )
        uow.flush()
        read = uow.session.execute(select(Event).order_by(Event.id)).scalars().all()
    shown = [(e.type, e.properties, e.occurred_at, e.source, e.received_at) for e in read]
    assert shown[: len(rows)] == shown[len(rows) :]
    assert [e.event_id.split("-")[0] for e in read] == ["bulk"] * 3 + ["core"] * 3
