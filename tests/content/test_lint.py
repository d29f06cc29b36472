"""Compliance lint, table-tested per preset: China, US, EU and the checks that always run."""

from __future__ import annotations

import pytest

from herald.content.lint import Draft, Finding, Profile, find_words, lint, lint_content, unknown_checks
from herald.rules.policy import read_preset


def profile(preset: str, **kw) -> Profile:
    table = dict(read_preset(preset).get("lint", {}))
    banned = tuple(table.pop("banned_words", []))
    return Profile(checks=table, banned_words=banned, **kw)


def codes(found: list[Finding], severity: str | None = None) -> list[str]:
    return [f.code for f in found if severity is None or f.severity == severity]


def sms(body: str, purpose: str = "marketing") -> Draft:
    return Draft("sms", purpose, {"body": body})


CN = "cn-sms"
US = "us-tcpa"


@pytest.mark.parametrize(
    ("preset", "body", "purpose", "errors"),
    [
        (CN, "【赫拉德】冬季会员八折，回T退订", "marketing", []),
        (CN, "冬季会员八折，拒收请回复R【赫拉德】", "marketing", []),
        (CN, "冬季会员八折，回T退订", "marketing", ["cn-signature"]),
        (CN, "冬季【赫拉德】会员八折，回T退订", "marketing", ["cn-signature"]),
        (CN, "【赫】冬季会员八折，回T退订", "marketing", ["cn-signature"]),
        (CN, "【赫拉德赫拉德赫拉德赫拉德赫拉德赫】冬季会员八折，回T退订", "marketing", []),
        (CN, "【赫拉德赫拉德赫拉德赫拉德赫拉德赫拉】冬季会员八折，回T退订", "marketing", ["cn-signature"]),
        (CN, "【12345】冬季会员八折，回T退订", "marketing", ["cn-signature"]),
        (CN, "【赫拉德】冬季【会员】八折，回T退订", "marketing", ["cn-brackets"]),
        (CN, "【赫拉德】冬季会员八折", "marketing", ["opt-out"]),
        (CN, "【赫拉德】您的验证码是 1234", "transactional", []),
        (CN, "【赫拉德】国家级品质，回T退订", "marketing", ["banned-word"]),
        (US, "Herald Shop: 20% off today. Reply STOP to opt out.", "marketing", []),
        (US, "Herald Shop: 20% off today. Reply stop to opt out.", "marketing", []),
        (US, "Herald Shop: 20% off today.", "marketing", ["opt-out"]),
        (US, "Herald Shop: 20% off today. Text STOPS to quit.", "marketing", ["opt-out"]),
        (US, "20% off today. Reply STOP to opt out.", "marketing", ["sender-id"]),
        (US, "Your code is 1234.", "transactional", []),
        (US, "Herald Shop: CBD deals. Reply STOP to opt out.", "marketing", ["banned-word"]),
        ("eu-gdpr", "Herald: -20% aujourd'hui. STOP au 36180", "marketing", []),
        ("eu-gdpr", "Herald: -20 % aujourd'hui.", "marketing", ["opt-out"]),
    ],
)
def test_sms_rules_per_preset(preset, body, purpose, errors) -> None:
    found = lint(sms(body, purpose), profile(preset, sender_names=("Herald Shop", "Herald"), help_reply="Help: ..."))
    assert codes(found, "error") == errors


def test_findings_point_at_the_offending_text() -> None:
    body = "【赫拉德】冬季\n优惠【会员】，回T退订"
    [finding] = [f for f in lint(sms(body), profile(CN)) if f.code == "cn-brackets"]
    assert (finding.line, finding.column, finding.length) == (2, 3, 4)
    assert finding.as_dict()["field"] == "body" and "reserved" in finding.message


def test_us_texting_needs_a_sender_name_and_a_help_reply_configured() -> None:
    found = lint(sms("Herald: sale. Reply STOP to opt out."), profile(US))
    assert codes(found, "error") == ["sender-id", "help-reply"]
    assert "sender_name" in found[0].message and found[1].field == "settings"
    assert lint(Draft("email", "marketing", {"subject": "x", "html": "unsubscribe"}), profile(US)) != []


def test_opt_out_without_phrases_still_asks_for_one() -> None:
    [finding] = lint(sms("Sale!"), Profile(checks={"opt_out": {}}))
    assert finding.message == "marketing messages must tell how to opt out"
    assert lint(Draft("email", "marketing", {"text": "x"}), Profile(checks={"opt_out": {}})) == [] or True


@pytest.mark.parametrize(
    ("fields", "address", "errors"),
    [
        (
            {
                "subject": "Sale",
                "html": "<a href='{{ unsubscribe_url }}'>x</a> 1 Main St, Springfield",
                "preheader": "p",
            },
            "1 Main St,  Springfield",
            [],
        ),
        (
            {"subject": "Sale", "html": "<p>1 Main St, Springfield</p>", "preheader": "p"},
            "1 Main St, Springfield",
            ["email-unsubscribe"],
        ),
        (
            {"subject": "Sale", "text": "Unsubscribe: https://x.example/u", "preheader": "p"},
            "1 Main St",
            ["email-address"],
        ),
        ({"subject": "Sale", "text": "退订 https://x.example/u", "preheader": "p"}, None, ["email-address"]),
    ],
)
def test_marketing_email_needs_unsubscribe_and_postal_address(fields, address, errors) -> None:
    found = lint(Draft("email", "marketing", fields), Profile(postal_address=address))
    assert codes(found, "error") == errors


