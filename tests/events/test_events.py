"""Events on SQLite and PostgreSQL: recorded once per event id, from Python, files and the API, with a
reason for every one refused; and the contact's timeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from herald import people
from herald.contacts.models import Contact
from herald.errors import Invalid
from herald.events import ingest
from herald.events.models import Event
from herald.events.service import EventIn, record_events
from tests.conftest import NOW
from tests.scenario import contact_id, setup
from tests.web.clients import api_client

SITA = "+9779841234567"
BEFORE = NOW - timedelta(hours=1)


def stored(container) -> list[Event]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(Event).order_by(Event.id)))


def test_events_are_kept_once_per_event_id_and_refused_with_a_reason(container, tmp_path) -> None:
    setup(container, tmp_path)
    sita = contact_id(container, SITA)
    events = [
        EventIn("purchase", BEFORE, contact_id=sita, properties={"amount": 120.5, "product": "A"}, event_id="o-1"),
        EventIn("page_view", BEFORE, phone="984-1234567", properties={"category": "shoes"}),
        EventIn("purchase", BEFORE, email="SITA@example.com", event_id="o-1"),  # sent twice
        EventIn("Purchase!", BEFORE, contact_id=sita),
        EventIn("purchase", NOW + timedelta(hours=1), contact_id=sita),
        EventIn("purchase", BEFORE),
        EventIn("purchase", BEFORE, phone="+9779800000000"),
        EventIn("purchase", BEFORE, contact_id=999),
        "expected an object",
    ]
    with container.uow() as uow:
        results = record_events(uow, events, NOW, default_region="NP")
    assert [r["status"] for r in results] == ["stored", "stored", "duplicate"] + ["invalid"] * 6
    reasons = [r.get("reason") for r in results]
    assert "type 'Purchase!'" in reasons[3] and "in the future" in reasons[4] and "no contact" in reasons[5]
    assert reasons[6] == "no contact with phone +9779800000000" and reasons[8] == "expected an object"
    found = stored(container)
    assert [(e.contact_id, e.type, e.properties) for e in found] == [
        (sita, "purchase", {"amount": 120.5, "product": "A"}),
        (sita, "page_view", {"category": "shoes"}),
    ]
    with container.uow() as uow:  # the same event id in a later request is a duplicate too
        assert record_events(uow, events[:1], NOW)[0]["status"] == "duplicate"


def test_unknown_people_can_become_contacts(container) -> None:
    with container.uow() as uow:
        results = record_events(
            uow,
            [
                EventIn("inquiry", BEFORE, phone=SITA),
                EventIn("inquiry", BEFORE, phone=SITA, properties={"topic": "price"}),
            ],
            NOW,
            unknown="create",
            erasure_key=container.settings.secret_key,
        )
        assert uow.session.scalar(select(func.count()).select_from(Contact)) == 1
    assert [r["status"] for r in results] == ["stored", "stored"] and results[0]["contact"] == results[1]["contact"]
    with container.uow() as uow, pytest.raises(Invalid, match="reject or create"):
        record_events(uow, [], NOW, unknown="maybe")


def test_files_of_events_in_json_lines_and_csv(container, tmp_path) -> None:
    setup(container, tmp_path)
    lines = tmp_path / "events.jsonl"
    lines.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "type": "purchase",
                        "phone": SITA,
                        "at": "2026-03-01T10:00:00Z",
                        "event_id": "e1",
                        "amount": 30,
                        "currency": "NPR",
                    }
                ),
                "{not json",
                json.dumps({"type": "purchase", "phone": SITA, "event_id": "e2"}),
                json.dumps({"type": "page_view", "contact_id": "x", "at": 1772359200}),
                "",
                json.dumps({"type": "purchase", "phone": SITA, "at": "2026-03-01T10:00:00Z", "event_id": "e1"}),
            ]
        ),
        encoding="utf-8",
    )
    with container.uow() as uow:
        report = ingest.import_events(uow, lines, NOW)
    assert (report.rows, report.stored, report.duplicate, report.invalid) == (5, 1, 1, 3)
    assert [p["row"] for p in report.problems] == [2, 3, 4, 6]
    assert "not JSON" in report.problems[0]["reason"] and "no occurred_at" in report.problems[1]["reason"]
    assert "expected a contact's id" in report.problems[2]["reason"]
    table = tmp_path / "events.csv"
    table.write_text(
        f"event,phone,time,amount,product\npurchase,{SITA},2026-03-02 09:00,12.50,B\n"
        f"cart_abandoned,{SITA},2026-03-02,,\n",
        encoding="utf-8",
    )
    with container.uow() as uow:
        assert ingest.import_events(uow, table, NOW).stored == 2
    csv_events = [e for e in stored(container) if e.occurred_at.day == 2]
    assert [(e.type, e.properties) for e in csv_events] == [
        ("purchase", {"amount": 12.5, "product": "B"}),
        ("cart_abandoned", {}),
    ]
    with pytest.raises(Invalid, match="no type"):
        (tmp_path / "bad.csv").write_text("phone\n+9779841234567\n", encoding="utf-8")
        with container.uow() as uow:
            ingest.import_events(uow, tmp_path / "bad.csv", NOW)


def test_the_api_and_the_timeline(container, tmp_path) -> None:
    setup(container, tmp_path)
    client = api_client(container)
    one = client.post(
        "/api/v1/events",
        json={"type": "purchase", "phone": SITA, "occurred_at": "2026-03-09T08:00:00Z", "properties": {"amount": 5}},
    ).json()
    assert one["counts"] == {"stored": 1, "duplicate": 0, "invalid": 0}
    many = client.post(
        "/api/v1/events",
        json=[{"type": "page_view", "email": "sita@example.com", "occurred_at": "2026-03-09T09:00:00Z"}, {"type": "x"}],
    ).json()
    assert [r["status"] for r in many["results"]] == ["stored", "invalid"]
    sita = contact_id(container, SITA)
    entries = client.get(f"/api/v1/contacts/{sita}/timeline").json()
    kinds = [(e["kind"], e["what"]) for e in entries]
    assert kinds[:3] == [("consent", "sms/marketing granted"), ("event", "page_view"), ("event", "purchase")]
    with container.uow() as uow:
        timeline = people.timeline(uow, sita)
    assert [e["at"] for e in timeline] == sorted((e["at"] for e in timeline), reverse=True)
    assert timeline[1]["at"] == datetime(2026, 3, 9, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("properties", "kept"),
    [
        ({"note": "x" * 16_000}, True),
        ({"note": "\u0001" * 3000}, False),  # 3,000 characters, 18,000 bytes once escaped
        ({"note": "x" * 17_000}, False),
        ({f"k{i}": i for i in range(100)}, True),
        ({f"k{i}": "y" * 200 for i in range(100)}, False),
        ({"items": ["z" * 100] * 200}, False),
        ({"items": [{"sku": "A", "qty": 1}]}, True),
    ],
)
def test_properties_over_16_kb_of_json_are_refused(container, tmp_path, properties, kept) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        (result,) = record_events(
            uow, [EventIn("purchase", BEFORE, contact_id=contact_id(container, SITA), properties=properties)], NOW
        )
    assert (result["status"] == "stored") is kept
    assert kept or result["reason"] == "properties: more than 16 KB"


def test_events_without_an_id_are_kept_once_by_their_content(container, tmp_path) -> None:
    setup(container, tmp_path)
    lines = tmp_path / "views.jsonl"
    views = [
        ("2026-03-01T10:00:00Z", "/shop"),
        ("2026-03-01T10:00:00Z", "/cart"),
        ("2026-03-01T16:45:00+06:45", "/shop"),
        ("2026-03-01T10:00:01Z", "/shop"),
    ]
    lines.write_text(
        "\n".join(json.dumps({"type": "page_view", "phone": SITA, "at": at, "page": page}) for at, page in views),
        encoding="utf-8",
    )
    with container.uow() as uow:
        first = ingest.import_events(uow, lines, NOW)
    for _ in range(4):
        with container.uow() as uow:
            again = ingest.import_events(uow, lines, NOW)
    with container.uow() as uow:
        stored = uow.session.scalar(select(func.count()).select_from(Event))
    assert (first.stored, first.duplicate) == (3, 1)  # 16:45+06:45 is 10:00 UTC
    assert (again.stored, again.duplicate) == (0, 4) and stored == 3
    assert "same event (contact, type, time and properties)" in first.problems[0]["reason"]


def test_values_postgresql_refuses_are_refused_per_event_on_both_databases(container, tmp_path) -> None:
    setup(container, tmp_path)
    bad = [json.loads('{"amount": NaN}'), json.loads('{"amount": 1e400}'), {"note": "a\x00b"}, {"note": "\ud800"}]
    events = [EventIn("purchase", BEFORE, phone=SITA, properties={"amount": 5})]
    events += [EventIn("purchase", BEFORE, phone=SITA, properties=p) for p in bad]
    with container.uow() as uow:
        results = record_events(uow, events, NOW)
    assert [r["status"] for r in results] == ["stored"] + ["invalid"] * 4
    assert [r["reason"].split(" ")[0:2] for r in results[1:]] == [["properties", "holds"]] * 4
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Event)) == 1


def test_a_bad_line_of_an_events_file_is_refused_with_its_line_not_the_file(container, tmp_path) -> None:
    setup(container, tmp_path)
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"type": "purchase", "phone": SITA, "at": "2026-03-01T10:00:00Z"}).encode()
    path.write_bytes(
        b"\n".join(
            [
                good,
                b"\xff\xfe\x00binary",
                b"[" * 100_000 + b"]" * 100_000,
                json.dumps({"type": "purchase", "phone": SITA, "at": 1e308}).encode(),
                json.dumps({"type": "purchase", "contact_id": "\u00b2", "at": 5}).encode(),
            ]
        )
    )
    with container.uow() as uow:
        report = ingest.import_events(uow, path, NOW)
    reasons = {p["row"]: p["reason"] for p in report.problems}
    assert (report.stored, report.invalid) == (1, 4)
    assert "not UTF-8" in reasons[2] and ("nested too deeply" in reasons[3] or "expected an object" in reasons[3])
    assert "no moment a calendar holds" in reasons[4] and "expected a contact's id" in reasons[5]


def test_the_types_stored_are_found_in_order_without_reading_every_event(container, tmp_path) -> None:
    from herald.events import event_types
    from tests.plans import scans

    setup(container, tmp_path)
    sita = contact_id(container, SITA)
    kinds = ["purchase", "page_view", "cart.abandoned", "purchase", "inquiry", "page_view"]
    with container.uow() as uow:
        record_events(
            uow, [EventIn(k, BEFORE - timedelta(minutes=i), contact_id=sita) for i, k in enumerate(kinds)], NOW
        )
    with container.uow() as uow:
        assert event_types(uow.session) == ["cart.abandoned", "inquiry", "page_view", "purchase"]
        assert event_types(uow.session, most=2) == ["cart.abandoned", "inquiry"]
    with scans(container.engine) as found, container.uow() as uow:
        event_types(uow.session)
    assert found == []


def test_no_event_stored_has_no_types(container) -> None:
    from herald.events import event_types

    with container.uow() as uow:
        assert event_types(uow.session) == []


def test_events_naming_their_contact_by_number_or_address_find_them_by_an_index(container, tmp_path) -> None:
    from tests.plans import scans

    setup(container, tmp_path)
    events = [
        EventIn("purchase", BEFORE, phone="+977 984-1234567", event_id="by-phone"),
        EventIn("purchase", BEFORE, email="SITA@example.com", event_id="by-mail"),
        EventIn("page_view", BEFORE, contact_id=contact_id(container, SITA)),
    ]
    with scans(container.engine) as found, container.uow() as uow:
        done = record_events(uow, events, NOW)
    assert [d["status"] for d in done] == ["stored", "stored", "stored"]
    assert found == []
