"""`herald rules decide`: the policy playground, with no database."""

from __future__ import annotations

import io
import json

import pytest

from herald.cli.main import run

BASE = {
    "phone": "+9779841234567",
    "consents": [{"channel": "sms", "purpose": "marketing", "status": "granted", "at": "2026-03-01T00:00:00Z"}],
    "intent": {"purpose": "marketing", "channels": ["whatsapp", "sms"]},
}


def decide(capsys, monkeypatch, data, *args: str, code: int = 0):
    monkeypatch.setattr("sys.stdin", io.StringIO(data if isinstance(data, str) else json.dumps(data)))
    try:
        run(["rules", "decide", "--json", *args])
        got = 0
    except SystemExit as exc:
        got = exc.code
    captured = capsys.readouterr()
    assert got == code, captured.err
    return json.loads(captured.out) if code == 0 else captured.err


def test_it_falls_back_to_the_consented_channel_and_sends_now(capsys, monkeypatch) -> None:
    result = decide(capsys, monkeypatch, BASE, "--now", "2026-03-10T14:00:00Z")
    assert (result["action"], result["channel"], result["at"]) == ("send", "sms", "2026-03-10T14:00:00+00:00")
    assert {(t["channel"], t["rule"], t["verdict"]) for t in result["trail"]} >= {
        ("whatsapp", "consent", "skip"),
        ("sms", "quiet_hours", "pass"),
    }


def test_a_cap_that_ends_at_night_defers_to_the_morning(capsys, monkeypatch) -> None:
    data = {**BASE, "sends": [{"channel": "sms", "purpose": "marketing", "at": "2026-03-10T01:00:00Z"}]}
    result = decide(capsys, monkeypatch, data, "--now", "2026-03-10T14:00:00Z")
    assert (result["action"], result["until"]) == ("defer", "2026-03-11T02:15:00+00:00")
    cap = next(t for t in result["trail"] if t["channel"] == "sms" and t["rule"] == "frequency_cap")
    assert cap["detail"].startswith("1 message in the last 24 h reaches the cap of 1")


def test_the_contact_time_zone_and_a_policy_file_are_used(capsys, monkeypatch, tmp_path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('[quiet_hours]\nstart = "12:00"\nend = "13:00"\n', encoding="utf-8")
    data = {**BASE, "timezone": "America/New_York"}  # 14:00 UTC is 10:00 EDT
    result = decide(capsys, monkeypatch, data, "--now", "2026-03-10T16:30:00Z", "--policy", str(policy))
    assert (result["action"], result["until"]) == ("defer", "2026-03-10T17:00:00+00:00")


def test_a_skip_names_its_rule(capsys, monkeypatch) -> None:
    data = {**BASE, "suppressions": [{"channel": "sms", "reason": "opt-out"}]}
    result = decide(capsys, monkeypatch, data, "--now", "2026-03-10T14:00:00Z")
    assert (result["action"], result["reason"]) == ("skip", "consent")  # whatsapp's skip comes first
    assert any(t["rule"] == "suppression" and "opt-out" in t["detail"] for t in result["trail"])


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        ("{not json", [], "standard input: not JSON"),
        ("[1]", [], "expected a JSON object"),
        ({**BASE, "phone": "12"}, [], "phone: no country code"),
        ({**BASE, "email": "x@"}, [], "email: not a valid email address"),
        ({**BASE, "consents": [{"channel": "fax", "at": "2026-03-01T00:00:00Z"}]}, [], "consents[0].channel"),
        ({**BASE, "consents": [{"channel": "sms", "at": "yesterday"}]}, [], "consents[0].at"),
        (
            {**BASE, "consents": [{"channel": "sms", "status": "maybe", "at": "2026-03-01T00:00:00Z"}]},
            [],
            "consents[0].status",
        ),
        (
            {**BASE, "sends": [{"channel": "sms", "at": "2026-03-01T00:00:00"}]},
            [],
            "sends[0].at: '2026-03-01T00:00:00' has no UTC offset",
        ),
        ({**BASE, "intent": {"channels": "sms"}}, [], "intent.channels"),
        ({**BASE, "intent": {"purpose": "spam"}}, [], "intent.purpose"),
        (BASE, ["--preset", "mars"], "unknown preset 'mars'"),
        (BASE, ["--now", "soon"], "--now"),
    ],
)
def test_bad_input_names_the_field(capsys, monkeypatch, data, args, message) -> None:
    err = decide(capsys, monkeypatch, data, *args, code=2)
    assert err.startswith("error: ") and message in err


def test_a_made_up_time_zone_is_named(capsys, monkeypatch) -> None:
    err = decide(capsys, monkeypatch, {**BASE, "timezone": "Mars/Olympus"}, code=2)
    assert "timezone: 'Mars/Olympus' is not a time zone" in err


def test_france_waits_for_monday_and_wants_proof(capsys, monkeypatch) -> None:
    data = {
        "phone": "+33612345678",
        "timezone": "Europe/Paris",
        "intent": {"channels": ["sms"]},
        "consents": [
            {
                "channel": "sms",
                "status": "granted",
                "at": "2026-01-01T00:00:00Z",
                "source": "form",
                "evidence": "signed up at the till, 2026-01-01",
            }
        ],
    }
    sunday = decide(capsys, monkeypatch, data, "--preset", "fr", "--now", "2026-12-27T10:00:00Z")
    assert (sunday["action"], sunday["until"]) == ("defer", "2026-12-28T07:00:00+00:00")
    no_proof = {**data, "consents": [{**data["consents"][0], "evidence": None}]}
    skipped = decide(capsys, monkeypatch, no_proof, "--preset", "fr", "--now", "2026-12-28T10:00:00Z")
    assert skipped["action"] == "skip" and "no recorded proof" in skipped["trail"][0]["detail"]


def test_a_landline_is_never_texted(capsys, monkeypatch) -> None:
    data = {**BASE, "line_type": "fixed_line", "intent": {"channels": ["sms"]}}
    result = decide(capsys, monkeypatch, data, "--now", "2026-03-10T14:00:00Z")
    assert (result["action"], result["reason"]) == ("skip", "line_type")
