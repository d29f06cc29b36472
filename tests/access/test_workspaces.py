"""Workspaces: each brand's data in its own database or schema, reached only through it. Two workspaces
start with the same data; everything done in one leaves what every route and command of the other
answers unchanged. On both databases."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from herald import access
from herald.access import system_actor
from herald.db.workspaces import schema_of
from herald.web import create_server
from tests.cli.test_cli import as_json, herald
from tests.conftest import NOW
from tests.scenario import setup

OWNER = system_actor("tests", "localhost")


@pytest.fixture
def two(container, tmp_path):
    """The control store with workspaces acme and beta, each set up alike; their containers."""
    made = {}
    for name in ("acme", "beta"):
        with container.control_uow() as uow:
            access.create_workspace(uow, name, NOW, OWNER)
        made[name] = container.for_workspace(name)
        _drop(made[name])  # a schema left by an earlier test on PostgreSQL
        made[name].migrate_own()
        folder = tmp_path / name
        folder.mkdir()
        setup(made[name], folder)
    yield made
    for other in made.values():
        _drop(other)
        other.close()


def _drop(other) -> None:
    schema = schema_of(other.engine.url.render_as_string(False))
    if schema:
        with other.control_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        other.engine.dispose()


def key(container, workspace: str, name: str) -> str:
    with container.control_uow() as uow:
        scopes = sorted(access.catalog().permissions)
        return access.create_key(uow, name, scopes, OWNER, NOW, workspace=workspace).key


def reads(client: TestClient, prefix: str = "") -> dict[str, object]:
    """What every GET route of the API answers (ids and names the scenario made filled in)."""
    schema = client.get(f"{prefix}/api/v1/openapi.json").json()
    found = {}
    for path, operations in schema["paths"].items():
        if "get" not in operations or not path.startswith("/api/v1/") or "{job_id}" in path:
            continue
        url = path.replace("{contact_id}", "1").replace("{ref}", "1").replace("{name}", "vip")
        url = re.sub(r"\{[^}]+\}", "1", url)
        params = {"q": "all"} if path.endswith("/segments/count") else {}
        answer = client.get(prefix + url, params=params)
        found[path] = (answer.status_code, answer.text)
    return found


def test_what_one_workspace_does_no_route_of_the_other_sees(container, two) -> None:
    server = TestClient(create_server(container))
    acme = {"Authorization": f"Bearer {key(container, 'acme', 'acme-key')}"}
    beta = {"Authorization": f"Bearer {key(container, 'beta', 'beta-key')}"}
    server.headers.update(acme)
    before = reads(server)
    assert sum(code == 200 for code, _ in before.values()) > 15
    assert json.loads(before["/api/v1/contacts"][1])["total"] == 6
    # Beta changes everything it can: contacts, tags, segments, templates, campaigns.
    changes = [
        ("post", "/api/v1/contacts", {"phone": "+9779841111111", "name": "Only Beta"}),
        ("patch", "/api/v1/contacts/1", {"name": "Renamed in beta"}),
        ("post", "/api/v1/tags", {"name": "beta-only"}),
        ("post", "/api/v1/tags/vip/contacts", {"ids": [1, 2, 3]}),
        ("post", "/api/v1/segments", {"name": "np", "expression": "region:NP"}),
        ("post", "/api/v1/campaigns/1/start", None),
        ("delete", "/api/v1/contacts/2", None),
    ]
    for method, path, body in changes:
        answer = server.request(method.upper(), path, json=body, headers=beta)
        assert answer.status_code < 300, (path, answer.text)
    assert reads(server) == before
    beta_client = TestClient(create_server(container), headers=beta)
    assert json.loads(beta_client.get("/api/v1/contacts").text)["total"] == 6  # one more, one erased
    assert beta_client.get("/api/v1/contacts/1").json()["name"] == "Renamed in beta"


def test_a_key_works_only_in_its_own_workspace(container, two) -> None:
    acme = key(container, "acme", "acme-key")
    server = TestClient(create_server(container), headers={"Authorization": f"Bearer {acme}"})
    assert server.get("/api/v1/contacts").status_code == 200  # its workspace, found by the key
    assert server.get("/w/acme/api/v1/contacts").status_code == 200
    refused = server.get("/w/beta/api/v1/contacts")
    assert refused.status_code == 403 and "belongs to workspace 'acme'" in refused.json()["detail"]
    assert server.get("/api/v1/contacts", headers={"X-Herald-Workspace": "beta"}).status_code == 403
    assert server.get("/w/nowhere/api/v1/contacts").status_code == 404
    browser = TestClient(create_server(container), cookies={"herald_workspace": "gone"})
    assert browser.get("/signin").status_code == 200  # a cookie naming no workspace: the default one answers
    assert TestClient(create_server(container), cookies={"herald_workspace": "beta"}).get("/healthz").status_code == 200
    me = server.get("/api/v1/me").json()
    assert (me["workspace"], me["workspaces"]) == ("acme", ["acme"])
    beta = container.for_workspace("beta")
    with beta.unaudited() as uow:  # both refusals recorded in the log of the workspace knocked on
        assert [e.actor for e in access.entries(uow) if e.outcome == "refused"] == ["key:acme-key"] * 2
    beta.close()


def test_a_user_acts_only_where_they_belong(container, two) -> None:
    with container.control_uow() as uow:
        access.create_user(uow, "mo", "marketer", "correct horse battery", NOW)
        access.add_member(uow, "acme", "mo", "analyst")
    with container.control_uow() as uow:
        found = access.user(uow, "mo")
        assert access.workspaces_of(uow, access.actor_of(found, "x")) == ["default", "acme"]
        assert access.member_actor(uow, found, "acme", "x").role == "analyst"
        assert access.member_actor(uow, found, "default", "x").role == "marketer"
        with pytest.raises(Exception, match="not a member of workspace 'beta'"):
            access.member_actor(uow, found, "beta", "x")


def test_commands_under_one_workspace_see_only_its_rows(capsys, container, two, db_url) -> None:
    db = ("--db", db_url)
    acme = as_json(capsys, *db, "-w", "acme", "--json", "contacts", "list")
    herald(capsys, *db, "-w", "beta", "contacts", "erase", "1", "--yes")
    herald(capsys, *db, "-w", "beta", "tags", "apply", "vip", "--ids", "3")
    assert as_json(capsys, *db, "-w", "acme", "--json", "contacts", "list") == acme
    assert as_json(capsys, *db, "-w", "acme", "--json", "segments", "count", "tag:vip")["count"] == 0
    assert as_json(capsys, *db, "-w", "beta", "--json", "segments", "count", "tag:vip")["count"] == 1
    herald(capsys, *db, "-w", "gamma", "contacts", "list", code=3)
    assert "no workspace 'gamma'" in herald.last_err
    upgraded = as_json(capsys, *db, "--json", "db", "upgrade")
    assert sorted(upgraded["workspaces"]) == ["acme", "beta"]


def test_one_worker_sends_for_every_workspace(capsys, container, two, db_url, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    db = ("--db", db_url)
    for name in ("acme", "beta"):
        assert as_json(capsys, *db, "-w", name, "--json", "campaigns", "start", "1")["audience"] == 6
    alone = as_json(capsys, *db, "-w", "acme", "--json", "worker", "--until-idle")
    both = as_json(capsys, *db, "--json", "worker", "--until-idle", "--all-workspaces")
    assert alone["sent"] > 0 and both["sent"] == alone["sent"]  # acme's were sent; now beta's, as many
    assert as_json(capsys, *db, "-w", "beta", "--json", "worker", "--until-idle")["sent"] == 0


def test_workspaces_are_made_and_joined_from_the_command_line(capsys, container, db_url) -> None:
    db = ("--db", db_url)
    made = as_json(capsys, *db, "--json", "workspaces", "create", "gamma", "--label", "Gamma Shoes")
    try:
        assert made == {"name": "gamma", "label": "Gamma Shoes"}
        herald(capsys, *db, "workspaces", "create", "gamma", code=4)
        herald(capsys, *db, "workspaces", "create", "Not OK", code=2)
        with container.control_uow() as uow:
            access.create_user(uow, "mo", "marketer", "correct horse battery", NOW)
        herald(capsys, *db, "workspaces", "add-member", "gamma", "mo", "support")
        listed = as_json(capsys, *db, "--json", "workspaces", "list")
        assert listed == [
            {"name": "default", "members": {"mo": "marketer"}},
            {"name": "gamma", "members": {"mo": "support"}},
        ]
        assert as_json(capsys, "--as", "mo", *db, "-w", "gamma", "--json", "contacts", "list") == []
        herald(capsys, "--as", "mo", *db, "-w", "gamma", "tags", "create", "x", code=5)  # support: no tags:write
        herald(capsys, *db, "workspaces", "remove-member", "gamma", "mo")
        herald(capsys, "--as", "mo", *db, "-w", "gamma", "contacts", "list", code=5)
        assert "not a member of workspace 'gamma'" in herald.last_err
    finally:
        gamma = container.for_workspace("gamma")
        _drop(gamma)
        gamma.close()


def test_the_pages_switch_between_the_workspaces_a_user_belongs_to(container, two) -> None:
    from tests.web.clients import form_token

    with container.control_uow() as uow:
        access.create_user(uow, "mo", "marketer", "correct horse battery", NOW)
        access.add_member(uow, "acme", "mo", "analyst")
    browser = TestClient(create_server(container), follow_redirects=False)
    browser.post("/signin", data={"name": "mo", "password": "correct horse battery", "csrf": form_token(browser)})
    home = browser.get("/").text
    assert 'href="/w/acme/"' in home and 'href="/w/beta/"' not in home
    acme = browser.get("/w/acme/campaigns")
    assert acme.status_code == 200 and 'href="/w/acme/campaigns"' in acme.text  # links stay in the workspace
    assert browser.get("/w/acme/contacts").status_code == 403  # an analyst there
    assert browser.get("/w/beta/").status_code in (401, 403, 303)
