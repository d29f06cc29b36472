"""`/api/v1/contacts` on SQLite and PostgreSQL: search, get, create, update, erase, bulk upsert with a result
per item, and file imports in the background."""

from __future__ import annotations

import pytest

from herald.errors import NotFound
from herald.web.api.contacts_api import Jobs
from tests.contacts import corpus
from tests.scenario import CSV, setup
from tests.web.clients import api_client

SITA = "+9779841234567"


@pytest.fixture
def client(container):
    return api_client(container)


def test_list_search_and_get(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    page = client.get("/api/v1/contacts", params={"segment": "region:NP", "limit": 2}).json()
    assert page["total"] == 3 and [c["phone"] for c in page["items"]] == [SITA, "+9779851234567"]
    assert client.get("/api/v1/contacts", params={"q": "sita"}).json()["items"][0]["phone"] == SITA
    assert client.get("/api/v1/contacts", params={"q": "98512"}).json()["total"] == 1
    one = client.get("/api/v1/contacts/1").json()
    assert one["name"] == "Sita Sharma" and one["consents"][0]["status"] == "granted"
    assert client.get("/api/v1/contacts/99").status_code == 404
    assert client.get("/api/v1/contacts", params={"limit": 5000}).status_code == 422


def test_create_normalizes_and_answers_by_outcome(client) -> None:
    made = client.post(
        "/api/v1/contacts",
        json={
            "phone": "984-1234567",
            "country": "NP",
            "name": "Sita",
            "attributes": {"tier": "gold"},
            "consents": {"sms": "granted"},
        },
    )
    assert made.status_code == 201
    body = made.json()
    assert body["contact"]["phone"] == SITA and body["contact"]["attributes"] == {"tier": "gold"}
    again = client.post("/api/v1/contacts", json={"phone": SITA, "email": "sita@example.com"})
    assert again.status_code == 200 and again.json()["status"] == "updated"
    clash = client.post("/api/v1/contacts", json={"phone": SITA, "email": "other@example.com"})
    assert clash.status_code == 409 and "its email is sita@example.com" in clash.json()["problems"][0]["reason"]
    bad = client.post("/api/v1/contacts", json={"phone": "12", "country": "NP"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "phone"
    unknown = client.post("/api/v1/contacts", json={"phone": SITA, "shoe_size": 42})
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["field"] == "shoe_size"


def test_contacts_given_by_the_api_carry_the_tags_they_name(client) -> None:
    made = client.post("/api/v1/contacts", json={"phone": SITA, "tags": ["vip", "会员"]}).json()
    bulk = client.post(
        "/api/v1/contacts/bulk",
        json={"items": [{"phone": "+264811234567", "tags": ["vip"]}, {"phone": "+264811234568", "tags": "x! lead"}]},
    ).json()
    assert bulk["results"][1]["problems"][0]["field"] == "tags"  # the bad name left out, the row kept
    members = {t["tag"]: t["contacts"] for t in client.get("/api/v1/tags").json()}
    assert (members["vip"], members["会员"], members["lead"]) == (2, 1, 1)
    patched = client.patch(f"/api/v1/contacts/{made['id']}", json={"tags": ["lapsed"]})
    assert patched.status_code == 422 and "POST /api/v1/tags/NAME/apply" in patched.text


def test_update_sets_given_fields_and_refuses_a_taken_number(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    updated = client.patch(
        "/api/v1/contacts/1", json={"name": "Sita S.", "email": "s@example.com", "attributes": {"tier": "gold"}}
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["email"], updated.json()["phone"]) == (
        "Sita S.",
        "s@example.com",
        SITA,
    )
    dropped = client.patch("/api/v1/contacts/1", json={"attributes": {"tier": None}})
    assert dropped.json()["attributes"] == {}
    moved = client.patch("/api/v1/contacts/1", json={"phone": "+9779801234567"})
    assert moved.json()["phone"] == "+9779801234567" and moved.json()["carrier"] == "NCell"
    taken = client.patch("/api/v1/contacts/1", json={"phone": "+9779851234567"})
    assert taken.status_code == 409 and "belongs to contact 5" in taken.json()["detail"]
    invalid = client.patch("/api/v1/contacts/1", json={"email": "nope@"})
    assert invalid.status_code == 422 and "email" in invalid.json()["detail"]


def test_update_reads_a_country_as_an_import_row_does(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    by_name = client.patch("/api/v1/contacts/1", json={"phone": "06 12 34 56 78", "country": "France"})
    assert by_name.status_code == 200, by_name.text
    assert (by_name.json()["phone"], by_name.json()["region"]) == ("+33612345678", "FR")
    by_chinese_name = client.patch("/api/v1/contacts/1", json={"phone": "139 1234 5678", "country": "中国"})
    assert by_chinese_name.json()["phone"] == "+8613912345678", by_chinese_name.text
    unknown = client.patch("/api/v1/contacts/1", json={"phone": "06 12 34 56 79", "country": "Atlantis"})
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("contact: country: not a country")
    assert client.get("/api/v1/contacts/1").json()["phone"] == "+8613912345678"  # the refused change wrote nothing


def test_delete_erases_the_person(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    assert client.delete("/api/v1/contacts/1").json()["contact"] == 1
    assert client.get("/api/v1/contacts", params={"q": "sita"}).json()["total"] == 0
    assert client.delete("/api/v1/contacts/1").status_code == 409


def test_an_erased_contact_says_so_and_refuses_changes(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    assert client.get("/api/v1/contacts/1").json()["erased_at"] is None
    client.delete("/api/v1/contacts/1")
    shown = client.get("/api/v1/contacts/1").json()
    assert shown["erased_at"] is not None and (shown["phone"], shown["name"]) == (None, None)
    changed = client.patch("/api/v1/contacts/1", json={"name": "Sita"})
    assert changed.status_code == 409 and changed.json()["detail"].startswith("contact 1 was erased on ")


def test_bulk_upsert_answers_per_item(client) -> None:
    items = [
        {"phone": SITA, "name": "Sita"},
        {"phone": "+264811234567"},
        {"phone": SITA, "email": "s@example.com"},
        {"phone": "bad", "country": "NP"},
        "not an object",
    ]
    done = client.post("/api/v1/contacts/bulk", json={"items": items}).json()
    assert done["counts"] == {"imported": 2, "updated": 0, "unchanged": 0, "duplicate": 1, "conflict": 0, "invalid": 2}
    assert [r["status"] for r in done["results"]] == ["imported", "imported", "duplicate", "invalid", "invalid"]
    assert done["results"][2]["id"] == done["results"][0]["id"] and done["results"][3]["problems"]
    again = client.post("/api/v1/contacts/bulk", json={"items": items[:2]}).json()
    assert again["counts"]["unchanged"] == 2
    too_many = client.post("/api/v1/contacts/bulk", json={"items": [{"phone": SITA}] * 10_001})
    assert too_many.status_code == 422


def test_a_file_imports_in_the_background(client, tmp_path) -> None:
    started = client.post("/api/v1/contacts/imports", params={"filename": "c.csv"}, content=CSV.encode())
    assert started.status_code == 202
    job = client.get(f"/api/v1/contacts/imports/{started.json()['id']}").json()
    assert job["status"] == "done" and job["rows_done"] == 6 and job["report"]["imported"] == 6
    tagged = client.post(
        "/api/v1/contacts/imports", params={"filename": "c.csv", "tag": ["fair", "lead"]}, content=CSV.encode()
    ).json()
    report = client.get(f"/api/v1/contacts/imports/{tagged['id']}").json()["report"]
    assert (
        report["tags"]["fair"]
        == report["tags"]["lead"]
        == {
            "contacts": 6,
            "tagged": 6,
            "extended": 0,
            "created": True,
        }
    )
    xlsx = corpus.workbook(tmp_path).read_bytes()
    failed = client.post("/api/v1/contacts/imports", params={"filename": "w.xlsx"}, content=xlsx).json()
    job = client.get(f"/api/v1/contacts/imports/{failed['id']}").json()  # its first sheet holds notes only
    assert job["status"] == "failed" and "no phone or email column" in job["error"]
    assert client.post("/api/v1/contacts/imports", params={"filename": "c.pdf"}, content=b"x").status_code == 422
    assert client.get("/api/v1/contacts/imports/99").status_code == 404


def test_a_restarted_server_never_gives_an_earlier_servers_job_number_to_a_new_job() -> None:
    before = Jobs()
    old = {before.start("a.csv") for _ in range(50)}
    after = Jobs()  # the server started again: its jobs are new ones
    assert len(old) == 50 and not old & {after.start("b.csv") for _ in range(50)}
    with pytest.raises(NotFound, match="not known to this server"):
        after.get(min(old))
