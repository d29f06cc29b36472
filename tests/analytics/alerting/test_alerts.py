"""Alerts that act, on SQLite and PostgreSQL: a rule broken over its window raises one alert, pauses the
campaign or the provider account with the reason, and tells the webhooks; people acknowledge and resolve
it; the rules are the defaults with the workspace's own over them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from herald import analytics, dispatch, tracking
from herald.campaigns import service as campaigns
from herald.campaigns.models import Campaign
from herald.errors import Conflict, Invalid, NotFound
from herald.tracking.models import WebhookDelivery
from herald.web import create_app
from tests.analytics.ledger import message
from tests.cli.test_cli import as_json, herald
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup
from tests.web.clients import api_client, key_for

SITA = "+9779841234567"


def went(container, campaign_id: int, status: str, n: int, provider="gateway", delivery=None, at=NOW):
    """`n` messages of the campaign that went (or failed) through `provider` just now."""
    cid = contact_id(container, SITA)
    with container.uow() as uow:
        for i in range(n):
            key = f"t:{campaign_id}:{status}:{provider}:{delivery}:{i}"
            message(uow, key, cid, SITA, at, status, campaign_id=campaign_id, provider=provider, delivery=delivery)


def running(container, tmp_path) -> int:
    cid = setup(container, tmp_path)
    plan(container, cid)
    with container.uow() as uow:
        assert uow.session.get(Campaign, cid).status == "running"
    return cid


def save(container, name: str, **table) -> None:
    with container.uow() as uow:
        analytics.save_rule(uow, name, table, NOW)


def watch(container, at=NOW) -> list[str]:
    with container.uow() as uow:
        return analytics.watch(uow, at)


def test_a_failure_rate_over_the_threshold_pauses_the_campaign_with_the_reason(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    with container.uow() as uow:
        tracking.add_webhook(uow, "https://shop.example/hooks", ["alert.raised"], NOW)
    went(container, cid, "sent", 6)
    went(container, cid, "failed", 4)
    save(
        container,
        "failures",
        metric="failure_rate",
        threshold=20,
        window_minutes=30,
        min_volume=10,
        action="pause_campaign",
    )
    (line,) = watch(container)
    assert "failure rate 40.0% (4 of 10) is above 20% over 30 min" in line and "campaign paused" in line
    with container.uow() as uow:
        campaign = uow.session.get(Campaign, cid)
        assert campaign.status == "paused" and campaign.status_reason.startswith("alert failures: campaign Sale")
        (alert,) = analytics.list_alerts(uow)
        assert (alert.status, alert.subject_ref, alert.value, alert.action) == (
            "open",
            str(cid),
            "40.0",
            "pause_campaign",
        )
        (delivery,) = uow.session.scalars(select(WebhookDelivery)).all()
        assert delivery.event_type == "alert.raised" and delivery.payload["data"]["properties"]["alert_id"] == alert.id
    assert watch(container) == []  # a paused campaign is not judged again; the alert stays one


def test_a_rate_is_judged_only_on_enough_messages_and_within_its_window(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    went(container, cid, "failed", 4)
    save(container, "failures", metric="failure_rate", threshold=20, min_volume=10, action="pause_campaign")
    assert watch(container) == []  # 4 of 4 failed, but 4 is too few
    went(container, cid, "sent", 6)
    assert watch(container, NOW + timedelta(minutes=61)) == []  # they are out of the hour's window
    assert len(watch(container)) == 1


def test_an_open_alert_seen_again_is_updated_not_raised_twice(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    went(container, cid, "sent", 10, delivery="undelivered")
    save(container, "delivery", metric="delivery_rate", threshold=80, min_volume=5)
    assert len(watch(container)) == 1 and watch(container, NOW + timedelta(minutes=1)) == []
    with container.uow() as uow:
        (alert,) = analytics.list_alerts(uow, "open")
        assert (alert.times, alert.done, alert.value) == (2, "notified", "0.0")
        analytics.resolve(uow, alert.id, "ada", NOW, "the vendor fixed its route")
    assert len(watch(container, NOW + timedelta(minutes=2))) == 1  # broken again after being resolved: a new one


def test_an_account_failing_is_paused_until_resumed(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    went(container, cid, "failed", 8, provider="gateway")
    went(container, cid, "sent", 12, provider="backup")
    save(
        container, "failures", metric="failure_rate", per="account", threshold=20, min_volume=5, action="pause_account"
    )
    (line,) = watch(container)  # its circuit, opened by the pause, is no alert of its own
    assert line.startswith("alert 1 (failures): account gateway: failure rate 100.0% (8 of 8)")
    with container.uow() as uow:
        health = dispatch.health_of(uow.session)["gateway"]
        assert not health.usable(NOW + timedelta(days=3650)) and "alert failures" in health.reason
        assert dispatch.resume_account(uow, "gateway", NOW) and not dispatch.resume_account(uow, "gateway", NOW)
        assert dispatch.health_of(uow.session)["gateway"].usable(NOW)


def test_an_open_circuit_a_flagged_number_and_overdue_cases_are_told(container, tmp_path) -> None:
    running(container, tmp_path)
    sita = contact_id(container, SITA)
    with container.uow() as uow:
        dispatch.record_health(uow, dispatch.Health("gateway", 5, NOW + timedelta(minutes=5), "timeouts"), NOW)
        dispatch.record_notice(uow, "wa", "+977's quality is low", NOW, "FLAGGED")
        tracking.flag_complaint(uow, sita, "spam!", None, container.replies, NOW - timedelta(days=9))
    said = " | ".join(watch(container))
    assert "account gateway: circuit open — it keeps failing — notified" in said
    assert "account wa: Meta says its quality is low (FLAGGED) — notified" in said
    assert "1 complaint case(s) past their deadline — notified" in said and said.count("alert ") == 3


def test_rules_are_the_defaults_with_the_workspaces_own_over_them(container) -> None:
    with container.uow() as uow:
        defaults = {r.name: (origin, active) for r, origin, active in analytics.rules(uow)}
        assert defaults["failures"] == ("default", True) and len(defaults) == 7
        analytics.save_rule(uow, "failures", {"metric": "failure_rate", "threshold": 50}, NOW)
        analytics.save_rule(uow, "mine", {"metric": "optout_rate", "threshold": "1%"}, NOW)
        analytics.switch_rule(uow, "overdue", False, NOW)
        now = {r.name: (origin, active, r.threshold) for r, origin, active in analytics.rules(uow)}
    assert now["failures"] == ("changed", True, 50.0) and now["mine"] == ("own", True, 1.0)
    assert now["overdue"][:2] == ("changed", False)
    with container.uow() as uow:
        analytics.remove_rule(uow, "failures")
        assert {r.name: r.threshold for r, _, _ in analytics.rules(uow)}["failures"] == 20.0
        with pytest.raises(NotFound):
            analytics.remove_rule(uow, "delivery")  # a default is switched off, not removed
        with pytest.raises(NotFound):
            analytics.switch_rule(uow, "nothing", False, NOW)
        with pytest.raises(Invalid, match="a rate is a percentage from 0 to 100"):
            analytics.save_rule(uow, "bad", {"metric": "failure_rate", "threshold": 150}, NOW)
        with pytest.raises(Invalid, match="alert rule name"):
            analytics.save_rule(uow, "no spaces", {"metric": "failure_rate", "threshold": 5}, NOW)


def test_alerts_are_acknowledged_and_resolved_once(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    went(container, cid, "failed", 10)
    save(container, "failures", metric="failure_rate", threshold=20, min_volume=5)
    watch(container)
    with container.uow() as uow:
        (alert,) = analytics.list_alerts(uow)
        analytics.acknowledge(uow, alert.id, "maya", NOW)
        with pytest.raises(Conflict, match="acknowledged already"):
            analytics.acknowledge(uow, alert.id, "maya", NOW)
        analytics.resolve(uow, alert.id, "maya", NOW, "paused it by hand")
        with pytest.raises(Conflict, match="resolved already"):
            analytics.resolve(uow, alert.id, "maya", NOW)
        with pytest.raises(NotFound):
            analytics.acknowledge(uow, 999, "maya", NOW)
        with pytest.raises(Invalid, match="expected one of open"):
            analytics.list_alerts(uow, "closed")
        view = analytics.alert_view(analytics.list_alerts(uow, "resolved")[0])
    assert (view["acknowledged_by"], view["resolved_by"], view["note"]) == ("maya", "maya", "paused it by hand")


def test_the_worker_judges_the_rules_on_its_tick(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    went(container, cid, "failed", 10)
    save(container, "failures", metric="failure_rate", threshold=20, min_volume=5, action="pause_campaign")
    worker = container.worker()
    worker.tick()
    assert any(e.startswith("alert 1 (failures)") for e in worker.stats.events)
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, cid).status == "paused"


def test_the_cli_lists_sets_and_resolves(container, tmp_path, capsys) -> None:
    db = ("--db", container.settings.database_url)
    rules = as_json(capsys, *db, "alerts", "rules", "list", "--json")
    assert {r["name"] for r in rules} >= {"delivery", "failures", "optouts", "complaints", "quality"}
    setting = (*db, "alerts", "rules", "set", "failures", "--metric", "failure_rate", "--threshold")
    herald(capsys, *setting, "150", code=2)
    assert "a rate is a percentage from 0 to 100, got '150'" in herald.last_err
    herald(capsys, *setting, "10%", "--window", "0", code=2)
    assert "window_minutes: expected a whole number from 1" in herald.last_err
    out = herald(capsys, *setting, "10%", "--min-volume", "5")
    assert "failure rate above 10% over 60 min (at least 5 messages), per campaign, then notify" in out
    cid = running(container, tmp_path)
    went(container, cid, "failed", 6, at=datetime.now(UTC))  # the command judges as of now
    assert "failure rate 100.0%" in herald(capsys, *db, "alerts", "watch")
    (alert,) = as_json(capsys, *db, "alerts", "list", "--json")
    herald(capsys, *db, "alerts", "ack", str(alert["id"]))
    herald(capsys, *db, "alerts", "resolve", str(alert["id"]), "--note", "looked")
    (done,) = as_json(capsys, *db, "alerts", "list", "--status", "resolved", "--json")
    assert (done["acknowledged_by"], done["note"]) == ("system:" + done["acknowledged_by"].split(":", 1)[1], "looked")
    herald(capsys, *db, "providers", "resume", "nowhere", code=2)


def test_the_api_lists_acknowledges_and_checks_rules(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    went(container, cid, "failed", 10)
    save(container, "failures", metric="failure_rate", threshold=20, min_volume=5)
    watch(container)
    api = api_client(container)
    (alert,) = api.get("/api/v1/alerts", params={"status": "open"}).json()
    assert alert["rule"] == "failures" and alert["done"] == "notified"
    acked = api.post(f"/api/v1/alerts/{alert['id']}/acknowledge")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "key:tests"
    assert api.post(f"/api/v1/alerts/{alert['id']}/acknowledge").status_code == 409
    resolved = api.post(f"/api/v1/alerts/{alert['id']}/resolve", json={"note": "ok"})
    assert resolved.json()["status"] == "resolved"
    bad = api.put("/api/v1/alert-rules/mine", json={"metric": "failure_rate", "threshold": 120})
    assert bad.status_code == 422 and "a rate is a percentage from 0 to 100" in bad.text
    good = api.put(
        "/api/v1/alert-rules/mine", json={"metric": "complaint_rate", "threshold": 0.5, "action": "pause_campaign"}
    )
    assert good.status_code == 200 and good.json()["origin"] == "own"
    assert any(r["name"] == "mine" for r in api.get("/api/v1/alert-rules").json())
    analyst = TestClient(create_app(container))
    analyst.headers["Authorization"] = f"Bearer {key_for(container, ['reports:read'], 'analyst')}"
    assert analyst.post(f"/api/v1/alerts/{alert['id']}/acknowledge").status_code == 403


def test_a_campaign_spending_over_its_budget_is_paused(container, tmp_path) -> None:
    cid = running(container, tmp_path)
    went(container, cid, "sent", 40)  # 40 SMS to Nepal: 5.20 USD by the example table's 0.13
    save(container, "budget", metric="spend", threshold=5, window_minutes=60, action="pause_campaign")
    with container.uow() as uow:
        assert analytics.watch(uow, NOW) == []  # no price table: a budget cannot be judged
    with container.uow() as uow:
        (line,) = analytics.watch(uow, NOW, container.prices())
    assert "campaign Sale" in line and "spent 5.20 USD over 60 min, above 5" in line and "campaign paused" in line
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, cid).status == "paused"


def test_judging_the_rules_each_minute_reads_the_windows_messages_by_an_index(container, tmp_path) -> None:
    from tests.plans import scans

    cid = running(container, tmp_path)
    went(container, cid, "sent", 10, delivery="undelivered")
    went(container, cid, "failed", 2)
    save(container, "delivery", metric="delivery_rate", threshold=80, min_volume=5)
    save(container, "delivery-by-account", metric="delivery_rate", threshold=80, min_volume=5, per="account")
    with scans(container.engine) as found:
        raised = watch(container)
    assert len(raised) >= 2  # the campaign's and the account's delivery, judged
    assert found == []
