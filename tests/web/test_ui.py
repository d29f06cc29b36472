"""The UI's pages without a browser, on SQLite and PostgreSQL: who may see what, forms and their CSRF
token, errors beside their field, the language, and a message catalogue that covers every text."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from herald import access
from herald.campaigns import service as campaigns
from herald.contacts.models import Contact
from herald.tags.models import ContactTag
from herald.web import create_app
from herald.web.auth import every_route
from herald.web.ui import campaigns as ui_campaigns
from herald.web.ui import dashboard as ui_dashboard
from herald.web.ui.language import catalogue, i18n
from herald.web.ui.pages import ask_again_after, page
from tests.conftest import NOW
from tests.web.clients import PASSWORD
from tests.web.conftest import signed_in

PAGE_GUARD = page(None).dependency.__qualname__


def test_every_page_is_guarded_by_the_viewers_role(container) -> None:
    app = create_app(container)
    pages = [r for r in every_route(app.routes) if hasattr(r, "dependant")]
    ui = [r for r in pages if any(d.call.__qualname__ == PAGE_GUARD for d in r.dependant.dependencies if d.call)]
    assert {r.path for r in ui} >= {"/", "/contacts", "/contacts/{contact_id}", "/campaigns", "/campaigns/{ref}"}
    for route in ui:
        guards = [d for d in route.dependant.dependencies if d.call and d.call.__qualname__ == PAGE_GUARD]
        assert len(guards) == 1, route.path


def test_a_browser_without_a_session_is_sent_to_sign_in_and_back(container) -> None:
    browser = TestClient(create_app(container), follow_redirects=False)
    answer = browser.get("/contacts?q=Sita")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin?next=/contacts%3Fq%3DSita"


def test_a_role_sees_only_what_it_may(shop) -> None:
    container, campaign = shop
    support, _ = signed_in(container, "sam")
    home = support.get("/")
    assert home.status_code == 200 and "Running campaigns" not in home.text and 'href="/campaigns"' not in home.text
    refused = support.get(f"/campaigns/{campaign}")
    assert refused.status_code == 403 and "You may not see this page." in refused.text
    approver, _ = signed_in(container, "li")
    assert approver.get("/contacts").status_code == 403
    assert approver.get(f"/campaigns/{campaign}").status_code == 200


def test_the_language_is_asked_for_remembered_or_the_browsers() -> None:
    assert i18n.choose("zh-CN", None, "en-US") == "zh-CN"
    assert i18n.choose(None, "zh-CN", "en-US") == "zh-CN"
    assert i18n.choose("fr", None, "fr-FR,zh-TW;q=0.8") == "zh-CN"
    assert i18n.choose(None, None, "de-DE,en;q=0.5") == "en"
    assert i18n.choose(None, None, "") == "en"


def test_a_page_in_chinese_and_the_choice_remembered(shop) -> None:
    container, _ = shop
    browser, _ = signed_in(container, "mei")
    first = browser.get("/?lang=zh-CN")
    assert "<h1>概览</h1>" in first.text and first.cookies.get(i18n.COOKIE) == "zh-CN"
    assert "<h1>联系人</h1>" in browser.get("/contacts").text
    assert (
        "<h1>Contacts</h1>" in browser.get("/contacts", headers={"accept-language": "zh"}, params={"lang": "en"}).text
    )


def test_every_text_of_the_pages_has_its_chinese() -> None:
    assert catalogue.missing() == []
    used, known = set(catalogue.texts()), set(catalogue.translated())
    assert known - used == set(), "the catalogue holds texts no page uses: python -m herald.web.ui.language.catalogue"


def test_contacts_are_found_by_phone_in_any_format_and_counted(shop) -> None:
    container, _ = shop
    browser, _ = signed_in(container, "mei")
    found = browser.get("/contacts", params={"q": "9841234567"}).text
    assert "Sita Sharma" in found and "Johannes" not in found
    assert "4 contacts match" in browser.get("/contacts/count", params={"segment": "consent:sms"}).text
    bad = browser.get("/contacts", params={"segment": "tag:"})
    assert bad.status_code == 200 and 'id="segment-error"' in bad.text


def test_a_tag_is_added_and_removed_with_the_forms_token(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
    assert browser.post(f"/contacts/{sita}/tags", data={"tag": "vip"}).status_code == 403  # no token
    assert browser.post(f"/contacts/{sita}/tags", data={"tag": "vip", "csrf": csrf}).status_code == 303
    with container.uow() as uow:
        assert uow.session.scalar(select(ContactTag).where(ContactTag.contact_id == sita)) is not None
    browser.post(f"/contacts/{sita}/tags", data={"tag": "vip", "csrf": csrf, "remove": "1"})
    with container.uow() as uow:
        assert uow.session.scalar(select(ContactTag).where(ContactTag.contact_id == sita)) is None
    wrong = browser.post(f"/contacts/{sita}/tags", data={"tag": "no such/tag!", "csrf": csrf})
    assert wrong.status_code == 422 and 'id="tag-error"' in wrong.text


def test_a_profile_shows_the_tags_carried_now_with_their_end(shop) -> None:
    container, _ = shop
    browser, _ = signed_in(container, "mei")
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
    with container.uow() as uow:
        from datetime import timedelta

        from herald.tags import service as tag_service

        for name, until in (("trial", NOW + timedelta(days=3)), ("lapsed", NOW - timedelta(days=1))):
            tag_service.ensure_tag(uow, name, NOW - timedelta(days=2))
            tag_service.tag_contacts(uow, name, [sita], "ana", NOW - timedelta(days=2), until)
    profile = browser.get(f"/contacts/{sita}").text
    carried = profile.split('<h2 id="tags">', 1)[1].split("</section>", 1)[0]
    assert "trial" in carried and "until Mar 13, 2026" in carried and "lapsed" not in carried  # expired: gone


def test_erasing_needs_the_id_typed_and_the_right(shop) -> None:
    container, _ = shop
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
    marketer, csrf = signed_in(container, "mei")
    assert marketer.post(f"/contacts/{sita}/erase", data={"csrf": csrf, "confirm": str(sita)}).status_code == 403
    admin, token = signed_in(container, "ana")
    typo = admin.post(f"/contacts/{sita}/erase", data={"csrf": token, "confirm": "999"})
    assert typo.status_code == 422 and "The id typed is not this contact" in typo.text
    done = admin.post(f"/contacts/{sita}/erase", data={"csrf": token, "confirm": str(sita)})
    assert done.status_code == 303 and done.headers["location"] == f"/contacts?erased={sita}"
    with container.uow() as uow:
        assert uow.session.get(Contact, sita).name is None
    export = admin.get(f"/contacts/{sita}/export")
    assert export.status_code == 200 and export.headers["content-disposition"].endswith(f'contact-{sita}.json"')


def test_the_wizard_shows_a_refusal_beside_its_field_and_makes_a_campaign(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    form = {"csrf": csrf, "name": "Winter", "segment": "consent:sms", "template": "", "when": "draft"}
    missing = browser.post("/campaigns/new", data=form)
    assert missing.status_code == 422 and re.search(r'id="template-error"[^>]*>choose a template', missing.text)
    made = browser.post("/campaigns/new", data={**form, "template": "sale", "when": "best", "best_within": "12"})
    assert made.status_code == 303
    shown = browser.get(made.headers["location"]).text
    assert "Winter" in shown and "best" in shown
    preflight = browser.get(made.headers["location"] + "/preflight").text
    assert "Ready to start." in preflight or "Fix these" in preflight


def test_the_preflight_page_shows_each_versions_findings_and_the_audiences_other_jurisdictions(shop) -> None:
    container, campaign = shop
    browser, _ = signed_in(container, "mei")
    page = browser.get(f"/campaigns/{campaign}/preflight").text
    assert "<li>: </li>" not in page  # a version without findings shows none
    assert "Other jurisdictions in the audience" in page
    assert "cn-sms speaks for 1 recipient(s) on sms (CN); this campaign follows default." in page
    assert "sale (en/A v1) Chinese SMS must start or end with a 【signature】 naming the sender" in page
    assert "<code>(has:phone) and (region:CN)</code>" in page
    chinese = browser.get(f"/campaigns/{campaign}/preflight?lang=zh-CN").text
    assert "受众所在的其他法域" in chinese and "cn-sms 适用于 1 位经 sms 接收的收件人（CN）" in chinese
    assert "Chinese SMS must" not in chinese  # the finding is said in Chinese too
    with container.uow() as uow:
        everywhere = campaigns.create_campaign(uow, "Everywhere", "has:phone", "sale", NOW, preset="global").id
    followed = browser.get(f"/campaigns/{everywhere}/preflight?lang=en").text
    assert "this campaign follows global and, for them, cn-sms." in followed and "To follow it" not in followed


def test_a_campaign_is_started_paused_and_explained_from_its_page(shop) -> None:
    container, campaign = shop
    browser, csrf = signed_in(container, "mei")
    assert "Ready to start." in browser.get(f"/campaigns/{campaign}/preflight").text
    assert browser.post(f"/campaigns/{campaign}/start", data={"csrf": csrf}).status_code == 303
    assert browser.post(f"/campaigns/{campaign}/pause", data={"csrf": csrf}).status_code == 303
    assert "paused" in browser.get(f"/campaigns/{campaign}").text
    home = browser.get("/").text
    assert "/dashboard/sends" in home and "/dashboard/running" in home
    assert "Sale" in browser.get("/dashboard/running").text and "All channels" in browser.get("/dashboard/sends").text
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
    explained = browser.get(f"/campaigns/{campaign}/explain", params={"contact": sita}).text
    assert "consent" in explained and "marketing consent on sms granted on" in explained
    chinese = browser.get(f"/campaigns/{campaign}/explain", params={"contact": sita, "lang": "zh-CN"}).text
    assert "sms 的营销同意" not in chinese and "营销同意：sms，于" in chinese and "通过" in chinese
    nobody = browser.get(f"/campaigns/{campaign}/explain", params={"contact": "999", "lang": "en"}).text
    assert "has no message" in nobody
    results = browser.get(f"/campaigns/{campaign}/results/figures")
    assert results.status_code == 200 and 'data-stage="planned">4<' in results.text
    assert f"/campaigns/{campaign}/results/figures" in browser.get(f"/campaigns/{campaign}/results").text
    messages = browser.get(f"/campaigns/{campaign}/messages").text
    assert "held" in messages and "hx-get" not in messages  # paused: not asked again
    assert browser.get("/campaigns/nothing").status_code == 404


def test_a_template_is_written_checked_as_typed_and_reviewed_by_another(shop) -> None:
    container, _ = shop
    writer, csrf = signed_in(container, "mei")
    draft = {"name": "winter-sms", "channel": "sms", "purpose": "marketing", "locale": "zh-CN", "contact": "1"}
    body = "【冬日商店】{{ first_name }}，冬季特惠 8 折 https://shop.example/w 回T退订"
    checked = writer.post("/templates/check", data={**draft, "body": body}).text
    assert "UCS-2" in checked and "segment(s)" in checked and "冬季特惠" in checked
    broken = writer.post("/templates/check", data={**draft, "body": "{{ first_name "}).text
    assert 'class="field-error"' in broken
    empty = writer.post("/templates/new", data={**draft, "csrf": csrf, "body": ""})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    made = writer.post("/templates/new", data={**draft, "csrf": csrf, "body": body})
    assert made.status_code == 303 and made.headers["location"] == "/templates/winter-sms"
    page = writer.get("/templates/winter-sms").text
    assert "draft" in page and "Submit for review" in page and "Approve" not in page
    submitted = writer.post("/templates/winter-sms/review", data={"csrf": csrf, "action": "submit"})
    assert submitted.status_code == 303, re.findall(r"review-error[^>]*>([^<]*)", submitted.text)
    assert writer.post("/templates/winter-sms/review", data={"csrf": csrf, "action": "approve"}).status_code == 403
    approver, token = signed_in(container, "li")
    no_reason = approver.post("/templates/winter-sms/review", data={"csrf": token, "action": "reject"})
    assert no_reason.status_code == 422 and 'id="review-error"' in no_reason.text
    assert approver.post("/templates/winter-sms/review", data={"csrf": token, "action": "approve"}).status_code == 303
    assert "approved" in approver.get("/templates").text


def test_an_approved_template_edited_on_its_page_becomes_its_next_draft(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    body = "Hi {{ first_name }}, the sale ends tonight. Reply STOP to opt out."
    edited = browser.post("/templates/sale/edit", data={"csrf": csrf, "body": body})
    assert edited.status_code == 303 and edited.headers["location"] == "/templates/sale?saved=1"
    with container.uow() as uow:
        from herald import content

        latest = content.latest_version(uow, content.get_template(uow, "sale"))
        assert (latest.version, latest.status, latest.content["body"]) == (2, "draft", body)
    empty = browser.post("/templates/sale/edit", data={"csrf": csrf, "body": ""})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text


def test_the_live_check_reads_only_a_real_contact_id(shop) -> None:
    container, _ = shop
    browser, _ = signed_in(container, "mei")
    draft = {"channel": "sms", "purpose": "marketing", "body": "Hi {{ first_name }}. Reply STOP to opt out."}
    for odd in ("²", "99999999999999999999", "-1", "x"):
        checked = browser.post("/templates/check", data={**draft, "contact": odd})
        assert checked.status_code == 200 and "segment(s)" not in checked.text  # nobody to render for


def test_nobody_approves_their_own_template(shop) -> None:
    container, _ = shop
    admin, csrf = signed_in(container, "ana")
    draft = {"csrf": csrf, "name": "own", "channel": "sms", "purpose": "marketing", "locale": "en"}
    admin.post("/templates/new", data={**draft, "body": "Hello {{ first_name }}. Reply STOP to opt out."})
    admin.post("/templates/own/review", data={"csrf": csrf, "action": "submit"})
    own = admin.post("/templates/own/review", data={"csrf": csrf, "action": "approve"})
    assert own.status_code == 422 and "wrote this version and may not approve it" in own.text


def test_a_support_agent_answers_and_closes_a_complaint_case(shop) -> None:
    from herald import tracking

    container, _ = shop
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
        case = tracking.flag_complaint(uow, sita, "She says she never agreed to messages", None, None, NOW)
        case_id = case.id
    agent, csrf = signed_in(container, "sam")
    listed = agent.get("/inbox").text
    assert f'id="case-{case_id}"' in listed and "never agreed" in listed
    empty = agent.post(f"/inbox/cases/{case_id}", data={"csrf": csrf, "action": "answer", "answer": " "})
    assert empty.status_code == 422 and "say what the person was told" in empty.text
    for action, field, text in (
        ("assign", "assignee", "sam"),
        ("answer", "answer", "We removed her."),
        ("close", "note", "Done"),
    ):
        done = agent.post(f"/inbox/cases/{case_id}", data={"csrf": csrf, "action": action, field: text})
        assert done.status_code == 303, action
    with container.uow() as uow:
        (shown,) = tracking.list_cases(uow, NOW)
    assert (shown.status, shown.assignee, shown.answer, shown.note) == ("closed", "sam", "We removed her.", "Done")
    marketer, token = signed_in(container, "li")
    assert marketer.get("/inbox").status_code == 403


GBK_CSV = "姓名,手机,consent_sms,标签\n张伟,13800138001,yes,会员\n李娜,13800138002,yes,\n=1+1,12345,yes,\n"


def test_the_import_wizard_reads_a_gbk_file_shows_the_dry_run_then_imports(shop) -> None:
    import time

    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    uploaded = browser.post(
        "/import", data={"csrf": csrf}, files={"file": ("客户.csv", GBK_CSV.encode("gbk"), "text/csv")}
    )
    assert uploaded.status_code == 303
    review = browser.get(uploaded.headers["location"]).text
    assert "gb" in review.lower() and "张伟" not in review  # numbers without +code need a country first
    token = uploaded.headers["location"].rsplit("/", 1)[1]
    again = browser.post(
        f"/import/{token}",
        data={
            "csrf": csrf,
            "go": "check",
            "default_region": "CN",
            "encoding": "gb18030",
            "delimiter": ",",
            "tags": "展会",
        },
    ).text
    assert "张伟" in again and "+8613800138001" in again and 'data-count="imported">2<' in again
    assert 'name="default_region" value="CN"' in again and 'name="tags" value="展会"' in again  # the choices kept
    assert "展会: 2 contact(s), 2 newly tagged · a new tag" in again and "会员: 1 contact(s)" in again
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.id).where(Contact.name == "张伟")) is None  # a dry run
    started = browser.post(
        f"/import/{token}", data={"csrf": csrf, "go": "import", "default_region": "CN", "tags": "展会"}
    )
    assert started.status_code == 303
    for _ in range(100):
        job = browser.get(started.headers["location"], headers={"hx-request": "true"}).text
        if "hx-get" not in job:
            break
        time.sleep(0.1)
    assert 'data-count="imported">2<' in job and "problems.csv" in job and "展会: 2 contact(s)" in job
    assert not (Path(tempfile.gettempdir()) / "herald-uploads" / token).exists()  # the upload went with the import
    problems = browser.get(started.headers["location"] + "/problems.csv").text
    assert "'=1+1" in problems or "12345" in problems
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.phone).where(Contact.name == "李娜")) == "+8613800138002"
    wrong = browser.post("/import", data={"csrf": csrf}, files={"file": ("notes.pdf", b"%PDF", "application/pdf")})
    assert wrong.status_code == 422 and "expected a .csv, .tsv or .xlsx file" in wrong.text


def test_a_segment_is_counted_as_typed_and_saved(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    checked = browser.post("/segments/check", data={"q": "consent:sms and region:NP"}).text
    assert 'data-count="segment">1<' in checked and "Sita Sharma" in checked
    wrong = browser.post("/segments/check", data={"q": "consent:sms and ("}).text
    assert "at column" in wrong and 'class="field-error"' in wrong
    assert 'data-count="segment">4<' in browser.get("/segments/count", params={"segment": "consent:sms"}).text
    bad_name = browser.post("/segments", data={"csrf": csrf, "q": "consent:sms", "name": "no spaces allowed"})
    assert bad_name.status_code == 422 and 'id="name-error"' in bad_name.text
    saved = browser.post("/segments", data={"csrf": csrf, "q": "consent:sms", "name": "sms-ok", "kind": "static"})
    assert saved.status_code == 303 and "sms-ok" in browser.get("/segments").text
    with container.uow() as uow:
        uow.session.execute(update(Contact).values(attributes={"city": "Pokhara"}))
    suggested = browser.get("/segments").text
    assert '<option value="attr.city">' in suggested and '<option value="consent:sms">' in suggested


def test_settings_show_each_section_to_whoever_may_see_it_and_never_a_secret(shop) -> None:
    from herald import dispatch
    from herald.analytics.models import Alert

    container, _ = shop
    with container.control_uow() as uow:
        made = access.create_key(uow, "shop-sync", ["events:write"], access.system_actor("tests", "x"), NOW)
    with container.uow() as uow:
        dispatch.pause_account(uow, "file", "alert failures: too many", NOW)
        uow.session.add(
            Alert(
                rule="failures",
                metric="failure_rate",
                subject="account file",
                subject_kind="account",
                subject_ref="file",
                value="50",
                reason="failure rate 50%",
                action="pause_account",
                status="open",
                raised_at=NOW,
                seen_at=NOW,
                times=1,
                done="account file paused until resumed",
            )
        )
    admin, csrf = signed_in(container, "ana")
    page = admin.get("/settings").text
    for shown in ("Provider accounts", "paused until resumed", "shop-sync", "hk_", "Audit log", "Marketer"):
        assert shown in page, shown
    assert made.key not in page  # the key's secret is shown once, when it is made, never again
    assert admin.post("/settings/providers/file/resume", data={"csrf": csrf}).status_code == 303
    with container.uow() as uow:
        assert dispatch.health_of(uow.session)["file"].open_until is None
    with container.uow() as uow:
        alert_id = uow.session.scalar(select(Alert.id))
    assert admin.post(f"/settings/alerts/{alert_id}/acknowledge", data={"csrf": csrf}).status_code == 303
    assert admin.post(f"/settings/alerts/{alert_id}/resolve", data={"csrf": csrf, "note": "fixed"}).status_code == 303
    assert admin.post("/settings/keys/shop-sync/revoke", data={"csrf": csrf}).status_code == 303
    assert "revoked" in admin.get("/settings").text
    support, _ = signed_in(container, "sam")
    theirs = support.get("/settings").text
    assert "Rules presets" in theirs and "Provider accounts" not in theirs and "Audit log" not in theirs
    assert "营销人员" in support.get("/settings?lang=zh-CN").text


def test_tags_show_their_counts_and_each_rule_what_it_would_do(shop) -> None:
    from herald import autotag, tags
    from herald.events.service import EventIn, record_events

    container, _ = shop
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
        tags.tag_contacts(uow, "vip", [sita], "tests", NOW)
        record_events(uow, [EventIn("purchase", NOW, contact_id=sita, properties={"product": "A", "amount": 20})], NOW)
        rule = {"kind": "event", "event": "purchase", "where": 'product = "A"', "tag": "bought:A"}
        autotag.save_rule(uow, "bought-a", rule, "ops", NOW)
    browser, _ = signed_in(container, "mei")
    page = browser.get("/tags").text
    assert "vip</a>: 1" in page and "bought-a" in page and "/tags/rules/bought-a/dry-run" in page
    dry = browser.get("/tags/rules/bought-a/dry-run").text
    assert "1 qualify, 1 would be tagged" in dry
    with container.uow() as uow:
        assert tags.tags_of(uow, sita) == [t for t in tags.tags_of(uow, sita) if t["tag"] == "vip"]  # nothing written


def test_an_admin_adds_a_user_and_a_key_whose_secret_shows_once(shop) -> None:
    container, _ = shop
    admin, csrf = signed_in(container, "ana")
    short = admin.post("/settings/users", data={"csrf": csrf, "name": "wu", "role": "analyst", "password": "x"})
    assert short.status_code == 422 and 'id="user-error"' in short.text
    made = admin.post("/settings/users", data={"csrf": csrf, "name": "wu", "role": "analyst", "password": PASSWORD})
    assert made.status_code == 303
    analyst, _ = signed_in(container, "wu")
    assert analyst.get("/campaigns").status_code == 200 and analyst.get("/contacts").status_code == 403
    key = admin.post("/settings/keys", data={"csrf": csrf, "name": "crm", "scope": ["events:write", "contacts:read"]})
    secret = re.search(r'<p class="mono">(hk_[^<]+)</p>', key.text).group(1)
    assert key.status_code == 201 and secret not in admin.get("/settings").text
    api = TestClient(create_app(container))
    assert api.get("/api/v1/contacts", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    marketer, token = signed_in(container, "mei")
    assert marketer.post("/settings/keys", data={"csrf": token, "name": "mine"}).status_code == 403


def test_the_wizard_sets_an_a_b_test_phase_and_a_person_picks_the_winner(shop) -> None:
    from herald.types import Channel
    from tests.scenario import publish

    container, _ = shop
    with container.uow() as uow:
        body = "Hello {{ first_name | default('there') }}! Reply STOP to opt out."
        publish(uow, "sale-b", Channel.SMS, {"body": body})
    browser, csrf = signed_in(container, "mei")
    form = {"csrf": csrf, "name": "AB", "segment": "has:phone", "template": "sale", "template_b": "sale-b"}
    unmeasurable = browser.post("/campaigns/new", data={**form, "test_metric": "read", "when": "draft"})
    assert unmeasurable.status_code == 422 and 'id="test_metric-error"' in unmeasurable.text
    assert "only WhatsApp reports" in unmeasurable.text
    made = browser.post(
        "/campaigns/new", data={**form, "test_metric": "delivered", "test_percent": "50", "when": "draft"}
    )
    assert made.status_code == 303
    cid = made.headers["location"].rsplit("/", 1)[1]
    assert browser.post(f"/campaigns/{cid}/start", data={"csrf": csrf}).status_code == 303
    page = browser.get(f"/campaigns/{cid}").text
    assert "A/B test" in page and "testing" in page and "Send B to the rest" in page
    assert browser.post(f"/campaigns/{cid}/winner", data={"csrf": csrf, "variant": "B"}).status_code == 303
    assert "the rest got B" in browser.get(f"/campaigns/{cid}").text


def test_the_wizard_schedules_a_recurring_campaign_with_changed_rules(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    form = {"csrf": csrf, "name": "Weekly", "segment": "has:phone", "template": "sale", "when": "cron"}
    bad = browser.post("/campaigns/new", data={**form, "cron": "every monday", "zone": "Asia/Shanghai"})
    assert bad.status_code == 422 and 'id="cron-error"' in bad.text
    wrong_rule = browser.post("/campaigns/new", data={**form, "cron": "0 10 * * mon", "overrides": "quiet_hours"})
    assert wrong_rule.status_code == 422 and 'id="overrides-error"' in wrong_rule.text
    made = browser.post(
        "/campaigns/new",
        data={**form, "cron": "0 10 * * mon", "zone": "Asia/Shanghai", "overrides": "quiet_hours.start=22:00"},
    )
    assert made.status_code == 303
    with container.uow() as uow:
        from herald.campaigns import service as campaigns

        weekly = campaigns.get_campaign(uow, "Weekly")
        assert (weekly.schedule, weekly.cron_zone, weekly.policy_overrides) == (
            "cron",
            "Asia/Shanghai",
            {"quiet_hours": {"start": "22:00"}},
        )


def test_the_wizard_schedules_a_campaign_sent_on_an_event(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    form = {"csrf": csrf, "name": "Welcome", "segment": "has:phone", "template": "sale", "when": "event"}
    bad = browser.post("/campaigns/new", data={**form, "on_event": "signup", "delay": "soon"})
    assert bad.status_code == 422 and 'id="delay-error"' in bad.text
    nameless = browser.post("/campaigns/new", data={**form, "on_event": "Sign Up"})
    assert nameless.status_code == 422 and 'id="on_event-error"' in nameless.text
    made = browser.post("/campaigns/new", data={**form, "on_event": "signup", "delay": "2h", "once": "1"})
    assert made.status_code == 303
    page = browser.get(made.headers["location"]).text
    assert "On each “signup” event" in page and "120 min after it" in page and "once a contact" in page
    chinese = browser.get(made.headers["location"] + "?lang=zh-CN").text
    assert "每次发生“signup”事件时" in chinese
    series = {**form, "name": "Sale, next", "on_event": "message.clicked", "delay": "1d"}
    wrong = browser.post("/campaigns/new", data={**series, "on_event": "signup", "of_campaign": "Sale"})
    assert wrong.status_code == 422 and 'id="of_campaign-error"' in wrong.text
    next_step = browser.post("/campaigns/new", data={**series, "of_campaign": "Sale"})
    assert next_step.status_code == 303
    assert "of campaign “Sale”" in browser.get(next_step.headers["location"] + "?lang=en").text


def test_a_contact_is_edited_and_an_address_suppressed_from_the_profile(shop) -> None:
    from herald.contacts.models import Suppression

    container, _ = shop
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.name == "Sita Sharma"))
    browser, csrf = signed_in(container, "mei")
    wrong = browser.post(f"/contacts/{sita}/edit", data={"csrf": csrf, "phone": "12"})
    assert wrong.status_code == 422 and 'id="edit-error"' in wrong.text
    done = browser.post(f"/contacts/{sita}/edit", data={"csrf": csrf, "name": "Sita S.", "timezone": "Asia/Kathmandu"})
    assert done.status_code == 303
    with container.uow() as uow:
        found = uow.session.get(Contact, sita)
        assert (found.name, found.timezone, found.phone) == ("Sita S.", "Asia/Kathmandu", "+9779841234567")
    none = browser.post(f"/contacts/{sita}/suppress", data={"csrf": csrf, "channel": "email"}).status_code
    assert none == 303  # Sita has an e-mail address
    assert (
        browser.post(
            f"/contacts/{sita}/suppress", data={"csrf": csrf, "channel": "sms", "detail": "asked by phone"}
        ).status_code
        == 303
    )
    with container.uow() as uow:
        assert uow.session.scalar(select(Suppression.detail).where(Suppression.channel == "sms")) == "asked by phone"
    approver, token = signed_in(container, "li")
    assert approver.post(f"/contacts/{sita}/suppress", data={"csrf": token, "channel": "sms"}).status_code == 403


def test_a_template_gets_a_version_in_another_language(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    added = browser.post("/templates/sale/versions", data={"csrf": csrf, "locale": "zh-CN", "variant": "A"})
    assert added.status_code == 303 and "zh-CN/A v1" in browser.get("/templates/sale").text
    again = browser.post("/templates/sale/versions", data={"csrf": csrf, "locale": "zh-CN", "variant": "A"})
    assert again.status_code == 422 and 'id="version-error"' in again.text and "edit it instead" in again.text


def test_a_refusal_beside_its_field_is_said_in_the_viewers_language(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    form = {"csrf": csrf, "name": "冬季", "segment": "consent:sms", "template": "", "when": "draft"}
    missing = browser.post("/campaigns/new?lang=zh-CN", data=form)
    assert re.search(r'id="template-error"[^>]*>请选择模板<', missing.text)
    english = browser.post("/campaigns/new?lang=en", data=form)
    assert re.search(r'id="template-error"[^>]*>choose a template<', english.text)


def test_a_whatsapp_template_is_written_part_by_part(shop) -> None:
    container, _ = shop
    browser, csrf = signed_in(container, "mei")
    assert 'id="wa_body"' in browser.get("/templates/fields", params={"channel": "whatsapp"}).text
    form = {"csrf": csrf, "name": "spring_wa", "channel": "whatsapp", "purpose": "marketing", "locale": "en"}
    parts = {"wa_category": "MARKETING", "wa_header": "Spring sale", "wa_body": "Hi {{1}}, 20% off today. Enjoy!"}
    unmapped = browser.post("/templates/new", data={**form, **parts})
    assert unmapped.status_code == 422 and 'id="wa_body-error"' in unmapped.text
    made = browser.post("/templates/new", data={**form, **parts, "wa_params": "1=first_name | default('there')"})
    assert made.status_code == 303
    page = browser.get("/templates/spring_wa").text
    assert "Spring sale" in page and "1=first_name" in page
    checked = browser.post("/templates/check", data={**form, **parts, "wa_params": "1=first_name", "contact": "1"}).text
    assert "Hi Sita, 20% off today." in checked


@pytest.mark.parametrize(
    ("took", "least", "every"), [(0.0, 5, 5), (0.4, 5, 5), (0.51, 5, 6), (2.9, 5, 29), (0.2, 10, 10)]
)
def test_a_live_fragment_asks_again_after_ten_times_what_its_answer_took(took, least, every) -> None:
    assert ask_again_after(took, least) == every


def test_a_running_campaigns_counts_that_took_seconds_are_asked_for_less_often(shop, monkeypatch) -> None:
    container, campaign = shop
    browser, csrf = signed_in(container, "mei")
    assert browser.post(f"/campaigns/{campaign}/start", data={"csrf": csrf}).status_code == 303
    assert 'hx-trigger="every 5s"' in browser.get(f"/campaigns/{campaign}/messages").text
    assert 'hx-trigger="every 10s"' in browser.get("/dashboard/running").text
    slow = lambda count: (count(), 3.2)  # noqa: E731 (what a million-message campaign's counts take)
    monkeypatch.setattr(ui_campaigns, "timed", slow)
    monkeypatch.setattr(ui_dashboard, "timed", slow)
    messages, running = browser.get(f"/campaigns/{campaign}/messages").text, browser.get("/dashboard/running").text
    assert 'hx-trigger="every 32s"' in messages and "queued" in messages
    assert 'hx-trigger="every 32s"' in running and "Sale" in running
