"""The settings and tags pages that change how Herald works: users' roles and accounts, a workspace's
members, alert rules, and automatic tag rules — each checked by its room as in the CLI and the API, each
refusal shown where it belongs in the viewer's language, nothing written when refused. On SQLite and
PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from herald import access, analytics, autotag, tags
from herald.contacts.models import Contact
from herald.db.workspaces import schema_of
from herald.events.service import EventIn, record_events
from herald.web import create_server
from tests.conftest import NOW
from tests.web.clients import PASSWORD, form_token
from tests.web.conftest import signed_in

NEW_PASSWORD = "a new long passphrase"


def test_an_admin_changes_a_role_and_the_user_can_do_only_what_the_new_one_may(shop) -> None:
    container, _ = shop
    admin, csrf = signed_in(container, "ana")
    assert admin.post("/settings/users/mei/role", data={"csrf": csrf, "role": "analyst"}).status_code == 303
    marketer, _ = signed_in(container, "mei")
    assert marketer.get("/contacts").status_code == 403 and marketer.get("/campaigns").status_code == 200
    with container.control_uow() as uow:
        assert access.user(uow, "mei").role == "analyst"


def test_only_an_owner_makes_an_owner_and_the_refusal_is_said_in_chinese(shop) -> None:
    container, _ = shop
    admin, csrf = signed_in(container, "ana")
    refused = admin.post("/settings/users/mei/role?lang=zh-CN", data={"csrf": csrf, "role": "owner"})
    assert refused.status_code == 403 and 'id="people-error"' in refused.text and "只有所有者可以" in refused.text
    with container.control_uow() as uow:
        assert access.user(uow, "mei").role == "marketer"  # nothing written
    unknown = admin.post("/settings/users/mei/role", data={"csrf": csrf, "role": "boss"})
    assert unknown.status_code == 422 and "boss" in unknown.text


def test_a_disabled_user_is_signed_out_at_once_and_enabled_again(shop) -> None:
    container, _ = shop
    support, _ = signed_in(container, "sam")
    assert support.get("/inbox").status_code == 200
    admin, csrf = signed_in(container, "ana")
    assert admin.post("/settings/users/sam/disable", data={"csrf": csrf}).status_code == 303
    assert support.get("/inbox").status_code == 303  # their session ended: back to sign in
    assert "disabled" in admin.get("/settings").text
    assert admin.post("/settings/users/sam/enable", data={"csrf": csrf}).status_code == 303
    again, _ = signed_in(container, "sam")
    assert again.get("/inbox").status_code == 200


def test_a_new_password_set_by_an_admin_replaces_the_old_one(shop) -> None:
    container, _ = shop
    admin, csrf = signed_in(container, "ana")
    short = admin.post("/settings/users/li/password", data={"csrf": csrf, "password": "short"})
    assert short.status_code == 422 and 'id="people-error"' in short.text
    assert admin.post("/settings/users/li/password", data={"csrf": csrf, "password": NEW_PASSWORD}).status_code == 303
    old = TestClient(create_server(container), follow_redirects=False)
    old.post("/signin", data={"name": "li", "password": PASSWORD, "csrf": form_token(old)})
    assert old.get("/templates").status_code == 303  # the old password no longer signs in
    new, _ = signed_in(container, "li", NEW_PASSWORD)
    assert new.get("/templates").status_code == 200


def test_a_marketer_may_not_change_people_and_a_form_needs_its_token(shop) -> None:
    container, _ = shop
    marketer, csrf = signed_in(container, "mei")
    assert marketer.post("/settings/users/sam/disable", data={"csrf": csrf}).status_code == 403
    admin, _ = signed_in(container, "ana")
    assert admin.post("/settings/users/sam/disable", data={"csrf": "forged"}).status_code == 403
    with container.control_uow() as uow:
        assert access.user(uow, "sam").disabled_at is None


def test_a_workspace_gets_members_with_their_own_role_there(shop) -> None:
    container, _ = shop
    with container.control_uow() as uow:
        access.create_workspace(uow, "acme", NOW, access.system_actor("tests", "x"))
    acme = container.for_workspace("acme")
    try:
        acme.migrate_own()
        server = TestClient(create_server(container), follow_redirects=False)
        server.post("/signin", data={"name": "ana", "password": PASSWORD, "csrf": form_token(server)})
        csrf = server.get("/api/v1/me").json()["csrf_token"]
        page = server.get("/w/acme/settings").text
        assert "Members of workspace acme" in page and "/w/acme/settings/members" in page
        assert (
            server.post("/w/acme/settings/members", data={"csrf": csrf, "name": "mei", "role": "analyst"}).status_code
            == 303
        )
        with container.control_uow() as uow:
            assert ("mei", "analyst") in access.members(uow, "acme")
        assert server.post("/w/acme/settings/members/mei/remove", data={"csrf": csrf}).status_code == 303
        with container.control_uow() as uow:
            assert "mei" not in dict(access.members(uow, "acme"))
        assert "Members of workspace" not in server.get("/settings").text  # the default: a user's role is their own
    finally:
        _drop(acme)


def _drop(other) -> None:
    schema = schema_of(other.engine.url.render_as_string(False))
    if schema:
        with other.control_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    other.close()


def test_an_alert_rule_is_saved_checked_switched_and_removed(shop) -> None:
    container, _ = shop
    admin, csrf = signed_in(container, "ana")
    rule = {"csrf": csrf, "name": "bounces", "metric": "failure_rate", "threshold": "150", "window_minutes": "30"}
    refused = admin.post("/settings/alert-rules?lang=zh-CN", data=rule | {"action": "pause_campaign"})
    assert refused.status_code == 422 and 'id="rule-error"' in refused.text and "150" in refused.text
    with container.uow() as uow:
        assert "bounces" not in {r.name for r, _, _ in analytics.rules(uow)}
    saved = admin.post("/settings/alert-rules", data=rule | {"threshold": "10", "action": "pause_campaign"})
    assert saved.status_code == 303
    page = admin.get("/settings?lang=zh-CN").text
    assert "30 分钟内失败率高于 10%（至少 50 条消息），按活动监控，触发后暂停活动" in page
    assert admin.post("/settings/alert-rules/bounces/off", data={"csrf": csrf}).status_code == 303
    with container.uow() as uow:
        assert {r.name: active for r, _, active in analytics.rules(uow)}["bounces"] is False
    assert admin.post("/settings/alert-rules/bounces/remove", data={"csrf": csrf}).status_code == 303
    assert admin.post("/settings/alert-rules/bounces/remove", data={"csrf": csrf}).status_code == 404


def test_a_changed_default_alert_rule_can_be_put_back(shop) -> None:
    container, _ = shop
    admin, csrf = signed_in(container, "ana")
    changed = {"csrf": csrf, "name": "delivery", "metric": "delivery_rate", "threshold": "90", "min_volume": "500"}
    assert admin.post("/settings/alert-rules", data=changed).status_code == 303
    assert "Put the default back" in admin.get("/settings").text
    assert admin.post("/settings/alert-rules/delivery/remove", data={"csrf": csrf}).status_code == 303
    with container.uow() as uow:
        delivery = next(r for r, origin, _ in analytics.rules(uow) if r.name == "delivery")
    assert delivery.threshold == 80 and delivery.min_volume == 100
    support, token = signed_in(container, "sam")
    assert support.post("/settings/alert-rules", data=changed | {"csrf": token}).status_code == 403


def _bought(container) -> int:
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
        record_events(uow, [EventIn("purchase", NOW, contact_id=sita, properties={"product": "A"})], NOW)
    return sita


def test_a_tag_rule_is_tried_on_the_history_without_writing_then_saved(shop) -> None:
    container, _ = shop
    sita = _bought(container)
    browser, csrf = signed_in(container, "mei")
    assert "/tags/rules/new" in browser.get("/tags").text
    rule = {
        "csrf": csrf,
        "name": "bought",
        "kind": "event",
        "event": "purchase",
        "tag": "bought:{product}",
        "count": "1",
    }
    tried = browser.post("/tags/rules", data=rule | {"do": "try"})
    assert tried.status_code == 200 and "bought:A: 1 qualify, 1 new" in tried.text
    with container.uow() as uow:
        assert autotag.list_rules(uow) == [] and tags.tags_of(uow, sita) == []
    assert browser.post("/tags/rules", data=rule | {"do": "save"}).status_code == 303
    again = browser.post("/tags/rules?lang=zh-CN", data=rule | {"do": "save", "tag": "other"})
    assert again.status_code == 422 and 'id="name-error"' in again.text and "请到该规则的页面修改" in again.text
    assert browser.post("/tags/rules/bought/backfill", data={"csrf": csrf}).status_code == 303
    with container.uow() as uow:
        assert [t["tag"] for t in tags.tags_of(uow, sita)] == ["bought:A"]
        assert autotag.get_rule(uow, "bought").version == 1


def test_a_tag_rules_mistake_is_shown_beside_its_field_and_nothing_saved(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    rule = {"csrf": csrf, "name": "big", "kind": "event", "event": "purchase", "tag": "big", "do": "save"}
    bad_where = browser.post("/tags/rules?lang=zh-CN", data=rule | {"where": "amount >> 100"})
    assert bad_where.status_code == 422 and 'id="where-error"' in bad_where.text and "第 " in bad_where.text
    bad_count = browser.post("/tags/rules", data=rule | {"count": "many"})
    assert bad_count.status_code == 422 and 'id="count-error"' in bad_count.text
    no_words = browser.post("/tags/rules", data=rule | {"kind": "keyword", "keywords": " , "})
    assert no_words.status_code == 422 and 'id="keywords-error"' in no_words.text
    with container.uow() as uow:
        assert autotag.list_rules(uow) == []


def test_a_keyword_rule_with_synonyms_is_edited_as_a_new_version_switched_and_deleted(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    rule = {"csrf": csrf, "name": "price", "kind": "keyword", "tag": "asked:price", "do": "save"}
    words = {"keywords": "price，价格", "synonyms": "price: cost, 多少钱"}
    assert browser.post("/tags/rules", data=rule | words).status_code == 303
    form = browser.get("/tags/rules/price/edit").text
    assert "多少钱" in form and 'value="keyword" checked' in form
    assert browser.post("/tags/rules", data=rule | words | {"expires": "90d", "editing": "1"}).status_code == 303
    with container.uow() as uow:
        saved = autotag.get_rule(uow, "price")
        assert saved.version == 2 and saved.definition["synonyms"] == {"price": ["cost", "多少钱"]}
    assert browser.post("/tags/rules/price/off", data={"csrf": csrf}).status_code == 303
    with container.uow() as uow:
        assert autotag.get_rule(uow, "price").enabled is False
    assert browser.post("/tags/rules/price/delete", data={"csrf": csrf}).status_code == 303
    assert browser.post("/tags/rules/price/delete", data={"csrf": csrf}).status_code == 404
    support, token = signed_in(container, "sam")
    assert support.post("/tags/rules", data=rule | words | {"csrf": token}).status_code == 403
    assert "/tags/rules/new" not in support.get("/tags").text and support.get("/tags/rules/new").status_code == 403


def test_the_presets_are_described_in_the_viewers_language(shop) -> None:
    container, _ = shop
    browser, _ = signed_in(container, "mei")
    assert "工信部第 31 号令" in browser.get("/settings?lang=zh-CN").text
    assert "MIIT Order 31" in browser.get("/settings?lang=en").text
