"""`herald providers list` and `herald config show`: accounts and settings, never a secret."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from herald.cli.main import run
from tests.cli.test_cli import as_json, herald

TOML = """
[herald]
database_url = "sqlite:///providers.db"
secret_key = "the-installation-secret-key"

[providers.gateway]
kind = "webhook"
url = "https://gw.example/send"
secret = "env:GATEWAY_SECRET"

[providers.backup]
kind = "webhook"
url = "https://backup.example/send"
secret = "a-secret-written-inline"
rate = 2.5
daily_limit = 1000
rate_unit = "segment"

[[providers.backup.senders]]
from = "+9771000001"
country = "NP"
daily_limit = 500
pools = ["promo"]

[providers.dry-run]
kind = "file"

[routing]
sms = { default = ["gateway", "backup"], NA = ["dry-run"] }
email = ["dry-run"]
"""


@pytest.fixture
def configured(tmp_path, monkeypatch, capsys):
    (tmp_path / "herald.toml").write_text(TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATEWAY_SECRET", "whsec_c2VjcmV0LWtleS1vZi1zb21lLWxlbmd0aA==")
    with contextlib.suppress(SystemExit):
        run(["db", "upgrade"])
    capsys.readouterr()


def test_the_accounts_are_listed_with_their_routes_and_no_secret(capsys, configured) -> None:
    listed = {a["name"]: a for a in as_json(capsys, "providers", "list", "--json")}
    assert listed["gateway"]["routes"] == ["sms"] and listed["dry-run"]["routes"] == ["email", "sms.NA"]
    assert listed["gateway"]["settings"]["secret"] == "env:GATEWAY_SECRET"
    assert listed["backup"]["settings"]["secret"] == "(hidden)"
    assert listed["backup"]["settings"]["senders"][0]["pools"] == ["promo"]
    shown = herald(capsys, "providers", "list")
    assert "gateway" in shown and "written-inline" not in shown and "c2VjcmV0" not in shown


def test_config_show_hides_every_secret_and_keeps_the_tables(capsys, configured) -> None:
    shown = herald(capsys, "config", "show")
    assert "[providers.gateway]" in shown and 'sms = { default = ["gateway", "backup"], NA = ["dry-run"] }' in shown
    assert "the-installation-secret-key" not in shown and "written-inline" not in shown
    assert 'secret_key = "(hidden)"' in shown and 'secret = "env:GATEWAY_SECRET"' in shown
    data = as_json(capsys, "config", "show", "--json")
    assert data["secret_key"] == "(hidden)" and data["provider_accounts"]["backup"]["secret"] == "(hidden)"


def test_a_missing_secret_is_one_line_naming_the_account_and_key(capsys, configured, monkeypatch) -> None:
    monkeypatch.delenv("GATEWAY_SECRET")
    herald(capsys, "providers", "list", code=2)
    assert herald.last_err == "error: [providers.gateway] secret: the environment has no variable 'GATEWAY_SECRET'\n"


def test_status_shows_each_accounts_circuit_as_the_workers_left_it(capsys, configured) -> None:
    from herald import bootstrap, dispatch
    from herald.config import load_settings
    from herald.dispatch import Health

    now = datetime.now(UTC)
    container = bootstrap.build(load_settings())
    with container.uow() as uow:
        dispatch.record_health(uow, Health("gateway", 5, now + timedelta(minutes=10), "HTTP 503: upstream down"), now)
        dispatch.record_notice(uow, "backup", "the number's quality is low", now)
    with container.uow() as uow:
        dispatch.take(uow, "account:backup", dispatch.PacingLimits(2.5, 1000), [3, 1], now)
        dispatch.take(uow, dispatch.sender_bucket("backup", "+9771000001"), dispatch.PacingLimits(None, 500), [2], now)
    capsys.readouterr()
    status = {s["account"]: s for s in as_json(capsys, "providers", "status", "--json")}
    assert status["gateway"]["state"] == "open" and status["gateway"]["faults_in_a_row"] == 5
    assert status["gateway"]["last_fault"] == "HTTP 503: upstream down"
    assert status["backup"]["state"] == "closed" and status["dry-run"]["open_until"] is None
    assert (status["backup"]["rate"], status["backup"]["used_today"], status["backup"]["unit"]) == (2.5, 3, "segment")
    assert status["gateway"]["rate"] is None and status["gateway"]["used_today"] == 0
    [own, listed] = status["backup"]["senders"]
    assert own["address"] is None and own["pools"] == [] and status["gateway"]["senders"] == []
    assert listed == {
        "name": "+9771000001",
        "address": "+9771000001",
        "country": "NP",
        "pools": ["promo"],
        "rate": None,
        "daily_limit": 500,
        "used_today": 2,
    }
    shown = herald(capsys, "providers", "status")
    assert "gateway" in shown and "open" in shown and "closed" in shown
    assert "Senders" in shown and "promo" in shown and "500" in shown  # the table wraps cells
    assert "2.5/s" in shown and "unpaced" in shown  # the table wraps cells to the terminal
    assert status["backup"]["notice"] == "the number's quality is low" and status["gateway"]["notice"] is None
    assert "backup: the number's quality is low (said by the vendor" in shown
