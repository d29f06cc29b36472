"""Who may call the API: keys with scopes, signed-in sessions with CSRF, refusals answered and recorded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from herald import access
from herald.access.actors import system_actor
from herald.web import create_app
from herald.web.auth import every_route, guards, permission_of
from tests.conftest import NOW
from tests.web.clients import PASSWORD, api_client, browser_for, form_token

PUBLIC = {"/api/v1/openapi.json"}


def refusals(container) -> list[access.AuditEntry]:
    with container.unaudited() as uow:
        return [e for e in access.entries(uow) if e.outcome == "refused"]


def test_every_api_route_names_the_permission_it_needs(container) -> None:
    app = create_app(container)
    api = [r for r in every_route(app.routes) if getattr(r, "path", "").startswith("/api/v1/")]
    unguarded = [r.path for r in api if r.path not in PUBLIC and len(guards(r)) != 1]
    assert unguarded == [] and len(api) > 40
    named = {permission_of(guards(r)[0]) for r in api if r.path not in PUBLIC}
    assert named - {None} <= set(access.catalog().permissions) and len(named) > 15


def test_without_a_key_every_api_route_answers_401(container) -> None:
    app = create_app(container)
    client = TestClient(app)
    schema = client.get("/api/v1/openapi.json").json()
    answers = {}
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue  # vendors' webhooks keep their own signatures
        for method in operations:
            url = re.sub(r"\{[^}]+\}", "1", path)
            answer = client.request(method.upper(), url, json={})
            answers[f"{method.upper()} {path}"] = answer.status_code
            assert answer.headers.get("www-authenticate", "").startswith("Bearer"), path
    assert set(answers.values()) == {401}, answers
    assert len(answers) > 40
    assert {e.actor for e in refusals(container)} == {"public:anyone"}


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Bearer hk_nothing", "not one Herald issued"),
        ("Basic dXNlcjpwYXNz", "Authorization: Bearer"),
        ("Bearer ", "Authorization: Bearer"),
        ("Bearer hk_AAAAAAAA_" + "B" * 32, "not one Herald issued"),
    ],
)
def test_a_key_herald_did_not_issue_is_refused(container, header: str, reason: str) -> None:
    client = TestClient(create_app(container))
    answer = client.get("/api/v1/tags", headers={"Authorization": header})
    assert answer.status_code == 401 and reason in answer.json()["detail"]


def test_a_revoked_or_expired_key_is_refused_at_once(container, clock) -> None:
    client = api_client(container)
    assert client.get("/api/v1/tags").status_code == 200
    with container.uow() as uow:
        access.revoke_key(uow, "tests", NOW)
    answer = client.get("/api/v1/tags")
    assert answer.status_code == 401 and "was revoked" in answer.json()["detail"]
    with container.uow() as uow:
        made = access.create_key(
            uow, "brief", ["tags:read"], system_actor("t", "h"), NOW, expires_at=NOW + timedelta(hours=1)
        )
    headers = {"Authorization": f"Bearer {made.key}"}
    assert client.get("/api/v1/tags", headers=headers).status_code == 200
    clock.advance(hours=2)
    assert "expired" in client.get("/api/v1/tags", headers=headers).json()["detail"]


def test_a_key_is_refused_outside_its_scopes_and_the_refusal_is_recorded(container) -> None:
    client = api_client(container, ["contacts:read"])
    assert client.get("/api/v1/contacts").status_code == 200
    answer = client.delete("/api/v1/contacts/1")
    assert answer.status_code == 403 and "contacts:erase" in answer.json()["detail"]
    [refused] = refusals(container)
    assert (refused.actor, refused.action, refused.subject) == ("key:tests", "api contacts.erase", "contact_id=1")
    assert refused.detail == {"method": "DELETE", "status": 403} and "contacts:erase" in refused.note


def test_a_write_through_the_api_is_recorded_with_its_key_and_address(container) -> None:
    client = api_client(container)
    assert client.post("/api/v1/tags", json={"name": "vip"}).status_code == 201
    client.get("/api/v1/tags")  # a read: no entry
    with container.unaudited() as uow:
        [entry] = access.entries(uow)
    assert (entry.actor, entry.actor_kind, entry.action, entry.outcome) == (
        "key:tests",
        "key",
        "api tags.create_tag",
        "done",
    )
    assert entry.origin == "testclient"


def test_a_key_records_its_last_use(container) -> None:
    client = api_client(container)
    client.get("/api/v1/tags")
    with container.unaudited() as uow:
        [key] = access.keys(uow)
    assert key.last_used_at == NOW and key.last_used_from == "testclient"


def test_keys_and_users_are_managed_through_the_api(container) -> None:
    admin = api_client(container)
    made = admin.post("/api/v1/keys", json={"name": "shop-sync", "scopes": ["events:write"], "expires_in_days": 30})
    assert made.status_code == 201 and made.json()["key"].startswith("hk_")
    listed = admin.get("/api/v1/keys").json()
    assert {k["name"] for k in listed} == {"tests", "shop-sync"} and all("key" not in k for k in listed)
    shop = TestClient(create_app(container), headers={"Authorization": f"Bearer {made.json()['key']}"})
    assert shop.post("/api/v1/keys", json={"name": "more", "scopes": ["events:write"]}).status_code == 403
    assert admin.delete("/api/v1/keys/shop-sync").json()["status"] == "revoked"
    assert shop.get("/api/v1/me").status_code == 401
    user = admin.post("/api/v1/users", json={"name": "sam", "role": "support", "password": PASSWORD})
    assert user.status_code == 201 and "password" not in user.json()
    assert admin.patch("/api/v1/users/sam", json={"disabled": True}).json()["status"] == "disabled"
    assert admin.post("/api/v1/users", json={"name": "x", "role": "wizard", "password": PASSWORD}).status_code == 422


def test_a_key_gives_only_scopes_its_maker_holds(container) -> None:
    limited = api_client(container, ["keys:manage", "tags:read"])
    answer = limited.post("/api/v1/keys", json={"name": "wider", "scopes": ["contacts:erase"]})
    assert answer.status_code == 403 and "contacts:erase" in answer.json()["detail"]


def test_the_audit_log_is_read_through_the_api(container) -> None:
    client = api_client(container)
    client.post("/api/v1/tags", json={"name": "vip"})
    client.post("/api/v1/tags", json={"name": "new"})
    entries = client.get("/api/v1/audit", params={"action": "api tags"}).json()
    assert [e["subject"] for e in entries] == [None, None] and entries[0]["id"] > entries[1]["id"]
    assert client.get("/api/v1/audit", params={"before": entries[0]["id"]}).json()[0]["id"] == entries[1]["id"]
    assert client.get("/api/v1/audit/verify").json() | {"head": ""} == {
        "entries": 2,
        "head": "",
        "intact": True,
        "broken_at": None,
        "reason": None,
    }


def signed_in(container, name: str, role: str) -> tuple[TestClient, str]:
    """A browser signed in through the sign-in form; returns it and its CSRF token."""
    with container.uow() as uow:
        access.create_user(uow, name, role, PASSWORD, NOW)
    browser = TestClient(create_app(container), follow_redirects=False)
    data = {"name": name, "password": PASSWORD, "csrf": form_token(browser), "next": "/api/v1/me"}
    answer = browser.post("/signin", data=data)
    assert answer.status_code == 303 and answer.headers["location"] == "/api/v1/me", answer.text
    cookie = answer.headers["set-cookie"]
    assert "herald_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    return browser, browser.get("/api/v1/me").json()["csrf_token"]


def test_a_signed_in_browser_acts_with_its_role_and_needs_the_csrf_token_to_write(container) -> None:
    browser, csrf = signed_in(container, "mo", "marketer")
    me = browser.get("/api/v1/me").json()
    assert (me["name"], me["kind"], me["role"]) == ("mo", "user", "marketer") and "campaigns:send" in me["permissions"]
    refused = browser.post("/api/v1/tags", json={"name": "vip"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert browser.post("/api/v1/tags", json={"name": "vip"}, headers={"X-CSRF-Token": csrf}).status_code == 201
    with container.unaudited() as uow:
        actions = [(e.actor, e.action, e.outcome) for e in access.entries(uow)]
    assert actions == [
        ("mo", "web signin", "done"),
        ("mo", "api tags.create_tag", "refused"),
        ("mo", "api tags.create_tag", "done"),
    ]


def test_a_support_user_may_not_erase_a_contact(container) -> None:
    assert api_client(container).post("/api/v1/contacts", json={"phone": "+9779841234567"}).status_code == 201
    browser, csrf = signed_in(container, "sam", "support")
    assert browser.get("/api/v1/contacts/1").status_code == 200
    answer = browser.delete("/api/v1/contacts/1", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 403 and "sam may not" in answer.json()["detail"]
    assert browser.get("/api/v1/contacts/1").json()["phone"] == "+9779841234567"  # still there


def test_a_wrong_password_or_a_forged_cookie_signs_no_one_in(container) -> None:
    with container.uow() as uow:
        access.create_user(uow, "ada", "owner", PASSWORD, NOW)
    browser = TestClient(create_app(container), follow_redirects=False)
    token = form_token(browser)
    answer = browser.post("/signin", data={"name": "ada", "password": "guess guess guess", "csrf": token})
    assert answer.status_code == 401 and "wrong name or password" in answer.text
    assert "herald_session" not in answer.headers.get("set-cookie", "")
    forged = browser.post("/signin", data={"name": "ada", "password": PASSWORD, "csrf": "made-up"})
    assert forged.status_code == 403
    browser.cookies.set("herald_session", "x" * 43)
    assert browser.get("/api/v1/me").status_code == 401
    assert [(e.action, e.outcome, e.subject) for e in refusals(container)][:1] == [
        ("web signin", "refused", "name=ada")
    ]


def test_signing_out_ends_the_session(container) -> None:
    browser, csrf = signed_in(container, "ada", "owner")
    assert browser.post("/signout").status_code == 403  # no CSRF token: a page elsewhere cannot sign you out
    assert browser.post("/signout", data={"csrf": csrf}).headers["location"] == "/signin?out=1"
    assert browser.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil"])
def test_after_signing_in_it_goes_only_to_a_page_of_its_own(container, target: str) -> None:
    with container.uow() as uow:
        access.create_user(uow, "ada", "owner", PASSWORD, NOW)
    browser = TestClient(create_app(container), follow_redirects=False)
    token = form_token(browser)
    answer = browser.post("/signin", data={"name": "ada", "password": PASSWORD, "csrf": token, "next": target})
    assert answer.headers["location"] == "/"


def test_the_sign_in_page_speaks_chinese_and_english(container) -> None:
    client = TestClient(create_app(container))
    assert "登录" in client.get("/signin", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    page = client.get("/signin?lang=en")
    assert "Sign in" in page.text and "script-src 'self'" in page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert client.get("/static/herald.css").status_code == 200


def test_sign_in_attempts_are_limited_per_address(container) -> None:
    client = TestClient(create_app(container))
    answers = [client.post("/signin", data={"name": "ada", "password": "x"}).status_code for _ in range(12)]
    assert answers[:10] == [403] * 10 and answers[10:] == [429, 429]


def test_a_user_changes_their_own_password_and_keeps_this_session(container) -> None:
    browser, csrf = signed_in(container, "ada", "owner")
    other, _ = TestClient(create_app(container), follow_redirects=False), None
    token = form_token(other)
    other.post("/signin", data={"name": "ada", "password": PASSWORD, "csrf": token})  # a second browser
    headers = {"X-CSRF-Token": csrf}
    wrong = browser.post("/api/v1/me/password", json={"current": "not it at all", "new": "x" * 12}, headers=headers)
    assert wrong.status_code == 403 and "wrong name or password" in wrong.json()["detail"]
    with container.unaudited() as uow:
        assert access.user(uow, "ada").failures == 1  # counted, though the request failed
    short = browser.post("/api/v1/me/password", json={"current": PASSWORD, "new": "short"}, headers=headers)
    assert short.status_code == 422
    done = browser.post("/api/v1/me/password", json={"current": PASSWORD, "new": "a new passphrase"}, headers=headers)
    assert done.json() == {"done": True}
    assert browser.get("/api/v1/me").status_code == 200  # this session stays
    assert other.get("/api/v1/me").status_code == 401  # the other one ended
    assert api_client(container).post("/api/v1/me/password", json={"current": "a", "new": "b"}).status_code == 422


def test_a_user_sets_up_a_second_factor_confirmed_by_a_code(container) -> None:
    from herald.access import totp

    browser, csrf = signed_in(container, "ada", "owner")
    headers = {"X-CSRF-Token": csrf}
    address = browser.post("/api/v1/me/second-factor", headers=headers).json()["address"]
    secret = address.split("secret=")[1].split("&")[0]
    assert browser.post("/api/v1/me/second-factor/confirm", json={"code": "000000"}, headers=headers).status_code == 422
    code = totp.hotp(secret, totp.step_of(NOW))
    assert browser.post("/api/v1/me/second-factor/confirm", json={"code": code}, headers=headers).json()["done"]
    with container.unaudited() as uow:
        assert access.user(uow, "ada").totp_secret == secret


def test_the_workspaces_a_caller_may_act_in(container) -> None:
    admin = api_client(container)
    made = admin.post("/api/v1/workspaces", json={"name": "acme", "label": "Acme"})
    assert made.status_code == 201
    assert admin.post("/api/v1/workspaces", json={"name": "acme"}).status_code == 409
    assert admin.post("/api/v1/workspaces", json={"name": "Bad Name"}).status_code == 422
    assert admin.get("/api/v1/workspaces").json() == [{"name": "default", "role": None}]  # a key: its own
    browser, _ = signed_in(container, "mo", "marketer")
    assert browser.get("/api/v1/workspaces").json() == [{"name": "default", "role": "marketer"}]
    other = container.for_workspace("acme")
    try:
        with other.unaudited() as uow:  # its tables are there
            assert access.verify(uow).entries == 0
    finally:
        other.close()


def test_a_user_sees_where_they_are_signed_in_and_ends_a_session(container) -> None:
    browser, csrf = signed_in(container, "ada", "owner")
    other = TestClient(create_app(container), follow_redirects=False, headers={"User-Agent": "Phone"})
    token = form_token(other)
    other.post("/signin", data={"name": "ada", "password": PASSWORD, "csrf": token})
    listed = browser.get("/api/v1/me/sessions").json()
    assert [s["current"] for s in listed] == [False, True] and listed[0]["user_agent"] == "Phone"
    headers = {"X-CSRF-Token": csrf}
    assert browser.delete(f"/api/v1/me/sessions/{listed[0]['id']}", headers=headers).json() == {"done": True}
    assert other.get("/api/v1/me").status_code == 401 and browser.get("/api/v1/me").status_code == 200
    assert browser.delete("/api/v1/me/sessions/999", headers=headers).status_code == 404
    with container.uow() as uow:
        access.create_user(uow, "sam", "support", PASSWORD, NOW)
    sam, sam_csrf = browser_for(container, "sam")
    mine = browser.get("/api/v1/me/sessions").json()[0]["id"]
    assert sam.delete(f"/api/v1/me/sessions/{mine}", headers={"X-CSRF-Token": sam_csrf}).status_code == 404
    assert browser.get("/api/v1/me").status_code == 200  # another user's session is not theirs to end
