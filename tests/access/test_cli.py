"""`herald users`, `herald keys` and `herald audit` from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from herald import access, bootstrap
from herald.access import Actor
from herald.clock import FrozenClock
from herald.config import Settings
from herald.db import make_engine
from tests.cli.test_cli import add_users, as_json, herald
from tests.conftest import NOW


def test_users_are_managed_from_the_command_line(capsys, db_url, monkeypatch) -> None:
    db = ("--db", db_url)
    herald(capsys, *db, "db", "upgrade")
    add_users(capsys, *db, ada="owner", sam="support")
    listed = as_json(capsys, *db, "--json", "users", "list")
    assert [(u["name"], u["role"], u["status"]) for u in listed] == [
        ("ada", "owner", "active"),
        ("sam", "support", "active"),
    ]
    assert "password" not in json.dumps(listed)
    assert as_json(capsys, *db, "--json", "users", "set-role", "sam", "analyst")["role"] == "analyst"
    herald(capsys, "--as", "sam", *db, "users", "disable", "ada", code=5)  # an analyst manages no one
    assert "needs the 'users:manage' permission" in herald.last_err
    herald(capsys, *db, "users", "disable", "sam")
    herald(capsys, "--as", "sam", *db, "tags", "list", code=5)
    assert "disabled" in herald.last_err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    herald(capsys, *db, "users", "reset-password", "ada", "--password-stdin", code=2)
    assert "at least 10 characters" in herald.last_err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    herald(capsys, *db, "users", "create", "bob", "--role", "marketer", code=2)  # no terminal, no --password-stdin
    shown = as_json(capsys, *db, "--json", "users", "second-factor", "ada")
    assert shown["address"].startswith("otpauth://totp/Herald%3Aada?secret=")


def test_keys_are_printed_once_and_revoked_at_once(capsys, db_url) -> None:
    db = ("--db", db_url)
    herald(capsys, *db, "db", "upgrade")
    made = as_json(capsys, *db, "--json", "keys", "create", "shop-sync", "--scope", "contacts:write,events:write")
    assert made["key"].startswith("hk_") and made["scopes"] == ["contacts:write", "events:write"]
    listed = as_json(capsys, *db, "--json", "keys", "list")
    assert [k["status"] for k in listed] == ["active"] and made["key"] not in json.dumps(listed)
    herald(capsys, *db, "keys", "create", "x", "--scope", "contacts:everything", code=2)
    herald(capsys, *db, "keys", "create", "y", "--scope", "contacts:read", "--expires", "soon", code=2)
    herald(capsys, *db, "keys", "revoke", "shop-sync")
    assert as_json(capsys, *db, "--json", "keys", "list")[0]["status"] == "revoked"


def test_the_audit_log_is_listed_exported_and_verified(capsys, db_url, tmp_path) -> None:
    db = ("--db", db_url)
    herald(capsys, *db, "db", "upgrade")
    add_users(capsys, *db, maya="marketer")
    herald(capsys, "--as", "maya", *db, "tags", "create", "vip")
    herald(capsys, "--as", "maya", *db, "contacts", "erase", "1", "--yes", code=5)
    listed = as_json(capsys, *db, "--json", "audit", "list", "--actor", "maya")
    assert [(e["action"], e["outcome"]) for e in listed] == [
        ("cli contacts erase", "refused"),
        ("cli tags create", "done"),
    ]
    assert as_json(capsys, *db, "--json", "audit", "list", "--refused")[0]["note"].startswith("maya may not")
    engine = make_engine(db_url)
    container = bootstrap.build(Settings(database_url=db_url), clock=FrozenClock(NOW))
    with container.unaudited() as uow:  # a name a spreadsheet would run as a formula
        access.append(uow, Actor("user", "=HYPERLINK(1)", frozenset(), "10.0.0.1"), "api x", NOW)
    container.close()
    herald(capsys, *db, "audit", "export", "--output", str(tmp_path / "audit.csv"))
    rows = list(csv.DictReader((tmp_path / "audit.csv").open(encoding="utf-8")))
    assert len(rows) == 4 and rows[-1]["actor"] == "'=HYPERLINK(1)"
    lines = herald(capsys, *db, "audit", "export", "--format", "jsonl", "--action", "cli tags").splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["cli tags create"]
    herald(capsys, *db, "audit", "export", "--format", "pdf", code=2)
    assert as_json(capsys, *db, "--json", "audit", "verify")["intact"] is True
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET outcome = 'done' WHERE outcome = 'refused'"))
    engine.dispose()
    said = herald(capsys, *db, "audit", "verify", code=1)
    assert "breaks the chain: its contents were changed" in said


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_audit_log_is_exported_through_the_api(container, fmt: str) -> None:
    from tests.web.clients import api_client

    client = api_client(container)
    client.post("/api/v1/tags", json={"name": "vip"})
    answer = client.get("/api/v1/audit/export", params={"format": fmt})
    assert answer.status_code == 200 and f'filename="audit.{fmt}"' in answer.headers["content-disposition"]
    body = answer.text.splitlines()
    assert len(body) == (2 if fmt == "csv" else 1) and "api tags.create_tag" in body[-1]
    assert client.get("/api/v1/audit/export", params={"format": "pdf"}).status_code == 422
