"""Consent with proof, on SQLite and PostgreSQL: when, how, from where and with what words it was given —
from import columns, the API and by hand — in an append-only history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from herald.contacts import service
from herald.contacts.importing import importer, items
from herald.contacts.models import Consent, ConsentEvent
from herald.errors import Invalid
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW

SITA = "+9779841234567"


def load(container, write_csv, text: str, name: str = "c.csv"):
    with container.uow() as uow:
        return importer.import_file(uow, write_csv(text, name), NOW, erasure_key=container.settings.secret_key)


def events(container) -> list[ConsentEvent]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(ConsentEvent).order_by(ConsentEvent.recorded_at)))


def test_consent_columns_carry_their_proof(container, write_csv) -> None:
    report = load(
        container,
        write_csv,
        "phone,consent_sms,consent_whatsapp,同意时间,同意来源,consent_evidence,ip\n"
        f"{SITA},yes,yes,2025-06-01 10:00,form,signup form v2,203.0.113.9\n",
    )
    assert report.counts["imported"] == 1 and not report.problems
    found = events(container)
    assert {(e.channel, e.source, e.ip) for e in found} == {
        ("sms", "form", "203.0.113.9"),
        ("whatsapp", "form", "203.0.113.9"),
    }
    assert found[0].recorded_at == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert (found[0].evidence, found[0].provenance) == ("signup form v2", "c.csv row 2")


def test_bad_proof_is_reported_and_the_consent_still_counts(container, write_csv) -> None:
    future = (NOW + timedelta(days=3)).date().isoformat()
    report = load(
        container,
        write_csv,
        f"phone,consent_sms,consent_at,consent_ip,consent_source\n{SITA},yes,{future},300.1.1.1,web form!\n",
    )
    reasons = {p["field"]: p["reason"] for p in report.problems}
    assert reasons == {
        "consent_at": "is in the future",
        "consent_ip": "'300.1.1.1' is not an IP address",
        "consent_source": "expected a short word such as form, keyword or 门店登记 (up to 32 letters, digits, - or _)",
    }
    (event,) = events(container)
    assert (event.status, event.recorded_at, event.ip, event.source) == ("granted", NOW, None, "import")


def test_an_older_consent_joins_the_history_without_replacing_the_current_one(container, write_csv) -> None:
    load(container, write_csv, f"phone,consent_sms,consent_at\n{SITA},no,2026-03-01\n")
    load(container, write_csv, f"phone,consent_sms,consent_at\n{SITA},yes,2025-01-01\n", "old.csv")
    assert [(e.status, e.recorded_at.year) for e in events(container)] == [("granted", 2025), ("revoked", 2026)]
    with container.uow() as uow:
        assert uow.session.scalar(select(Consent.status)) == "revoked"


def test_by_hand_and_through_the_api(container) -> None:
    with container.uow() as uow:
        cid = items.upsert(
            uow,
            [
                {
                    "phone": SITA,
                    "consents": {"email": "granted"},
                    "email": "s@example.com",
                    "consent_ip": "2001:db8::1",
                    "consent_source": "checkout",
                }
            ],
            NOW,
            erasure_key="k",
        )[0]["id"]
        given = NOW - timedelta(hours=2)
        assert service.set_consent(
            uow,
            cid,
            Channel.SMS,
            Purpose.MARKETING,
            ConsentStatus.GRANTED,
            "phone",
            "read the script, said yes",
            NOW,
            at=given,
            ip="203.0.113.7",
        )
        with pytest.raises(Invalid, match="not an IP address"):
            service.set_consent(
                uow, cid, Channel.SMS, Purpose.MARKETING, ConsentStatus.REVOKED, "cli", None, NOW, ip="nowhere"
            )
    found = {e.channel: e for e in events(container)}
    assert (found["email"].source, found["email"].ip) == ("checkout", "2001:db8::1")
    assert (found["sms"].recorded_at, found["sms"].ip, found["sms"].source) == (given, "203.0.113.7", "phone")


def proven(container) -> dict[str, bool]:
    with container.uow() as uow:
        return dict(uow.session.execute(select(Consent.channel, Consent.has_evidence)).all())


def test_where_a_row_came_from_is_provenance_not_proof(container, write_csv) -> None:
    load(container, write_csv, f"phone,email,同意短信,consent_email\n{SITA},s@example.com,是,yes\n")
    assert {(e.evidence, e.ip, e.provenance) for e in events(container)} == {(None, None, "c.csv row 2")}
    assert proven(container) == {"sms": False, "email": False}


@pytest.mark.parametrize(
    ("columns", "values"),
    [
        ("consent_evidence", "double opt-in reply YES 2026-03-01"),
        ("consent_ip", "203.0.113.9"),
    ],
)
def test_what_the_operator_supplies_is_proof(container, write_csv, columns, values) -> None:
    load(container, write_csv, f"phone,consent_sms,{columns}\n{SITA},yes,{values}\n")
    assert proven(container) == {"sms": True}


def test_contacts_without_proof_are_countable(container, write_csv) -> None:
    from herald.analytics.reports.quality import quality
    from herald.segments import queries

    load(
        container,
        write_csv,
        f"phone,consent_sms,consent_evidence\n{SITA},yes,paper form 17\n+9779841234568,yes,\n+9779841234569,no,\n",
    )
    with container.uow() as uow:
        assert queries.count(uow.session, "consent:sms") == 2
        assert queries.count(uow.session, "consent:sms:proven") == 1
        assert queries.count(uow.session, "consent:sms and not consent:sms:proven") == 1
        assert quality(uow.session, NOW)["consent_without_proof"] == {"sms": 1, "whatsapp": 0, "email": 0}


def test_the_api_records_its_provenance_and_no_proof_of_its_own(container) -> None:
    with container.uow() as uow:
        items.upsert(uow, [{"phone": SITA, "consents": {"sms": "granted"}}], NOW, erasure_key="k")
    (event,) = events(container)
    assert (event.evidence, event.provenance) == (None, "api row 1") and proven(container) == {"sms": False}


def test_a_consent_changed_by_a_reimport_or_the_api_is_an_update(container, write_csv) -> None:
    first = load(container, write_csv, f"phone,consent_sms\n{SITA},yes\n")
    again = load(container, write_csv, f"phone,consent_sms\n{SITA},yes\n", "same.csv")
    revoked = load(container, write_csv, f"phone,consent_sms\n{SITA},no\n", "stop.csv")
    assert [r.counts["imported"] for r in (first, again, revoked)] == [1, 0, 0]
    assert (again.counts["unchanged"], revoked.counts["updated"]) == (1, 1)
    with container.uow() as uow:
        (result,) = items.upsert(uow, [{"phone": SITA, "consents": {"sms": "granted"}}], NOW, erasure_key="k")
        (same,) = items.upsert(uow, [{"phone": SITA, "consents": {"sms": "granted"}}], NOW, erasure_key="k")
    assert (result["status"], same["status"]) == ("updated", "unchanged")
