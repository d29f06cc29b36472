"""The review workflow, locales and price tables: pure rules, table-tested."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from herald.content import approval, locales, pricing
from herald.errors import Conflict, Forbidden, Invalid


@pytest.mark.parametrize(
    ("status", "action", "actor", "reason", "result"),
    [
        ("draft", "submit", "ana", None, "pending"),
        ("pending", "withdraw", "ana", None, "draft"),
        ("pending", "approve", "bo", None, "approved"),
        ("pending", "reject", "bo", "add the opt-out text", "rejected"),
        ("pending", "approve", "ANA ", None, Forbidden),
        ("pending", "reject", "ana", "x", Forbidden),
        ("pending", "reject", "bo", " ", Invalid),
        ("draft", "approve", "bo", None, Conflict),
        ("approved", "submit", "ana", None, Conflict),
        ("rejected", "approve", "bo", None, Conflict),
        ("draft", "submit", " ", None, Invalid),
        ("draft", "publish", "ana", None, Conflict),
    ],
)
def test_transitions(status, action, actor, reason, result) -> None:
    if isinstance(result, str):
        assert approval.transition(status, action, "ana", actor, reason) == result
    else:
        with pytest.raises(result):
            approval.transition(status, action, "ana", actor, reason)


def test_a_conflict_says_what_is_allowed_now() -> None:
    with pytest.raises(Conflict, match="allowed now: withdraw, approve, reject"):
        approval.transition("pending", "submit", "ana", "ana")
    with pytest.raises(Conflict, match=r"edit \(which makes a new version\)"):
        approval.transition("approved", "approve", "ana", "bo")


@pytest.mark.parametrize(
    ("status", "effect"),
    [("draft", "in-place"), ("approved", "new-version"), ("rejected", "new-version"), ("pending", Conflict)],
)
def test_edits(status, effect) -> None:
    if effect is Conflict:
        with pytest.raises(Conflict, match="withdraw it before editing"):
            approval.on_edit(status)
    else:
        assert approval.on_edit(status) == effect


@pytest.mark.parametrize(
    ("tag", "normal"), [("zh_cn", "zh-CN"), ("EN", "en"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419")]
)
def test_locale_tags_are_normalized(tag, normal) -> None:
    assert locales.normalize(tag) == normal


@pytest.mark.parametrize("tag", ["", "e", "english!", "zh--CN"])
def test_bad_locale_tags_are_refused(tag) -> None:
    with pytest.raises(Invalid, match="is not a locale tag"):
        locales.normalize(tag)


@pytest.mark.parametrize(
    ("available", "wanted", "chosen"),
    [
        (["en", "zh-CN"], "zh_CN", "zh-CN"),
        (["en", "zh-CN"], "zh-TW", "zh-CN"),
        (["en", "zh-CN"], "fr", "en"),
        (["fr", "zh-CN"], None, "fr"),
        (["de", "en"], "not a tag!", "en"),
        (["de", "fr"], "it", "de"),
        ([], "en", None),
    ],
)
def test_the_nearest_locale_is_chosen(available, wanted, chosen) -> None:
    assert locales.choose(available, wanted, "en") == chosen
    assert locales.whatsapp_code("zh-CN") == "zh_CN"


TABLE = """
currency = "usd"
[[rate]]
channel = "sms"
region = "US"
tiers = [{ up_to = 100, price = "0.01" }, { up_to = 200, price = "0.008" }, { price = "0.005" }]
[[rate]]
channel = "sms"
region = "*"
price = "0.05"
[[rate]]
channel = "sms"
region = "*"
provider = "twilio"
price = "0.04"
[[rate]]
channel = "whatsapp"
region = "*"
category = "MARKETING"
price = 0.025
"""


def test_graduated_tiers_and_specific_rates() -> None:
    table = pricing.parse(TABLE)
    assert table.currency == "USD"
    assert pricing.graduated(table.rate("sms", "US").tiers, 250) == Decimal("1") + Decimal("0.8") + Decimal("0.25")
    assert table.rate("sms", "NP", "twilio").provider == "twilio"
    assert table.rate("sms", "NP").tiers[0][1] == Decimal("0.05")
    assert table.rate("whatsapp", "IN", category="utility") is None
    est = pricing.estimate(table, "sms", [("US", 125, 2), ("NP", 10, 1), (None, 1, 1)])
    assert est.total == Decimal("2.60")  # 2.05 for the US (three tiers) + 0.50 + 0.05 at the fallback rate
    assert est.as_dict()["lines"][0] == {"region": "US", "messages": 125, "units": 250, "cost": "2.050", "rebate": "0"}
    none = pricing.estimate(table, "email", [("US", 5, 1)])
    assert none.unpriced == ["US"] and none.total == 0 and none.as_dict()["lines"][0]["cost"] is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency = 'usd'\n[[rate]]\nchannel = 'fax'", "channel must be one of"),
        ("currency = 'dollars'", "three-letter code"),
        ("currency = = 'x'", "price table"),
        ("currency = 'USD'\n[[rate]]\nchannel = 'sms'\nprice = 'cheap'", "is not a number"),
        ("currency = 'USD'\n[[rate]]\nchannel = 'sms'\nprice = '-1'", "zero or more"),
        ("currency = 'USD'\n[[rate]]\nchannel = 'sms'\ntiers = [{up_to = 5, price = 1}]", "only the last one"),
        (
            "currency = 'USD'\n[[rate]]\nchannel = 'sms'\ntiers = [{up_to = 5, price = 1}, {up_to = 5, price = 1}, "
            "{price = 1}]",
            "rise through up_to",
        ),
        ("currency = 'USD'\n[[rate]]\nchannel = 'sms'\nprice = 1\nrebates = [{from = 10}]", "needs from"),
        ("currency = 'USD'\n[[rate]]\nchannel = 'sms'\nprice = 1\nrebates = 5", "needs from"),
        (
            "currency = 'USD'\n[[rate]]\nchannel = 'sms'\nprice = 1\nrebates = [{from = 10, percent = 5}, "
            "{from = 10, percent = 6}]",
            "rise through from",
        ),
        (
            "currency = 'USD'\n[[rate]]\nchannel = 'sms'\nprice = 1\nrebates = [{from = 10, percent = 101}]",
            "at most 100 percent",
        ),
    ],
)
def test_bad_price_tables_name_the_entry(text, message) -> None:
    with pytest.raises(Invalid) as err:
        pricing.parse(text)
    assert message in str(err.value)


def test_small_volumes_stay_in_the_first_tier() -> None:
    assert pricing.graduated(pricing.parse(TABLE).rate("sms", "US").tiers, 50) == Decimal("0.50")


REBATES = """currency = "USD"
[[rate]]
channel = "sms"
price = "0.05"
rebates = [{from = 50000, percent = 10}, {from = 100000, percent = 20}]
[[rate]]
channel = "email"
price = "0.001"
retroactive = true
rebates = [{from = 1000, percent = 50}]
[[rate]]
channel = "sms"
region = "US"
provider = "twilio-main"
tiers = [{up_to = 100, price = "0.01"}, {price = "0.005"}]
"""


@pytest.mark.parametrize(
    ("channel", "units", "used", "price", "rebate"),
    [
        ("sms", 40000, 0, "2000", "0"),  # below every threshold
        ("sms", 120000, 0, "6000", "450"),  # 10 % of 50,000's price and 20 % of 20,000's
        ("sms", 20000, 90000, "1000", "150"),  # this month's volume decides which band units fall in
        ("sms", 10000, 150000, "500", "100"),
        ("email", 500, 0, "0.5", "0"),
        ("email", 600, 500, "0.6", "0.55"),  # crossing 1,000 gives half of the whole month back
        ("email", 100, 2000, "0.1", "0.05"),
    ],
)
def test_rebates_give_money_back_past_their_thresholds(channel, units, used, price, rebate) -> None:
    rate = pricing.parse(REBATES).rate(channel, "NP")
    got = rate.cost(units, used)
    assert (got[0], got[1]) == (Decimal(price), Decimal(rebate))


def test_tiers_go_on_from_the_months_volume_and_the_route_picks_the_provider_rate() -> None:
    table = replace(pricing.parse(REBATES), routes={"sms": "twilio-main"})
    used = pricing.used_by_rate(
        table,
        [
            ("sms", "US", "twilio-main", None, 80),
            ("sms", "NP", "file", None, 7),
            ("whatsapp", "US", None, "MARKETING", 3),
        ],
    )
    est = pricing.estimate(table, "sms", [("US", 30, 1), ("US", 10, 2)], used=used)
    # 20 left in the first tier at 0.01, then 10 + 20 at 0.005
    assert [line.cost for line in est.lines] == [Decimal("0.20") + Decimal("0.050"), Decimal("0.100")]
    assert pricing.estimate(table, "sms", [("US", 30, 1)], provider="other").total == Decimal("1.50")
