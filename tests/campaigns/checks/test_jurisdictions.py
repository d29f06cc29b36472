"""Preflight names the presets that speak for the recipients a campaign would reach, by their numbers'
countries, when the campaign follows another; on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import partial

from herald.campaigns import service as campaigns
from herald.campaigns.checks.jurisdictions import differing_rules
from herald.campaigns.checks.preflight import preflight
from herald.contacts import service as contacts
from herald.rules import load_policy
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, setup, whatsapp_sale

SHANGHAI, LOS_ANGELES = "+8613800138000", "+14155552671"


def report(container, cid: int) -> dict:
    with container.uow(dry_run=True) as uow:
        preset = campaigns.get_campaign(uow, cid).preset
        profile, profile_for = container.lint_profile(uow, [preset]), partial(container.lint_profile, uow)
        return preflight(uow, cid, NOW, profile, container.prices(), profile_for)


def by_preset(found: dict) -> dict[str, dict]:
    return {j["preset"]: j for j in found["jurisdictions"]}


def test_it_names_chinas_and_the_us_rules_for_a_campaign_under_the_default_preset(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    found = by_preset(report(container, cid))
    assert set(found) == {"cn-sms", "us-tcpa"}  # Nepal and Namibia have no preset of their own
    china = found["cn-sms"]
    assert (china["channel"], china["recipients"], china["regions"]) == ("sms", 1, {"CN": 1})
    assert china["rules"] == ["quiet_hours"]  # 22:00–08:00 there, 21:00–08:00 in default
    assert {(f["template"], f["version"], f["code"], f["severity"]) for f in china["findings"]} == {
        ("sale", "en/A v1", "cn-signature", "error"),
        ("sale", "en/A v1", "opt-out", "error"),
    }
    assert china["segment"] == "(has:phone) and (region:CN)"  # the audience of a campaign of their own
    assert found["us-tcpa"]["regions"] == {"US": 1}
    assert "opt-out" not in {f["code"] for f in found["us-tcpa"]["findings"]}  # "Reply STOP" is there


def test_recipients_who_would_get_nothing_are_not_counted(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    with container.uow() as uow:
        contacts.set_consent(
            uow,
            contact_id(container, LOS_ANGELES),
            Channel.SMS,
            Purpose.MARKETING,
            ConsentStatus.REVOKED,
            "sms",
            "STOP",
            NOW,
        )
    assert set(by_preset(report(container, cid))) == {"cn-sms"}


def test_a_campaign_under_the_recipients_own_preset_names_nothing(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        cid = campaigns.create_campaign(uow, "China", "region:CN", "sale", NOW, preset="cn-sms").id
    found = report(container, cid)
    assert found["jurisdictions"] == []
    assert any("signature" in b for b in found["blocking"])  # its own lint blocks it instead


def test_findings_the_campaigns_own_lint_shows_are_not_said_again(container, tmp_path) -> None:
    cid = setup(container, tmp_path, template="Hi, sale today at https://bit.ly/x. Reply STOP to opt out.")
    found = report(container, cid)
    own = {f["code"] for findings in found["templates"]["sale"]["findings"].values() for f in findings}
    assert "link-shortener" in own
    assert all(f["code"] != "link-shortener" for j in found["jurisdictions"] for f in j["findings"])


def test_a_preflight_asked_without_profiles_leaves_the_jurisdictions_out(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    with container.uow(dry_run=True) as uow:
        assert "jurisdictions" not in preflight(uow, cid, NOW, container.lint_profile(uow), container.prices())


def test_rules_differ_where_the_other_policy_lacks_them_or_holds_them_otherwise() -> None:
    default = load_policy("default")
    assert differing_rules(default, load_policy("default")) == []
    assert differing_rules(load_policy("default", {"quiet_hours": {"enabled": False}}), default) == ["quiet_hours"]
    assert differing_rules(default, load_policy("default", {"frequency_cap": {"max": 2}})) == ["frequency_cap"]


def test_everyone_on_whatsapp_falls_under_whatsapps_rules_and_a_static_list_gets_no_segment(
    container, tmp_path
) -> None:
    setup(container, tmp_path)
    sita = contact_id(container, "+9779841234567")
    with container.uow() as uow:
        whatsapp_sale(uow, sita)
        whatsapp = campaigns.create_campaign(
            uow, "WA", "has:phone", "sale_wa", NOW, overrides={"quiet_hours": {"enabled": False}}
        ).id
    (wa,) = report(container, whatsapp)["jurisdictions"]
    assert (wa["preset"], wa["regions"], wa["segment"]) == ("whatsapp-business", {"NP": 1}, "has:phone")
    china = contact_id(container, SHANGHAI)
    with container.uow() as uow:
        audience = campaigns.Audience(contacts=(china,))
        listed = campaigns.create_campaign(uow, "Listed", "has:phone", "sale", NOW, audience=audience).id
    (cn,) = report(container, listed)["jurisdictions"]
    assert (cn["preset"], cn["segment"]) == ("cn-sms", None)


def test_a_campaign_that_follows_the_recipients_presets_is_judged_by_them_and_told_only_their_lint(
    container, tmp_path
) -> None:
    from sqlalchemy import select

    from herald.outbox.models import Message
    from tests.scenario import plan

    setup(container, tmp_path)
    with container.uow() as uow:
        cid = campaigns.create_campaign(uow, "Global", "has:phone", "sale", NOW, preset="global").id
    china = by_preset(report(container, cid))["cn-sms"]
    assert (china["followed"], china["rules"], china["segment"]) == (True, [], None)
    assert {f["code"] for f in china["findings"]} == {"cn-signature", "opt-out"}  # the lint is still news
    plan(container, cid)
    with container.uow() as uow:
        message = uow.session.scalar(
            select(Message).where(Message.campaign_id == cid, Message.contact_id == contact_id(container, SHANGHAI))
        )
        trail = message.trail
    assert [o["rule"] for o in trail][-1] == "cn-sms.quiet_hours"
