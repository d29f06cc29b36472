"""The read-only REST API."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from herald.web import create_app
from tests.conftest import migrate_head
from tests.scenario import plan, setup


@pytest.fixture
def client(container):
    return TestClient(create_app(container))


def test_health_reports_the_schema(client) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok", "schema": migrate_head()}


def test_segment_counts_and_errors(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    assert client.get("/api/v1/segments/count", params={"q": "region:NP"}).json()["count"] == 3
    bad = client.get("/api/v1/segments/count", params={"q": "region:"})
    assert bad.status_code == 422 and "needs a value" in bad.json()["detail"]


def test_report_and_explain(client, container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    asyncio.run(container.worker().run(until_idle=True))
    report = client.get(f"/api/v1/campaigns/{cid}/report").json()
    assert report["sent"] == 2 and report["audience"] == 6
    why = client.get(f"/api/v1/campaigns/{cid}/explain/6").json()
    assert why["status"] == "skipped" and why["trail"][0]["rule"] == "consent"
    assert why["action"] == "skip" and why["text"].startswith("Not sent: consent")
    assert client.get("/api/v1/campaigns/99/report").status_code == 404
    assert client.get(f"/api/v1/campaigns/{cid}/explain/99").status_code == 404
