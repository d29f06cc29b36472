"""Senders of provider accounts: read from herald.toml, and which one a message goes from (pure)."""

import pytest

from herald.errors import Invalid
from herald.providers.configured.accounts import read_accounts, read_routing
from herald.providers.configured.kinds import KINDS
from herald.providers.configured.senders import OWN, Choice, Sender, pools_of, read_senders

TWILIO = {"kind": "twilio", "account_sid": "AC" + "a" * 32, "auth_token": "t", "from": "+14155550100"}
US1 = {"from": "+14155550101", "country": "US", "rate": 1, "daily_limit": 2000}
GB = {"from": "+447700900100", "country": "gb", "pools": ["promo"]}
ALPHA = {"from": "SHOP", "name": "shop-id", "pools": ["promo", "alerts"]}


def senders_of(*listed, **account) -> tuple[Sender, ...]:
    table = {**TWILIO, **account, "senders": list(listed)}
    return read_accounts({"tw": table}, {})["tw"].senders


def test_an_account_lists_its_senders_after_its_own() -> None:
    own, us, gb, alpha = senders_of(US1, GB, ALPHA)
    assert own == Sender("+14155550100", "+14155550100")
    assert us == Sender("+14155550101", "+14155550101", "US", 1.0, 2000) and us.paced and not own.paced
    assert gb.country == "GB" and gb.pools == {"promo"} and gb.rate is None
    assert alpha.name == "shop-id" and alpha.address == "SHOP" and alpha.pools == {"promo", "alerts"}
    assert pools_of((own, us, gb, alpha)) == {"promo", "alerts"}


def test_an_account_without_a_sender_of_its_own_lets_the_vendor_choose() -> None:
    table = {k: v for k, v in TWILIO.items() if k != "from"} | {"messaging_service_sid": "MG" + "b" * 32}
    own, listed = read_accounts({"tw": {**table, "senders": [US1]}}, {})["tw"].senders
    assert own == Sender(OWN, None) and listed.address == "+14155550101"


def test_an_account_that_lists_no_senders_sends_as_itself() -> None:
    account = read_accounts({"tw": TWILIO}, {})["tw"]
    assert account.senders == (Sender("+14155550100", "+14155550100"),) and account.listed_senders == ()
    assert "senders" not in account.shown()
    listed = read_accounts({"tw": {**TWILIO, "senders": [US1]}}, {})["tw"]
    assert len(listed.listed_senders) == 2 and listed.shown()["senders"] == [US1]


def test_each_kind_names_senders_by_its_own_key() -> None:
    wa = {
        "kind": "whatsapp_cloud",
        "phone_number_id": "100100",
        "access_token": "t",
        "senders": [{"phone_number_id": "100200"}],
    }
    assert [s.address for s in read_accounts({"wa": wa}, {})["wa"].senders] == ["100100", "100200"]
    with pytest.raises(Invalid, match=r"unknown key\(s\) from \(a sender takes phone_number_id"):
        read_accounts({"wa": {**wa, "senders": [{"from": "100200"}]}}, {})


@pytest.mark.parametrize(
    ("listed", "where", "words"),
    [
        ("+1415", "[providers.tw] senders", "expected [[…senders]] tables"),
        (["+1415"], "[providers.tw] senders", "expected [[…senders]] tables"),
        ([{"from": "+1", "colour": "red"}], "[providers.tw] senders[1]", "unknown key(s) colour (a sender takes from,"),
        ([{"country": "US"}], "[providers.tw] senders[1]", "missing from"),
        ([{"from": ""}], "[providers.tw] senders[1]", "missing from"),
        ([US1, {"from": 42}], "[providers.tw] senders[2] from", "expected text"),
        ([{"from": "+1", "rate": 0}], "[providers.tw] senders[1] rate", "rate"),
        ([{"from": "+1", "daily_limit": 0}], "[providers.tw] senders[1] daily_limit", "expected"),
        ([{"from": "+1", "country": "USA"}], "[providers.tw] senders[1] country", "two-letter country code, got 'USA'"),
        ([{"from": "+1", "country": "1A"}], "[providers.tw] senders[1] country", "two-letter"),
        ([{"from": "+1", "pools": "promo"}], "[providers.tw] senders[1] pools", "like [\"promo\"], got 'promo'"),
        ([{"from": "+1", "pools": [" "]}], "[providers.tw] senders[1] pools", "a list of pool names"),
        ([{"from": "+1", "name": ""}], "[providers.tw] senders[1] name", "expected text"),
        ([{"from": "+1", "name": 7}], "[providers.tw] senders[1] name", "expected text"),
        ([{"from": "+14155550100"}], "[providers.tw] senders", "sender +14155550100 is listed twice"),
        ([{"from": "+1", "name": "a"}, {"from": "+2", "name": "a"}], "[providers.tw] senders", "sender a is listed"),
    ],
)
def test_a_wrong_sender_is_refused_naming_the_account_and_the_entry(listed, where, words) -> None:
    with pytest.raises(Invalid) as caught:
        read_accounts({"tw": {**TWILIO, "senders": listed}}, {})
    assert caught.value.where == where and words in str(caught.value)