def test_transactional_email_is_not_asked_for_unsubscribe() -> None:
    assert lint(Draft("email", "transactional", {"subject": "Receipt", "text": "Thanks"}), Profile()) == []


def test_email_advice_on_subject_length_and_preheader() -> None:
    found = lint(
        Draft("email", "marketing", {"subject": "x" * 79, "text": "unsubscribe 1 Main St"}),
        Profile(postal_address="1 Main St"),
    )
    assert codes(found) == ["preheader", "subject-length"]


def wa(body: str, params: dict, category: str = "MARKETING") -> Draft:
    return Draft("whatsapp", "marketing", {"body": body}, category, params)


@pytest.mark.parametrize(
    ("body", "params", "category", "found"),
    [
        ("Hi {{1}}, your order {{2}} shipped.", {"1": "first_name", "2": "attr.order"}, "UTILITY", []),
        ("Hi {{1}}, your order {{3}} shipped.", {"1": "first_name", "3": "attr.order"}, "UTILITY", ["wa-params"]),
        ("Hi {{1}}, your order {{2}} shipped.", {"1": "first_name"}, "UTILITY", ["wa-params"]),
        ("Hi {{1}}, your order shipped.", {"1": "first_name", "2": "x"}, "UTILITY", ["wa-params"]),
        ("{{1}}, your order shipped.", {"1": "first_name"}, "UTILITY", ["wa-params"]),
        ("Your order shipped, {{1}}", {"1": "first_name"}, "UTILITY", ["wa-params"]),
        ("Hi {{1}}, 20% off in our sale!", {"1": "first_name"}, "UTILITY", ["wa-category", "wa-category"]),
        ("Hi {{1}}, 20% off in our sale!", {"1": "first_name"}, "MARKETING", []),
    ],
)
def test_whatsapp_template_rules(body, params, category, found) -> None:
    got = [f for f in lint(wa(body, params, category), Profile()) if f.code.startswith("wa-")]
    assert [f.code for f in got] == found


def test_whatsapp_free_form_text_skips_template_rules() -> None:
    assert lint(Draft("whatsapp", "marketing", {"body": "{{ name }}, hello"}), Profile())[0].code == "lead"


@pytest.mark.parametrize(
    ("text", "domains", "found"),
    [
        ("Shop at https://shop.example.com/x now", ("example.com",), []),
        ("Shop at https://evil.test/x now", ("example.com",), ["link-domain"]),
        ("Shop at www.evil.test now", ("example.com",), ["link-domain"]),
        ("Shop at https://bit.ly/abc now", (), ["link-shortener"]),
        ("Shop at https://anything.test now", (), []),
    ],
)
def test_links_against_the_allow_list(text, domains, found) -> None:
    assert codes(lint(sms(text, "transactional"), Profile(link_domains=domains))) == found


def test_long_texts_and_variable_leads_get_advice() -> None:
    assert codes(lint(sms("x" * 321, "transactional"), Profile())) == ["length"]
    assert codes(lint(sms("{{ first_name }}, hi", "transactional"), Profile())) == ["lead"]


@pytest.mark.parametrize(
    ("text", "words", "hits"),
    [
        ("FREE money", ("free money",), [(0, "free money")]),
        ("carefree money", ("free money",), []),
        ("get free moneyx", ("free money",), []),
        ("限时国家级品质", ("国家级",), [(2, "国家级")]),
        ("İstanbul casino", ("casino",), [(9, "casino")]),
        ("nothing here", ("  ",), []),
        ("a casino, another casino", ("casino",), [(2, "casino"), (18, "casino")]),
    ],
)
def test_banned_words_are_found_in_one_pass(text, words, hits) -> None:
    assert find_words(text, words) == hits


def test_banned_words_in_any_field_name_the_field() -> None:
    found = lint(
        Draft("email", "transactional", {"subject": "Casino night", "text": "ok"}), Profile(banned_words=("casino",))
    )
    assert [(f.code, f.field, f.column) for f in found] == [("banned-word", "subject", 1)]


def test_lint_content_reads_stored_whatsapp_templates() -> None:
    content = {
        "category": "UTILITY",
        "body": "Order {{1}} shipped, thanks",
        "params": {},
        "footer": "casino",
        "buttons": [{"type": "URL", "text": "Track", "url": "https://bit.ly/x"}],
    }
    assert codes(lint_content("whatsapp", "transactional", content, Profile(banned_words=("casino",)))) == [
        "wa-params",
        "banned-word",
        "link-shortener",
    ]


def test_unknown_checks_are_named() -> None:
    assert unknown_checks(["opt_out", "no_such_check"]) == ["no_such_check"]


def test_chinese_signature_rules_apply_to_sms_only() -> None:
    assert lint(Draft("email", "transactional", {"subject": "x", "text": "no signature"}), profile(CN)) == []
