"""`/api/v1/campaigns` on SQLite and PostgreSQL: create, preflight, start, pause, resume, cancel, clone, why."""

from __future__ import annotations

import pytest

from tests.scenario import setup
from tests.web.clients import api_client


@pytest.fixture
def client(container):
    return api_client(container)


def test_a_campaign_through_the_api(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    made = client.post(
        "/api/v1/campaigns",
        json={"name": "API sale", "segment": "has:phone", "templates": ["sale"], "holdout_percent": 0},
    )
    assert made.status_code == 201 and made.json()["status"] == "draft"
    cid = made.json()["id"]
    report = client.get(f"/api/v1/campaigns/{cid}/preflight").json()
    assert report["blocking"] == [] and report["decisions"] == {"send_now": 2, "deferred": 2, "skipped": 2}
    assert {j["preset"]: j["recipients"] for j in report["jurisdictions"]} == {"cn-sms": 1, "us-tcpa": 1}
    started = client.post(f"/api/v1/campaigns/{cid}/start").json()
    assert (started["new"], started["send_now"]) == (6, 2)
    paused = client.post(f"/api/v1/campaigns/{cid}/pause").json()
    assert (paused["status"], paused["messages"]) == ("paused", 4)
    assert client.post(f"/api/v1/campaigns/{cid}/resume").json()["status"] == "running"
    why = client.get(f"/api/v1/campaigns/{cid}/why").json()
    assert why["by_status"] == {"queued": 4, "skipped": 2}
    copy = client.post(f"/api/v1/campaigns/{cid}/clone", json={"name": "API sale 2"})
    assert copy.status_code == 201 and copy.json()["status"] == "draft"
    assert client.post(f"/api/v1/campaigns/{cid}/cancel").json()["status"] == "cancelled"
    assert [c["name"] for c in client.get("/api/v1/campaigns").json()][-2:] == ["API sale", "API sale 2"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": "x", "segment": "has:phone", "templates": ["sale"], "variants": []}, 201, None),
        ({"name": "x", "templates": ["sale"]}, 422, "give segment or contacts"),
        (
            {"name": "x", "segment": "has:phone", "variants": [{"name": "A", "weight": 70, "templates": ["sale"]}]},
            422,
            "add up to 70",
        ),
        ({"name": "x", "segment": "has:phone", "templates": ["nope"]}, 404, "template 'nope'"),
        ({"name": "x", "segment": "has:phone", "templates": ["sale"], "preset": "mars"}, 422, "unknown preset"),
    ],
)
def test_bad_campaigns_get_a_clear_answer(client, container, tmp_path, body, status, words) -> None:
    setup(container, tmp_path)
    answer = client.post("/api/v1/campaigns", json=body)
    assert answer.status_code == status
    if words:
        assert words in answer.json()["detail"]


def test_schedule_and_blocked_start(client, container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    bad = client.post(f"/api/v1/campaigns/{cid}/schedule", json={"cron": "every day"})
    assert bad.status_code == 422 and "cron expression" in bad.json()["detail"]
    ok = client.post(f"/api/v1/campaigns/{cid}/schedule", json={"at": "2026-03-10T18:00:00Z"}).json()
    assert (ok["status"], ok["schedule"], ok["next_run_at"]) == ("scheduled", "at", "2026-03-10T18:00:00Z")
    assert client.post(f"/api/v1/campaigns/{cid}/teleport").status_code == 404
    assert client.post(f"/api/v1/campaigns/{cid}/resume").status_code == 409


def test_a_campaign_is_scheduled_on_an_event(client, container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    bad = client.post(f"/api/v1/campaigns/{cid}/schedule", json={"on_event": "signup", "delay": "forever"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("--delay: expected a delay")
    done = client.post(f"/api/v1/campaigns/{cid}/schedule", json={"on_event": "signup", "delay": "30m"}).json()
    assert (done["status"], done["schedule"]) == ("scheduled", "event")
    assert done["trigger"] == {
        "event": "signup",
        "delay_minutes": 30,
        "once": False,
        "campaign": None,
        "campaign_name": None,
    }
    assert client.post(f"/api/v1/campaigns/{cid}/start").status_code == 409
