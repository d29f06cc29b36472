"""The consents and suppression-list flag each contact carries for planning stay true whoever writes the
consents, the suppression list or the addresses, on SQLite and PostgreSQL (the database keeps them)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select, text, update

from herald import people
from herald.contacts import service
from herald.contacts.addresses.normalize import normalize_phone
from herald.contacts.models import Consent, Contact, Suppression
from herald.contacts.service import ContactInput, facts
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW

SITA, RAM, HARI = "+9779841234567", "+9779851234567", "+9779861234567"
GRANTED, REVOKED = ConsentStatus.GRANTED, ConsentStatus.REVOKED


def _people(container, *items: ContactInput) -> list[int]:
    with container.uow() as uow:
        return [o.contact_id for o in service.upsert_contacts(uow, list(items), NOW, "import")]


def _person(row: int, phone: str | None = None, email: str | None = None, **consents: str) -> ContactInput:
    return ContactInput(row=row, phone=phone and normalize_phone(phone, None), email=email, consents=consents)


def _keys(container, cid: int) -> tuple[str | None, bool]:
    with container.uow() as uow:
        return uow.session.execute(
            select(Contact.consent_key, Contact.on_suppression_list).where(Contact.id == cid)
        ).one()


def _items(key: str | None) -> set[tuple[str, str, str]]:
    return {tuple(item.split("|")[:3]) for item in (key or "").split("\x1e") if item}


def test_a_contacts_consents_are_listed_on_it_as_they_change(container) -> None:
    sita, ram = _people(container, _person(1, SITA, sms="granted"), _person(2, RAM))
    assert _items(_keys(container, sita)[0]) == {("sms", "marketing", "granted")}
    assert _keys(container, ram) == (None, False)
    with container.uow() as uow:
        service.set_consent(uow, sita, Channel.WHATSAPP, Purpose.MARKETING, GRANTED, "form", "v2", NOW)
        service.set_consent(uow, sita, Channel.SMS, Purpose.MARKETING, REVOKED, "keyword", "STOP", NOW)
    assert _items(_keys(container, sita)[0]) == {("sms", "marketing", "revoked"), ("whatsapp", "marketing", "granted")}
    with container.uow() as uow:  # an operator's own SQL is seen too
        uow.session.execute(Consent.__table__.delete().where(Consent.contact_id == sita, Consent.channel == "sms"))
    assert _items(_keys(container, sita)[0]) == {("whatsapp", "marketing", "granted")}


def test_equal_consents_give_equal_keys_and_a_later_time_another(container) -> None:
    a, b, c = _people(container, _person(1, SITA), _person(2, RAM), _person(3, HARI))
    with container.uow() as uow:
        for cid, at in ((a, NOW), (b, NOW), (c, NOW + timedelta(days=1))):
            service.set_consent(uow, cid, Channel.SMS, Purpose.MARKETING, GRANTED, "form", None, at)
    assert _keys(container, a)[0] == _keys(container, b)[0] != _keys(container, c)[0]


def test_suppressing_an_address_flags_whoever_has_it_and_lifting_it_clears_the_flag(container) -> None:
    sita, ram = _people(container, _person(1, SITA, "sita@example.com"), _person(2, RAM))
    with container.uow() as uow:
        service.suppress(uow, Channel.SMS, SITA, "opt-out", NOW)
        service.suppress(uow, Channel.EMAIL, RAM, "manual", NOW)  # a phone on the email channel names nobody
    assert [_keys(container, cid)[1] for cid in (sita, ram)] == [True, False]
    with container.uow() as uow:
        service.suppress(uow, Channel.EMAIL, "sita@example.com", "bounce", NOW)
        service.unsuppress(uow, Channel.SMS, SITA)
    assert _keys(container, sita)[1] is True  # the e-mail entry still names her
    with container.uow() as uow:
        service.unsuppress(uow, Channel.EMAIL, "sita@example.com")
    assert _keys(container, sita)[1] is False


def test_a_contact_arriving_at_a_listed_address_is_flagged_and_one_leaving_it_is_not(container) -> None:
    with container.uow() as uow:
        service.suppress_many(uow, [("whatsapp", SITA), ("sms", HARI)], "dnd", NOW)
    sita, ram = _people(container, _person(1, SITA), _person(2, RAM))
    assert [_keys(container, cid)[1] for cid in (sita, ram)] == [True, False]
    with container.uow() as uow:
        uow.session.execute(update(Contact).where(Contact.id == ram).values(phone=HARI))
        uow.session.execute(update(Contact).where(Contact.id == sita).values(phone=None))
    assert [_keys(container, cid)[1] for cid in (sita, ram)] == [False, True]


def test_an_expired_entry_still_flags_the_contact_for_the_plan_to_look_at(container) -> None:
    (sita,) = _people(container, _person(1, SITA))
    with container.uow() as uow:
        service.suppress(uow, Channel.SMS, SITA, "bounce", NOW - timedelta(days=30), expires_at=NOW - timedelta(days=1))
    assert _keys(container, sita)[1] is True


def test_a_merge_lists_the_kept_contacts_consents_and_an_erasure_clears_both(container) -> None:
    sita, ram = _people(container, _person(1, SITA, sms="granted"), _person(2, RAM, whatsapp="granted"))
    with container.uow() as uow:
        service.suppress(uow, Channel.SMS, SITA, "manual", NOW)
    with container.uow() as uow:
        people.merge_people(uow, sita, ram, NOW, "ana")
    assert _items(_keys(container, sita)[0]) == {("sms", "marketing", "granted"), ("whatsapp", "marketing", "granted")}
    with container.uow() as uow:
        people.erase_person(uow, sita, NOW, "secret")
    assert _keys(container, sita) == (None, False)


def test_rows_written_in_bulk_are_listed(container) -> None:
    ids = _people(container, *(_person(i, f"+97798412{i:05d}") for i in range(300)))
    with container.uow() as uow:
        uow.session.execute(
            insert(Consent.__table__),
            [
                {
                    "contact_id": cid,
                    "channel": "sms",
                    "purpose": "marketing",
                    "status": "granted",
                    "recorded_at": NOW,
                    "source": "import",
                    "has_evidence": False,
                }
                for cid in ids
            ],
        )
        uow.session.execute(
            insert(Suppression.__table__),
            [
                {"channel": "sms", "address": f"+97798412{i:05d}", "reason": "dnd", "created_at": NOW}
                for i in range(0, 300, 3)
            ],
        )
    with container.uow() as uow:
        rows = uow.session.execute(
            select(Contact.consent_key, Contact.on_suppression_list).where(Contact.id.in_(ids)).order_by(Contact.id)
        ).all()
        assert all(_items(key) == {("sms", "marketing", "granted")} for key, _ in rows)
        assert [listed for _, listed in rows] == [i % 3 == 0 for i in range(300)]
        uow.session.execute(text("DELETE FROM suppressions"))
        assert not uow.session.scalar(select(Contact.id).where(Contact.on_suppression_list).limit(1))


def test_a_batch_import_sets_the_same_facts_the_triggers_would(container) -> None:
    phones = [f"+97798413{i:05d}" for i in range(120)]
    with container.uow() as uow:  # listed before the contacts exist: the batch must flag them itself
        service.suppress_many(uow, [("sms", p) for p in phones[::4]], "dnd", NOW)
    batch = [
        _person(i, p, **({"sms": "granted", "whatsapp": "revoked"} if i % 2 else {"whatsapp": "granted"}))
        for i, p in enumerate(phones)
    ]
    ids = _people(container, *batch)
    with container.uow() as uow:
        written = dict(uow.session.execute(select(Contact.id, Contact.consent_key).where(Contact.id.in_(ids))).all())
        uow.session.execute(update(Consent).values(status=Consent.status))  # each row's trigger keys again
        again = dict(uow.session.execute(select(Contact.id, Contact.consent_key).where(Contact.id.in_(ids))).all())
        listed = uow.session.scalars(select(Contact.phone).where(Contact.on_suppression_list)).all()
    assert written == again and all(written.values())
    assert _items(written[ids[1]]) == {("sms", "marketing", "granted"), ("whatsapp", "marketing", "revoked")}
    assert sorted(listed) == phones[::4]


def test_the_triggers_stand_again_after_a_batch_import(container) -> None:
    _people(container, *(_person(i, f"+97798414{i:05d}", sms="granted") for i in range(100)))
    (late,) = _people(container, _person(1, SITA))
    with container.uow() as uow:  # one row written the ordinary way is still kept by the database
        uow.session.execute(
            insert(Consent.__table__),
            [
                {
                    "contact_id": late,
                    "channel": "sms",
                    "purpose": "marketing",
                    "status": "granted",
                    "recorded_at": NOW,
                    "source": "form",
                    "has_evidence": False,
                }
            ],
        )
        uow.session.execute(
            insert(Suppression.__table__), [{"channel": "sms", "address": RAM, "reason": "dnd", "created_at": NOW}]
        )
    (ram,) = _people(container, _person(2, RAM))
    assert _items(_keys(container, late)[0]) == {("sms", "marketing", "granted")}
    assert _keys(container, ram)[1] is True


def test_new_contacts_go_in_with_the_consent_keys_the_database_gives_them(container) -> None:
    batch = [
        _person(i, f"+97798415{i:05d}", **({"whatsapp": "granted", "sms": "revoked"} if i % 2 else {}))
        for i in range(60)
    ]
    batch[3].consent_at, batch[3].consent_source = NOW.replace(microsecond=120000) - timedelta(days=2), "form"
    with container.uow() as uow:
        sqlite = uow.session.get_bind().dialect.name == "sqlite"
        ahead = facts.keys_ahead(uow, batch, NOW, "import")
        ids = [o.contact_id for o in service.upsert_contacts(uow, batch, NOW, "import")]
        if sqlite:  # the batch suspended SQLite's trigger: compute every key again with its expression
            facts.key_consents(uow, ids)
        stored = dict(uow.session.execute(select(Contact.id, Contact.consent_key).where(Contact.id.in_(ids))).all())
    # PostgreSQL's trigger found each key right and wrote none again; SQLite's expression gives the same
    assert [stored[i] for i in ids] == ahead
    assert ahead[1].count("\x1e") == 1 and ahead[0] is None  # two consents; none
    moment = "2026-03-08 14:00:00.120000|form|0" if sqlite else "2026-03-08 14:00:00.12+00|form|f"
    assert ahead[3].split("\x1e")[0].endswith(moment)


def test_the_consent_key_holds_every_field_of_a_consent_fact_in_its_order() -> None:
    from dataclasses import fields

    from herald.contacts.service.facts import CONSENT_FACT_COLUMNS
    from herald.rules import ConsentFact

    assert list(CONSENT_FACT_COLUMNS) == [f.name for f in fields(ConsentFact)]
