"""`herald providers check NAME` and `send-test NAME`, against the sandbox's stand-ins."""

from __future__ import annotations

import contextlib
import json

import pytest

from herald.cli.main import run
from herald.sandbox import ENVIRON, running_vendors
from tests.cli.test_cli import add_users, as_json, herald


@pytest.fixture
def vendors(tmp_path, monkeypatch, capsys):
    """A herald.toml naming the sandbox's stand-ins, one account with a wrong token, and a schema."""
    with running_vendors() as found:
        accounts = found.accounts()
        lines = ["[herald]", 'database_url = "sqlite:///check.db"', f'outbox_dir = "{tmp_path / "out"}"']
        accounts["wrong-twilio"] = {**accounts["sandbox-twilio"], "auth_token": "a-token-twilio-refuses"}
        accounts["dry"] = {"kind": "file", "dir": str(tmp_path / "dry")}
        for name, table in accounts.items():
            lines += [f"[providers.{name}]", *(f"{k} = {json.dumps(v)}" for k, v in table.items())]
        lines += ["[routing]", 'sms = ["sandbox-twilio"]', 'email = ["sandbox-gateway"]']
        (tmp_path / "herald.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        for name, value in ENVIRON.items():
            monkeypatch.setenv(name, value)
        with contextlib.suppress(SystemExit):
            run(["db", "upgrade"])
        capsys.readouterr()
        yield found


def test_check_asks_each_vendor_whether_the_account_can_send(capsys, vendors) -> None:
    assert as_json(capsys, "providers", "check", "sandbox-twilio", "--json") == {
        "account": "sandbox-twilio",
        "ok": True,
        "detail": "account Herald sandbox is active",
    }
    gateway = as_json(capsys, "providers", "check", "sandbox-gateway", "--json")
    assert gateway["ok"] and "answered 200" in gateway["detail"]
    assert as_json(capsys, "providers", "check", "dry", "--json")["ok"] is True
    mail = as_json(capsys, "providers", "check", "sandbox-mail", "--json")
    assert mail["ok"] and mail["detail"].endswith("answered (no encryption, signed in as herald)")
    smsc = as_json(capsys, "providers", "check", "sandbox-smpp", "--json")
    assert smsc["ok"] and smsc["detail"].endswith("as herald (transceiver)")
    refused = herald(capsys, "providers", "check", "wrong-twilio", code=1)
    assert "wrong-twilio: cannot send — 20003: Authenticate" in refused
    herald(capsys, "providers", "check", "nobody", code=3)
    assert "no provider account named 'nobody'" in herald.last_err


def test_send_test_sends_one_message_through_one_account(capsys, vendors) -> None:
    sent = as_json(
        capsys, "providers", "send-test", "sandbox-twilio", "--to", "+1 415 555 2671", "--text", "Hi", "--json"
    )
    assert (
        sent["result"] == "Accepted" and sent["to"] == "+14155552671" and sent["provider_message_id"].startswith("SM")
    )
    assert [f["To"] for f in vendors.twilio.created] == [["+14155552671"]]
    mail = as_json(
        capsys,
        "providers",
        "send-test",
        "sandbox-gateway",
        "--channel",
        "email",
        "--to",
        "Ana@Example.com",
        "--text",
        "Hello",
        "--json",
    )
    assert mail["result"] == "Accepted" and mail["to"] == "ana@example.com"
    letter = as_json(
        capsys,
        "providers",
        "send-test",
        "sandbox-mail",
        "--channel",
        "email",
        "--to",
        "li@example.com",
        "--text",
        "Hi",
        "--json",
    )
    got = vendors.mail.received[letter["provider_message_id"]]
    assert got["to"] == "li@example.com" and got["text"].strip() == "Hi"
    herald(capsys, "providers", "send-test", "sandbox-twilio", "--to", "12", "--text", "x", code=2)
    assert herald.last_err.startswith("error: --to: ")
    herald(capsys, "providers", "send-test", "sandbox-twilio", "--to", "984-1234567", "--text", "x", code=2)
    assert herald.last_err == "error: --to: no country code: write the number as +CC… or pass --region\n"
    nepal = as_json(
        capsys,
        "providers",
        "send-test",
        "sandbox-twilio",
        "--to",
        "984-1234567",
        "--region",
        "NP",
        "--text",
        "नमस्ते",
        "--json",
    )
    assert nepal["to"] == "+9779841234567" and nepal["result"] == "Accepted"
    herald(capsys, "providers", "send-test", "wrong-twilio", "--to", "+14155552671", "--text", "x", code=1)


WINTER = {
    "category": "MARKETING",
    "body": "Hi {{1}}, the winter sale starts today. Reply STOP to opt out.",
    "params": {"1": "first_name"},
}


def test_a_whatsapp_version_is_submitted_to_meta_and_its_review_read_back(capsys, vendors, tmp_path) -> None:
    (tmp_path / "wa.json").write_text(json.dumps(WINTER), encoding="utf-8")
    add_users(capsys, ana="marketer", bo="approver")
    herald(capsys, "--as", "ana", "templates", "create", "winter_promo", "--channel", "whatsapp", "--file", "wa.json")
    herald(capsys, "templates", "meta-submit", "winter_promo", "--account", "sandbox-whatsapp", code=3)
    assert "no approved en version of variant A" in herald.last_err
    herald(capsys, "--as", "ana", "templates", "submit", "winter_promo")
    herald(capsys, "--as", "bo", "templates", "approve", "winter_promo")
    herald(capsys, "templates", "meta-submit", "winter_promo", "--account", "sandbox-whatsapp", code=2)
    assert herald.last_err.startswith("error: examples: give an example value for body.1 (first_name)")
    herald(capsys, "templates", "meta-submit", "winter_promo", "--account", "sandbox-twilio", "--example", "x", code=2)
    assert "a twilio account manages no WhatsApp templates" in herald.last_err
    sent = as_json(
        capsys, "templates", "meta-submit", "winter_promo", "--account", "sandbox-whatsapp", "--example", "body.1=Sita",
        "--json",
    )  # fmt: skip
    assert (sent["name"], sent["language"], sent["status"]) == ("winter_promo", "en", "PENDING")
    assert vendors.whatsapp.submitted[("winter_promo", "en")]["components"][0]["example"] == {"body_text": [["Sita"]]}
    synced = as_json(capsys, "templates", "meta-sync", "--account", "sandbox-whatsapp", "--json")
    assert synced["versions_changed"] == 1
    assert {"name": "winter_promo", "language": "en", "status": "APPROVED", "id": sent["id"], "reason": None} in synced[
        "templates"
    ]
    [version] = as_json(capsys, "templates", "show", "winter_promo", "--json")
    assert (version["meta_status"], version["meta_template_id"]) == ("APPROVED", sent["id"])
    printed = herald(capsys, "templates", "meta-sync", "--account", "sandbox-whatsapp")
    assert "winter_promo" in printed and "0 version(s) updated." in printed
