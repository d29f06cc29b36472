"""`/api/v1/tag-rules` on SQLite and PostgreSQL: events posted to the API are tagged as they arrive."""

from __future__ import annotations

import pytest

from tests.conftest import NOW
from tests.scenario import setup
from tests.web.clients import api_client

RULE = {
    "kind": "event",
    "event": "page_view",
    "where": 'category = "shoes"',
    "count": 2,
    "within": "7d",
    "tag": "interested:shoes",
    "expires": "30d",
}


@pytest.fixture
def client(container):
    return api_client(container)


def view(contact: int, hours: int) -> dict:
    return {
        "type": "page_view",
        "contact_id": contact,
        "properties": {"category": "shoes"},
        "occurred_at": (NOW.replace(hour=0) if hours else NOW).isoformat(),
    }


def test_tag_rules_through_the_api(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    assert client.post("/api/v1/events", json=[view(1, 1), view(2, 1)]).json()["counts"]["stored"] == 2
    assert client.post("/api/v1/tag-rules/dry-run", json=RULE).json()["would_tag"] == 0  # one view each
    assert client.post("/api/v1/tag-rules/dry-run", json={**RULE, "count": 1}).json()["would_tag"] == 2
    saved = client.put("/api/v1/tag-rules/shoes", json=RULE, params={"by": "ana"})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    client.post("/api/v1/events", json=[view(1, 0)])  # a second view arrives: tagged at once
    assert client.get("/api/v1/segments/count", params={"q": 'tag:"interested:shoes"'}).json()["count"] == 1
    again = client.put("/api/v1/tag-rules/shoes", json={**RULE, "count": 1}, params={"backfill": True}).json()
    assert again["version"] == 2 and again["backfill"]["tagged"] == 1
    shown = client.get("/api/v1/tag-rules/shoes").json()
    assert [v["definition"]["count"] for v in shown["versions"]] == [2, 1]
    assert client.post("/api/v1/tag-rules/shoes/enabled", json={"enabled": False}).json()["enabled"] is False
    bad = client.put("/api/v1/tag-rules/empty", json={"kind": "keyword", "keywords": [], "tag": "x"})
    assert bad.status_code == 422 and "rule keywords" in bad.text
    assert [r["name"] for r in client.get("/api/v1/tag-rules").json()] == ["shoes"]
    assert client.delete("/api/v1/tag-rules/shoes").json()["deleted"] is True
    assert client.get("/api/v1/tag-rules/shoes").status_code == 404
