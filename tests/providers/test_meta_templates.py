"""WhatsApp templates submitted to Meta for review and their status read back, against the stand-in of
the Graph API."""

from __future__ import annotations

import asyncio

import pytest

from herald.content import channels
from herald.content.whatsapp import expressions
from herald.errors import HeraldError, Invalid
from herald.providers import MetaTemplates, meta_template_creation
from herald.sandbox.whatsapp import TOKEN, VERSION, WABA_ID, FakeWhatsApp, running

FULL = channels.validate(
    "whatsapp",
    {
        "category": "MARKETING",
        "header": {"format": "TEXT", "text": "Sale for {{1}}", "params": {"1": "first_name"}},
        "body": "Hi {{1}}, {{2}} off today only.",
        "params": {"1": "first_name", "2": "attr.discount"},
        "footer": "Reply STOP to opt out",
        "buttons": [
            {"type": "URL", "text": "Shop", "url": "https://shop.example/s/{{1}}", "param": "attr.code"},
            {"type": "QUICK_REPLY", "text": "Stop promotions"},
            {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "+14155550100"},
        ],
    },
    "t",
)
EXAMPLES = {"body.1": "Sita", "body.2": "20%", "header.1": "Sita", "button.0": "W25"}


def test_a_version_becomes_metas_creation_request_with_an_example_for_each_placeholder() -> None:
    assert meta_template_creation("winter_promo", "en_US", FULL, EXAMPLES, expressions(FULL)) == {
        "name": "winter_promo",
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Sale for {{1}}", "example": {"header_text": ["Sita"]}},
            {"type": "BODY", "text": "Hi {{1}}, {{2}} off today only.", "example": {"body_text": [["Sita", "20%"]]}},
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Shop", "url": "https://shop.example/s/{{1}}", "example": ["W25"]},
                    {"type": "QUICK_REPLY", "text": "Stop promotions"},
                    {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "+14155550100"},
                ],
            },
        ],
    }
    plain = channels.validate("whatsapp", {"category": "UTILITY", "body": "Your order shipped."}, "t")
    assert meta_template_creation("shipped", "zh_CN", plain, {}, {})["components"] == [
        {"type": "BODY", "text": "Your order shipped."}
    ]


@pytest.mark.parametrize(
    ("content", "examples", "where", "words"),
    [
        (FULL, {"body.1": "Sita"}, "examples", "body.2 (attr.discount), header.1 (first_name), button.0 (attr.code)"),
        (FULL, {**EXAMPLES, "body.2": " "}, "examples", "give an example value for body.2"),
        (
            channels.validate(
                "whatsapp",
                {
                    "category": "MARKETING",
                    "header": {"format": "IMAGE", "url": "https://cdn.example/a.png"},
                    "body": "Hi",
                },
                "t",
            ),
            {},
            "header",
            "a image header needs its sample uploaded to Meta",
        ),
    ],
)
def test_a_version_meta_could_not_review_is_refused_saying_what_is_missing(content, examples, where, words) -> None:
    with pytest.raises(Invalid) as err:
        meta_template_creation("x", "en", content, examples, expressions(content))
    assert err.value.where == where and words in err.value.reason


def manager(fake: FakeWhatsApp, token: str = TOKEN) -> MetaTemplates:
    return MetaTemplates(WABA_ID, token, fake.url, VERSION)


def test_a_submitted_template_is_pending_then_reviewed_and_read_back_page_by_page() -> None:
    with running(FakeWhatsApp(review={"rejected_promo": ("REJECTED", "INVALID_FORMAT")})) as fake:
        templates = manager(fake)
        body = meta_template_creation("winter_promo", "en_US", FULL, EXAMPLES, expressions(FULL))
        answer = asyncio.run(templates.submit(body))
        asyncio.run(templates.submit({**body, "name": "rejected_promo"}))
        found = asyncio.run(templates.statuses())
    assert answer["status"] == "PENDING" and answer["category"] == "MARKETING" and answer["id"].isdigit()
    listed = {(t["name"], t["language"]): t for t in found}
    assert len(listed) == 5  # three approved before, two submitted, over three pages of two
    assert listed[("winter_promo", "en_US")] == {
        "name": "winter_promo",
        "language": "en_US",
        "status": "APPROVED",
        "id": answer["id"],
        "reason": None,
    }
    assert listed[("rejected_promo", "en_US")]["reason"] == "INVALID_FORMAT"
    assert fake.approved[("winter_promo", "en_US")] == FULL["body"]  # now sendable


def test_metas_refusal_is_said_in_its_own_words() -> None:
    with running(FakeWhatsApp()) as fake:
        body = meta_template_creation("winter_promo", "en_US", FULL, EXAMPLES, expressions(FULL))
        asyncio.run(manager(fake).submit(body))
        with pytest.raises(HeraldError, match="Meta refused: Content in this language already exists .*\\(100\\)"):
            asyncio.run(manager(fake).submit(body))
        with pytest.raises(HeraldError, match="Meta refused: .*BODY has 2 variable\\(s\\) and 0 example"):
            asyncio.run(
                manager(fake).submit({**body, "name": "other", "components": [{"type": "BODY", "text": FULL["body"]}]})
            )
        with pytest.raises(HeraldError, match="Meta refused: .*Error validating access token.*\\(190\\)"):
            asyncio.run(manager(fake, "expired").statuses())
