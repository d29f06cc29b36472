"""Templates in the database: versions, review, Meta's status, export and import, coupons, banned words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from herald.content import service
from herald.content.lint import Finding
from herald.errors import Conflict, Forbidden, Invalid, NotFound
from herald.types import Channel, Purpose
from tests.conftest import NOW
from tests.scenario import publish

SMS = {"body": "Hi {{ first_name | default('there') }}. Reply STOP to opt out."}
ORDER = {
    "category": "UTILITY",
    "body": "Hi {{1}}, order {{2}} shipped.",
    "params": {"1": "first_name", "2": "attr.order"},
}


def test_an_approved_version_never_changes_an_edit_makes_the_next(container) -> None:
    with container.uow() as uow:
        v1 = publish(uow, "sale", Channel.SMS, SMS)
        template = service.get_template(uow, "sale")
        v2 = service.edit_version(
            uow, template, {"body": "New words. Reply STOP"}, locale="en", variant="A", author="writer", now=NOW
        )
        assert (v1.version, v1.status, v1.content) == (1, "approved", SMS)
        assert (v2.version, v2.status) == (2, "draft")
        again = service.edit_version(
            uow, template, {"body": "Newer. Reply STOP"}, locale="en", variant="A", author="ed", now=NOW
        )
        assert again.id == v2.id and again.author == "ed"
        service.review(uow, again, "submit", actor="ed", now=NOW)
        with pytest.raises(Conflict, match="withdraw it before editing"):
            service.edit_version(uow, template, SMS, locale="en", variant="A", author="ed", now=NOW)
        service.review(uow, again, "reject", actor="writer", now=NOW, reason="too short")
        assert (again.status, again.reviewer, again.review_note) == ("rejected", "writer", "too short")
        assert service.approved_versions(uow, template.id)[("en", "A")].id == v1.id
        assert [v.version for v in service.versions(uow, template)] == [1, 2]


def test_lint_errors_block_submit_and_approve_but_not_reject(container) -> None:
    error = Finding("error", "opt-out", "needs an opt-out")
    with container.uow() as uow:
        version = service.create_template(uow, "t", Channel.SMS, SMS, author="ana", now=NOW)
        with pytest.raises(Invalid, match="body: needs an opt-out"):
            service.review(uow, version, "submit", actor="ana", now=NOW, findings=[error])
        service.review(uow, version, "submit", actor="ana", now=NOW, findings=[Finding("warning", "x", "y")])
        with pytest.raises(Forbidden):
            service.review(uow, version, "approve", actor="ana", now=NOW)
        with pytest.raises(Invalid, match="lint"):
            service.review(uow, version, "approve", actor="bo", now=NOW, findings=[error])
        service.review(uow, version, "reject", actor="bo", now=NOW, reason="fix", findings=[error])
        assert version.status == "rejected"


def test_locales_and_variants_are_versions_of_one_template(container) -> None:
    with container.uow() as uow:
        publish(uow, "sale", Channel.SMS, SMS)
        template = service.get_template(uow, "sale")
        zh = service.add_version(
            uow, template, {"body": "【赫拉德】你好，回T退订"}, locale="zh_cn", variant="a", author="li", now=NOW
        )
        assert (zh.locale, zh.variant, zh.version) == ("zh-CN", "A", 1)
        with pytest.raises(Conflict, match="already has zh-CN variant A"):
            service.add_version(uow, template, SMS, locale="zh-CN", variant="A", author="li", now=NOW)
        with pytest.raises(Invalid, match="is not a variant name"):
            service.add_version(uow, template, SMS, locale="en", variant="B-2", author="li", now=NOW)
        with pytest.raises(NotFound, match="has no fr variant A"):
            service.latest_version(uow, template, "fr")
        assert service.latest_version(uow, template).locale == "en"


@pytest.mark.parametrize(
    ("name", "channel", "content", "error"),
    [
        ("", Channel.SMS, SMS, "a name is required"),
        ("Order Update", Channel.WHATSAPP, ORDER, "use only a-z, 0-9 and _"),
        ("sale", Channel.SMS, {"body": ""}, "the body is empty"),
        ("sale", Channel.SMS, SMS, "already exists"),
    ],
)
def test_bad_templates_are_refused_and_nothing_is_written(container, name, channel, content, error) -> None:
    with container.uow() as uow:
        service.create_template(uow, "sale", Channel.SMS, SMS, author="ana", now=NOW)
    with pytest.raises((Invalid, Conflict), match=error), container.uow() as uow:
        service.create_template(uow, name, channel, content, author="ana", now=NOW)
    with container.uow() as uow:
        assert [t["name"] for t in service.export_templates(uow)] == ["sale"]


def test_whatsapp_versions_keep_their_category_and_take_metas_status(container) -> None:
    with container.uow() as uow:
        publish(uow, "order_update", Channel.WHATSAPP, ORDER, purpose=Purpose.TRANSACTIONAL)
        template = service.get_template(uow, "order_update")
        with pytest.raises(Invalid, match="must keep category UTILITY"):
            service.edit_version(
                uow, template, {**ORDER, "category": "MARKETING"}, locale="en", variant="A", author="ana", now=NOW
            )
        publish_b = service.add_version(uow, template, ORDER, locale="en", variant="B", author="writer", now=NOW)
        service.review(uow, publish_b, "submit", actor="writer", now=NOW)
        service.review(uow, publish_b, "approve", actor="reviewer", now=NOW)
        updates = [
            {"status": "APPROVED", "name": "order_update", "language": "en", "id": "77", "reason": "NONE"},
            {"status": "PAUSED", "name": "order_update_b", "language": "en", "id": "", "reason": "quality"},
            {"status": "APPROVED", "name": "order_update", "language": "fr", "id": "1", "reason": ""},
            {"status": "APPROVED", "name": "order_update", "language": "??", "id": "1", "reason": ""},
            {"status": "APPROVED", "name": "unknown", "language": "en", "id": "1", "reason": ""},
        ]
        assert service.apply_meta_status(uow, updates, NOW + timedelta(hours=1)) == 2
        approved = service.approved_versions(uow, template.id)
        assert (approved[("en", "A")].meta_status, approved[("en", "A")].meta_template_id) == ("APPROVED", "77")
        assert (approved[("en", "B")].meta_status, approved[("en", "B")].meta_reason) == ("PAUSED", "quality")


def test_export_and_import_round_trip_as_drafts(container) -> None:
    with container.uow() as uow:
        publish(uow, "sale", Channel.SMS, SMS)
        template = service.get_template(uow, "sale")
        service.add_version(uow, template, {"body": "你好，回T退订"}, locale="zh-CN", variant="A", author="li", now=NOW)
        exported = service.export_templates(uow, ["sale"])
    assert exported == [
        {
            "name": "sale",
            "channel": "sms",
            "purpose": "marketing",
            "default_locale": "en",
            "versions": [
                {"locale": "en", "variant": "A", "content": SMS},
                {"locale": "zh-CN", "variant": "A", "content": {"body": "你好，回T退订"}},
            ],
        }
    ]
    exported[0]["name"] = "sale_copy"
    with container.uow() as uow:
        created = service.import_templates(uow, exported, author="ana", now=NOW)
        assert [(v.locale, v.status) for v in created] == [("en", "draft"), ("zh-CN", "draft")]
    with pytest.raises(Invalid, match="import item 1"), container.uow() as uow:
        service.import_templates(uow, [{"name": "x"}], author="ana", now=NOW)
    with pytest.raises(Invalid, match="expected a list"), container.uow() as uow:
        service.import_templates(uow, {"name": "x"}, author="ana", now=NOW)


def test_each_contact_keeps_one_coupon_per_pool_until_the_pool_runs_dry(container) -> None:
    with container.uow() as uow:
        assert service.add_coupons(uow, "spring", ["A1", "A2", " ", "A1"]) == 2
        assert service.add_coupons(uow, "spring", ["A2", "A3"]) == 1
        assert service.assign_coupon(uow, "spring", 10, NOW) == "A1"
        assert service.assign_coupon(uow, "spring", 10, NOW) == "A1"
        assert service.assign_coupon(uow, "spring", 11, NOW) == "A2"
        assert service.assign_coupon(uow, "spring", 12, NOW) == "A3"
        assert service.assign_coupon(uow, "spring", 13, NOW) is None
        assert service.coupon_stock(uow) == [{"pool": "spring", "total": 3, "free": 0}]
        with pytest.raises(Invalid, match="is not a pool name"):
            service.add_coupons(uow, "spring sale", ["x"])


def test_banned_word_edits_change_the_lint_profile(container) -> None:
    with container.uow() as uow:
        base = container.lint_profile(uow)
        assert "casino" in base.banned_words
        service.set_lint_word(uow, "casino", "allow", by="ana", now=NOW)
        service.set_lint_word(uow, "jackpot", "ban", by="ana", now=NOW)
        service.set_lint_word(uow, "jackpot", "ban", by="bo", now=NOW)
        profile = container.lint_profile(uow, ["us-tcpa", "cn-sms"])
        assert "casino" not in profile.banned_words and {"jackpot", "国家级", "CBD"} <= set(profile.banned_words)
        assert {"opt_out", "cn_signature", "sender_id"} <= set(profile.checks)
        service.remove_lint_word(uow, "casino")
        assert service.lint_words(uow) == {"ban": ["jackpot"], "allow": []}
        with pytest.raises(NotFound):
            service.remove_lint_word(uow, "casino")
        with pytest.raises(Invalid, match="ban or allow"):
            service.set_lint_word(uow, "x", "maybe", by="ana", now=NOW)


def test_a_version_that_cannot_render_cannot_be_submitted_or_approved(container) -> None:
    from herald.content.models import TemplateVersion

    with container.uow() as uow:
        version = service.create_template(
            uow, "promo", Channel.SMS, {"body": "Hi {{ first_name }}. STOP to end"}, author="maya", now=NOW
        )
        uow.session.get(TemplateVersion, version.id).content = {"body": "Hi {{ first_name | truncate(2) }}"}
    with container.uow() as uow, pytest.raises(Invalid, match="cannot be rendered"):
        service.review(uow, uow.session.get(TemplateVersion, version.id), "submit", actor="maya", now=NOW)
