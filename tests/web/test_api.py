"""The read-only REST API."""

from __future__ import annotations

import asyncio
import re

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


def test_the_api_docs_load_nothing_from_outside(client) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/api/docs/assets/{asset}").status_code == 200


def test_every_route_documents_typed_request_and_response_bodies(client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def fields(ref: dict) -> dict:
        target = ref.get("$ref") or (ref.get("items") or {}).get("$ref")
        return schemas[target.rsplit("/", 1)[1]].get("properties", {}) if target else {}

    untyped = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None and not (fields(body) or "anyOf" in body or "additionalProperties" in body):
                untyped.append(f"{method} {path} request")
            ok = next((r for code, r in op["responses"].items() if code.startswith("2")), {})
            if "application/json" not in ok.get("content", {}):
                continue  # Meta's subscription check answers plain text
            schema = ok["content"]["application/json"].get("schema", {})
            if not (fields(schema) or "anyOf" in schema or "additionalProperties" in schema
                    or schema.get("items", {}).get("type") == "string"):
                untyped.append(f"{method} {path} response")
    assert untyped == []
    assert {"phone", "email", "consents", "consent_evidence"} <= set(schemas["ContactIn"]["properties"])