def test_a_kind_without_a_sender_key_takes_no_senders() -> None:
    with pytest.raises(Invalid, match="takes no senders"):
        read_senders("[providers.x]", None, None, [{"from": "+1"}], KINDS["file"].check)
    assert read_senders("[providers.x]", None, None, None, KINDS["file"].check) == (Sender(OWN, None),)


def test_routes_skip_accounts_without_a_sender_in_the_campaigns_pool() -> None:
    tables = {"tw": {**TWILIO, "senders": [GB]}, "plain": {**TWILIO}}
    accounts = read_accounts(tables, {})
    routing = read_routing({"sms": ["plain", "tw"]}, accounts)
    assert routing.first("sms") == "plain" and routing.first("sms", pool="promo") == "tw"
    assert routing.first("sms", pool="otp") is None and routing.all_pools() == {"promo"}


OWN_US = Sender("+14155550100", "+14155550100")
LOCAL_US = Sender("us", "+14155550101", "US")
LOCAL_GB = Sender("gb", "+447700900100", "GB")
PROMO = Sender("promo", "+14155550102", pools=frozenset({"promo"}))
PROMO_GB = Sender("promo-gb", "+447700900101", "GB", pools=frozenset({"promo"}))
LISTED = {"tw": (OWN_US, LOCAL_US, LOCAL_GB, PROMO, PROMO_GB)}


@pytest.mark.parametrize(
    ("account", "contact", "region", "pool", "sticky", "full", "expected", "kept"),
    [
        # An account that lists no senders sends as itself.
        ("other", 1, "US", None, {}, set(), None, {}),
        # A sender in the recipient's country is preferred, and kept for next time.
        ("tw", 7, "US", None, {}, set(), LOCAL_US, {(7, "tw", ""): "us"}),
        ("tw", 7, "GB", "promo", {}, set(), PROMO_GB, {(7, "tw", "promo"): "promo-gb"}),
        # None in the country: contacts are spread over the pool by their id.
        ("tw", 4, "FR", None, {}, set(), LOCAL_US, {(4, "tw", ""): "us"}),
        ("tw", 5, "FR", None, {}, set(), LOCAL_GB, {(5, "tw", ""): "gb"}),
        ("tw", 6, None, None, {}, set(), OWN_US, {(6, "tw", ""): OWN_US.name}),
        ("tw", 4, "FR", "promo", {}, set(), PROMO, {(4, "tw", "promo"): "promo"}),
        # The sticky sender wins over the country, and nothing new is kept.
        ("tw", 7, "US", None, {(7, "tw", ""): "gb"}, set(), LOCAL_GB, {}),
        # Sticky per pool: the unnamed pool's choice says nothing of the promo pool's.
        ("tw", 7, "US", "promo", {(7, "tw", ""): "gb"}, set(), PROMO_GB, {(7, "tw", "promo"): "promo-gb"}),
        # A sticky sender that left the pool (or the account) is chosen anew.
        ("tw", 7, "US", None, {(7, "tw", ""): "gone"}, set(), LOCAL_US, {(7, "tw", ""): "us"}),
        # A full sender is passed over for a new contact, but not for one it is sticky to.
        ("tw", 7, "US", None, {}, {("tw", "us")}, LOCAL_GB, {(7, "tw", ""): "gb"}),
        ("tw", 7, "US", None, {(7, "tw", ""): "us"}, {("tw", "us")}, LOCAL_US, {}),
        # Every sender of the pool is full: the contact's own pick waits for tomorrow's room.
        ("tw", 7, "GB", "promo", {}, {("tw", "promo"), ("tw", "promo-gb")}, PROMO_GB, {(7, "tw", "promo"): "promo-gb"}),
        # No sender in the pool (routing keeps such accounts away): the account decides.
        ("tw", 7, "US", "otp", {}, set(), None, {}),
    ],
)
def test_a_message_goes_from_the_contacts_sender(account, contact, region, pool, sticky, full, expected, kept) -> None:
    choice = Choice(LISTED, sticky, frozenset(full))
    assert choice.pick(account, contact, region, pool) == expected
    assert choice.chosen == kept


def test_a_choice_made_in_the_batch_holds_for_the_contacts_next_message() -> None:
    choice = Choice(LISTED)
    first = choice.pick("tw", 9, None, None)
    assert first is not None and choice.pick("tw", 9, "GB", None) == first  # not the GB one: already chosen
