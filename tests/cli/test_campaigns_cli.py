"""`herald campaigns …` end to end: variants, hold-out, rollout, preflight, schedules, pause, resume, clone."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import add_users, as_json, herald
from tests.scenario import CSV

SMS_BODY = "Hi {{ first_name | default('there') }}! Reply STOP to opt out."


@pytest.fixture
def db(capsys, db_url, tmp_path, monkeypatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    args = ["--db", db_url]
    herald(capsys, *args, "contacts", "import", "c.csv")
    add_users(capsys, *args, ana="marketer", bo="approver")
    for name in ("sale", "sale-b"):
        herald(capsys, "--as", "ana", *args, "templates", "create", name, "--channel", "sms", "--body", SMS_BODY)
        herald(capsys, "--as", "ana", *args, "templates", "submit", name)
        herald(capsys, "--as", "bo", *args, "templates", "approve", name)
    return args


def test_a_b_test_with_hold_out_and_rollout(capsys, db, tmp_path) -> None:
    made = as_json(
        capsys,
        *db,
        "--json",
        "campaigns",
        "create",
        "AB",
        "--segment",
        "has:phone",
        "--variant",
        "A=50:sale",
        "--variant",
        "B=50:sale-b",
        "--holdout",
        "10",
        "--canary",
        "50",
    )
    assert [v["name"] for v in made["variants"]] == ["A", "B"] and made["rollout"]["canary_percent"] == 50
    text = herald(capsys, *db, "campaigns", "preflight", "AB")
    assert "audience 6" in text and "by variant" in text and "Ready to start." in text
    report = as_json(capsys, *db, "--json", "campaigns", "preflight", "AB")
    assert sum(report["by_variant"].values()) == 6 and report["blocking"] == []
    started = as_json(capsys, *db, "--json", "campaigns", "start", "AB")
    assert started["new"] == 6 and started["held_for_rollout"] + started["send_now"] + started["deferred"] <= 6
    shown = herald(capsys, *db, "campaigns", "show", "AB")
    assert "running" in shown and "A 50% sms; B 50% sms" in shown
    why = herald(capsys, *db, "campaigns", "why", "AB")
    assert "consent" in why


def test_preflight_notes_the_presets_that_speak_for_recipients_elsewhere(capsys, db) -> None:
    herald(capsys, *db, "campaigns", "create", "Sale", "--segment", "has:phone", "--template", "sale")
    text = herald(capsys, *db, "campaigns", "preflight", "Sale")
    assert "NOTE: cn-sms speaks for 1 recipient(s) on sms (CN 1); this campaign follows default" in text
    assert "template sale (en/A v1) Chinese SMS must start or end with a 【signature】" in text
    assert '--preset cn-sms --segment "(has:phone) and (region:CN)", and leave them out' in text
    assert "Ready to start." in text
    herald(
        capsys,
        *db,
        "campaigns",
        "create",
        "Everywhere",
        "--segment",
        "has:phone",
        "--template",
        "sale",
        "--preset",
        "global",
    )
    followed = herald(capsys, *db, "campaigns", "preflight", "Everywhere")
    assert "(CN 1); this campaign follows global and, for them, cn-sms" in followed and "to follow it" not in followed
    report = as_json(capsys, *db, "--json", "campaigns", "preflight", "Sale")
    assert [(j["preset"], j["regions"]) for j in report["jurisdictions"]] == [
        ("cn-sms", {"CN": 1}),
        ("us-tcpa", {"US": 1}),
    ]


def test_pause_resume_cancel_and_clone(capsys, db) -> None:
    herald(capsys, *db, "campaigns", "create", "Sale", "--segment", "has:phone", "--template", "sale")
    herald(capsys, *db, "campaigns", "start", "Sale")
    assert as_json(capsys, *db, "--json", "campaigns", "pause", "Sale") == {
        "campaign": 1,
        "status": "paused",
        "messages": 4,
    }
    assert as_json(capsys, *db, "--json", "worker", "--until-idle")["sent"] == 0
    assert "queued again" in herald(capsys, *db, "campaigns", "resume", "Sale")
    # What is due now depends on the hour where each contact lives; every message is either sent or cancelled.
    sent = as_json(capsys, *db, "--json", "worker", "--until-idle")["sent"]
    assert as_json(capsys, *db, "--json", "campaigns", "cancel", "Sale")["messages"] == 4 - sent
    herald(capsys, *db, "campaigns", "resume", "Sale", code=4)
    assert "cannot resume" in herald.last_err
    assert as_json(capsys, *db, "--json", "campaigns", "clone", "Sale", "Sale 2")["status"] == "draft"
    listed = as_json(capsys, *db, "--json", "campaigns", "list")
    assert [(c["name"], c["status"]) for c in listed] == [("Sale", "cancelled"), ("Sale 2", "draft")]


def test_schedules_from_the_command_line(capsys, db) -> None:
    herald(capsys, *db, "campaigns", "create", "Weekly", "--segment", "has:phone", "--template", "sale")
    herald(capsys, *db, "campaigns", "schedule", "Weekly", "--cron", "0 25 * * *", code=2)
    assert "cron expression" in herald.last_err
    done = as_json(
        capsys, *db, "--json", "campaigns", "schedule", "Weekly", "--cron", "0 10 * * mon", "--zone", "Europe/Paris"
    )
    assert done["status"] == "scheduled" and done["schedule"] == "cron"
    herald(capsys, *db, "campaigns", "create", "Local", "--segment", "has:phone", "--template", "sale")
    herald(capsys, *db, "campaigns", "schedule", "Local", "--local-time", "10:00", "--on", "tomorrow", code=2)
    assert "--on: 'tomorrow' is not a date" in herald.last_err
    assert "Scheduled 'Local' (local)" in herald(capsys, *db, "campaigns", "schedule", "Local", "--local-time", "10:00")


def test_a_campaign_sent_on_an_event_from_the_command_line(capsys, db, tmp_path) -> None:
    herald(capsys, *db, "campaigns", "create", "Welcome", "--segment", "has:phone", "--template", "sale")
    herald(capsys, *db, "campaigns", "schedule", "Welcome", "--on-event", "signup", "--delay", "soon", code=2)
    assert "--delay: expected a delay such as 30m, 2h or 3d, got 'soon'" in herald.last_err
    said = herald(capsys, *db, "campaigns", "schedule", "Welcome", "--on-event", "signup", "--delay", "2h", "--once")
    assert "Scheduled 'Welcome' on each 'signup' event, 2h after it (once a contact), from now on." in said
    assert "sent             on each 'signup' event, 2h after it (once a contact)" in herald(
        capsys, *db, "campaigns", "show", "Welcome"
    )
    shown = as_json(capsys, *db, "--json", "campaigns", "show", "Welcome")
    assert shown["trigger"] == {"event": "signup", "delay_minutes": 120, "once": True}
    herald(capsys, *db, "campaigns", "start", "Welcome", code=4)
    assert "is sent on each 'signup' event as it comes" in herald.last_err
    herald(capsys, *db, "campaigns", "create", "Welcome 2", "--segment", "has:phone", "--template", "sale")
    herald(
        capsys, *db, "campaigns", "schedule", "Welcome 2", "--on-event", "signup", "--of-campaign", "Welcome", code=2
    )
    assert "--of-campaign: only a message's events" in herald.last_err
    said = herald(
        capsys, *db, "campaigns", "schedule", "Welcome 2", "--on-event", "message.delivered", "--of-campaign",
        "Welcome", "--delay", "3d",
    )  # fmt: skip
    assert "on each 'message.delivered' event of campaign 'Welcome', 3d after it" in said
    signup = '{"phone": "+264811234567", "type": "signup", "occurred_at": "2026-01-05T09:00:00Z"}\n'
    (tmp_path / "signups.jsonl").write_text(signup, encoding="utf-8")
    assert "1 recorded" in herald(capsys, *db, "events", "import", "signups.jsonl")
    assert "0 sent" in herald(capsys, *db, "worker", "--until-idle")  # planned two hours on
    report = as_json(capsys, *db, "--json", "reports", "campaign", "Welcome")
    assert sum(report["planned"].values()) == 1 and report["planned"]["send_now"] + report["planned"]["deferred"] == 1


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--segment", "all"], 2, "give --template"),
        (["--template", "sale"], 2, "give the audience"),
        (["--segment", "all", "--variant", "A=half:sale"], 2, "expected NAME=WEIGHT:TEMPLATE"),
        (["--segment", "all", "--variant", "A=60:sale"], 2, "add up to 60"),
        (["--segment", "all", "--template", "sale", "--canary", "0"], 2, "canary_percent"),
        (
            ["--segment", "all", "--template", "sale", "--set", 'send_window.windows=["22:00-23:00"]'],
            2,
            "leaves no moment to send",
        ),
        (["--contacts", "ids.txt", "--template", "sale"], 2, "ids.txt line 3: 'x' is not a contact id"),
    ],
)
def test_bad_campaigns_get_one_line(capsys, db, tmp_path, args, code, words) -> None:
    (tmp_path / "ids.txt").write_text("id\n1\nx\n", encoding="utf-8")
    herald(capsys, *db, "campaigns", "create", "Bad", *args, code=code)
    assert words in herald.last_err and herald.last_err.count("\n") == 1


def test_a_static_list_from_a_file(capsys, db, tmp_path) -> None:
    (tmp_path / "ids.txt").write_text("contact_id\n1\n2\n\n3\n", encoding="utf-8")
    herald(capsys, *db, "campaigns", "create", "Listed", "--contacts", "ids.txt", "--template", "sale")
    assert as_json(capsys, *db, "--json", "campaigns", "start", "Listed")["audience"] == 3


def test_a_blocked_campaign_does_not_start(capsys, db) -> None:
    herald(
        capsys, "--as", "ana", *db, "templates", "create", "nostop", "--channel", "sms", "--body", "Hi there, big sale!"
    )
    herald(capsys, "--as", "ana", *db, "templates", "submit", "nostop")
    herald(capsys, "--as", "bo", *db, "templates", "approve", "nostop")
    herald(capsys, *db, "campaigns", "create", "US", "--segment", "all", "--template", "nostop", "--preset", "us-tcpa")
    out = herald(capsys, *db, "campaigns", "preflight", "US", code=1)
    assert "BLOCKED" in out and "STOP" in out
    herald(capsys, *db, "campaigns", "start", "US", code=4)
    assert "cannot start" in herald.last_err


def test_an_a_b_test_phase_and_choosing_its_winner(capsys, db) -> None:
    ab = ["campaigns", "create", "Test", "--segment", "has:phone", "--variant", "A=50:sale", "--variant", "B=50:sale-b"]
    herald(capsys, *db, *ab, "--test-metric", "read", code=2)
    assert "the metric read cannot be measured: variant A sends no WhatsApp" in herald.last_err
    assert "Traceback" not in herald.last_err and len(herald.last_err.strip().splitlines()) == 1
    herald(capsys, *db, *ab, "--test-metric", "delivered", "--test-confidence", "120", code=2)
    assert "--test-confidence: expected a percentage from 50 to 99.9" in herald.last_err
    made = as_json(
        capsys, *db, "--json", *ab, "--test-metric", "delivered", "--test-percent", "50", "--test-hold", "30"
    )
    test = made["ab_test"]
    assert (test["metric"], test["test_percent"], test["hold_minutes"], test["confidence"]) == (
        "delivered",
        50,
        30,
        0.95,
    )
    started = as_json(capsys, *db, "--json", "campaigns", "start", "Test")
    assert started["held_for_test"] + started["send_now"] + started["deferred"] <= 6
    said = herald(capsys, *db, "campaigns", "winner", "Test", "B")
    assert "B won: chosen by system:" in said
    herald(capsys, *db, "campaigns", "winner", "Test", "A", code=4)
    assert "no A/B test waiting for a winner" in herald.last_err
    shown = herald(capsys, *db, "reports", "campaign", "Test")
    assert "A/B test on 50% by delivered (bayes, 95% sure, hold 30 min): decided" in shown
    assert "chosen by system:" in shown and "the rest got B" in shown
