"""`/api/v1/tags` and `/api/v1/segments` on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.scenario import setup
from tests.web.clients import api_client


@pytest.fixture
def client(container):
    return api_client(container)


def test_tags_through_the_api(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    made = client.post("/api/v1/tags", json={"name": "shoes", "colour": "#AABBCC", "kind": "rule"})
    assert made.status_code == 201 and made.json()["colour"] == "#aabbcc"
    assert client.post("/api/v1/tags", json={"name": "shoes"}).status_code == 409
    tagged = client.post("/api/v1/tags/shoes/contacts", json={"segment": "region:NP", "expires_in_hours": 24})
    assert tagged.json() == {"tag": "shoes", "newly_tagged": 3}
    assert client.post("/api/v1/tags/shoes/contacts", json={"ids": [1, 2]}).json()["newly_tagged"] == 1  # 1 had it
    assert client.post("/api/v1/tags/shoes/contacts", json={}).status_code == 422
    assert client.post("/api/v1/tags/nope/contacts", json={"ids": [1]}).status_code == 404
    listed = {t["tag"]: t for t in client.get("/api/v1/tags").json()}
    assert listed["shoes"]["contacts"] == 4 and listed["shoes"]["kind"] == "rule"
    assert client.get("/api/v1/tags", params={"q": "sh"}).json() == ["shoes"]
    assert client.delete("/api/v1/tags/shoes").json() == {"tag": "shoes", "removed_from": 4}


def test_saved_segments_through_the_api(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    made = client.post("/api/v1/segments", json={"name": "nepal", "expression": "region:NP"})
    assert made.status_code == 201 and made.json() == {"name": "nepal", "kind": "dynamic", "size": 3}
    bad = client.post("/api/v1/segments", json={"name": "x", "expression": "region:"})
    assert bad.status_code == 422 and "needs a value" in bad.json()["detail"]
    shown = client.get("/api/v1/segments/nepal").json()
    assert shown["count"] == 3 and len(shown["sample"]) == 3
    assert [s["name"] for s in client.get("/api/v1/segments").json()] == ["nepal"]
    assert client.get("/api/v1/segments/none").status_code == 404
