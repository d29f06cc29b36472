"""The read-only REST API."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.conftest import migrate_head
from tests.scenario import plan, setup
from tests.web.clients import api_client


@pytest.fixture
def client(container):
    return api_client(container)


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
            if not (
                fields(schema)
                or "anyOf" in schema
                or "additionalProperties" in schema
                or schema.get("items", {}).get("type") == "string"
            ):
                untyped.append(f"{method} {path} response")
    assert untyped == []
    assert {"phone", "email", "consents", "consent_evidence"} <= set(schemas["ContactIn"]["properties"])


BIG = "9223372036854775808"  # 2**63


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/api/v1/contacts/{BIG}", None),
        ("get", f"/api/v1/contacts/{BIG}/timeline", None),
        ("patch", f"/api/v1/contacts/{BIG}", {"name": "x"}),
        ("delete", f"/api/v1/contacts/{BIG}", None),
        ("get", f"/api/v1/contacts?offset={BIG}", None),
        ("get", "/api/v1/templates/99999999999999999999", None),
        ("get", "/api/v1/templates/%C2%B9/lint", None),
        ("get", "/api/v1/campaigns/%C2%B2/why", None),
        ("get", "/api/v1/campaigns/%C2%B2/report", None),
        ("get", "/api/v1/campaigns/%C2%B2/preflight", None),
        ("get", f"/api/v1/campaigns/1/explain/{BIG}", None),
        ("post", "/api/v1/campaigns/99999999999999999999/start", None),
        ("post", "/api/v1/tags/vip/contacts", {"ids": [int(BIG)]}),
        ("post", "/api/v1/tags/vip/contacts", {"ids": [1], "expires_in_hours": 100000000}),
        ("get", "/api/v1/segments/count?q=" + "(" * 1000 + "tag:vip" + ")" * 1000, None),
    ],
)
def test_numbers_and_expressions_out_of_range_are_refused_not_500(
    client, tmp_path, container, method, path, body
) -> None:
    setup(container, tmp_path)
    answer = getattr(client, method)(path, **({"json": body} if body is not None else {}))
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])


def test_five_thousand_nots_are_read_as_the_one_they_amount_to(client, tmp_path, container) -> None:
    setup(container, tmp_path)
    even = client.get("/api/v1/segments/count?q=" + "not%20" * 5000 + "has:phone").json()["count"]
    odd = client.get("/api/v1/segments/count?q=" + "not%20" * 5001 + "has:phone").json()["count"]
    assert (even, odd) == (6, 0)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"type": "purchase", "contact_id": 1, "occurred_at": 1e308}, "no moment a calendar holds"),
        ({"type": "purchase", "contact_id": int(BIG), "occurred_at": "2026-03-01"}, "expected a contact's id"),
        ({"type": "purchase", "contact_id": "²", "occurred_at": "2026-03-01"}, "expected a contact's id"),
    ],
)
def test_events_out_of_range_are_refused_one_by_one(client, tmp_path, container, event, reason) -> None:
    setup(container, tmp_path)
    (result,) = client.post("/api/v1/events", json=event).json()["results"]
    assert result["status"] == "invalid" and reason in result["reason"]


def test_a_request_that_does_not_fit_names_each_field_as_every_error_does(client) -> None:
    too_many = client.get("/api/v1/contacts", params={"limit": 5000})
    assert too_many.status_code == 422
    assert too_many.json() == {
        "error": "Invalid",
        "detail": "limit (query parameter): Input should be less than or equal to 1000",
        "problems": [{"location": "query", "field": "limit", "reason": "Input should be less than or equal to 1000"}],
    }
    nested = client.post("/api/v1/contacts", json={"phone": "+9779841234567", "consents": {"sms": "maybe"}}).json()
    assert nested["error"] == "Invalid" and nested["detail"].startswith("consents.sms: Input should be")
    assert [p["field"] for p in nested["problems"]] == ["consents.sms"]
    no_body = client.post("/api/v1/contacts").json()
    assert no_body["problems"] == [{"location": "body", "field": "body", "reason": "Field required"}]


def test_a_refused_request_never_echoes_what_was_sent(client) -> None:
    # The framework's own answer quotes each value it refuses; a password may be among them.
    refused = client.post("/api/v1/me/password", json={"current": ["hunter2-secret"], "new": "x"})
    assert refused.status_code == 422 and "hunter2-secret" not in refused.text
    assert {p["field"] for p in refused.json()["problems"]} == {"current"}


def test_the_frameworks_own_refusals_read_as_every_error_does(client) -> None:
    unknown = client.get("/api/v1/no-such-thing")
    assert (unknown.status_code, unknown.json()) == (404, {"error": "NotFound", "detail": "Not Found"})
    wrong_method = client.put("/api/v1/tags")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "NotAllowed"
    assert "GET" in wrong_method.headers["allow"]
    json = {"content-type": "application/json"}
    unreadable = client.post("/api/v1/tags", content=b'{"name": "caf\xe9"}', headers=json)
    assert unreadable.status_code == 400 and unreadable.json()["error"] == "Invalid"
    assert unreadable.json()["detail"].startswith("the body could not be read: send JSON in UTF-8")
    broken = client.post("/api/v1/tags", content=b"{not json", headers=json).json()
    assert broken["problems"] == [
        {
            "location": "body",
            "field": "body",
            "reason": "not valid JSON at character 1: Expecting property name enclosed in double quotes",
        }
    ]
