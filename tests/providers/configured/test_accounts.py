"""Provider accounts and routing read from herald.toml's tables (pure)."""

import pytest

from herald.errors import Invalid
from herald.providers.configured.accounts import (
    HIDDEN,
    Account,
    Routing,
    from_channel_kinds,
    read_accounts,
    read_routing,
)

ENV = {"GATEWAY_SECRET": "whsec_c2VjcmV0"}
GATEWAY = {"kind": "webhook", "url": "https://gw.example/send", "secret": "env:GATEWAY_SECRET"}


def accounts(**tables) -> dict[str, Account]:
    return read_accounts(tables, ENV, {"dir": "herald-outbox"})


def test_an_account_reads_its_secret_from_the_environment_and_never_shows_it() -> None:
    gateway = accounts(gateway={**GATEWAY, "timeout": 2.5, "deduplicates": True})["gateway"]
    assert gateway.options["timeout"] == 2.5 and gateway.options["deduplicates"] is True
    gateway = accounts(gateway=GATEWAY)["gateway"]
    assert gateway.kind == "webhook" and gateway.options["secret"] == "whsec_c2VjcmV0"
    assert gateway.options["timeout"] == 10.0 and gateway.options["deduplicates"] is False  # the kind's defaults
    assert gateway.shown() == {"kind": "webhook", "url": "https://gw.example/send", "secret": "env:GATEWAY_SECRET"}
    assert "whsec" not in repr(gateway)
    inline = accounts(gateway={**GATEWAY, "secret": "written-inline-secret"})["gateway"]
    assert inline.options["secret"] == "written-inline-secret" and inline.shown()["secret"] == HIDDEN


def test_a_file_account_writes_where_the_outbox_setting_says_unless_told() -> None:
    assert accounts(dry={"kind": "file"})["dry"].options["dir"] == "herald-outbox"
    assert accounts(dry={"kind": "file", "dir": "elsewhere"})["dry"].options["dir"] == "elsewhere"


@pytest.mark.parametrize(
    ("table", "where", "words"),
    [
        ("not a table", "[providers.gw]", "expected a table"),
        (
            {"url": "x"},
            "[providers.gw] kind",
            "kind must be one of file, webhook, twilio, aliyun, whatsapp_cloud, smpp, smtp, got None",
        ),
        ({"kind": "carrier-pigeon"}, "[providers.gw] kind", "got 'carrier-pigeon'"),
        ({**GATEWAY, "colour": "red"}, "[providers.gw]", "unknown key(s) colour for a webhook account"),
        ({"kind": "webhook", "url": "https://gw"}, "[providers.gw]", "missing secret"),
        ({**GATEWAY, "url": ""}, "[providers.gw]", "missing url"),
        ({**GATEWAY, "secret": "env:NOT_SET"}, "[providers.gw] secret", "no variable 'NOT_SET'"),
        ({**GATEWAY, "secret": "env:"}, "[providers.gw] secret", "no variable ''"),
        ({**GATEWAY, "url": "ftp://gw"}, "[providers.gw] url", "expected an http(s) address, got 'ftp://gw'"),
        ({**GATEWAY, "url": 42}, "[providers.gw] url", "expected an http(s) address"),
        ({**GATEWAY, "url": "https://"}, "[providers.gw] url", "expected an http(s) address"),
        ({**GATEWAY, "secret": "whsec_not base64!"}, "[providers.gw] secret", "must be Base64 after the prefix"),
        ({**GATEWAY, "secret": "short"}, "[providers.gw] secret", "16 characters at least"),
        ({**GATEWAY, "secret": 1234567890123456789}, "[providers.gw] secret", "expected text"),
        ({**GATEWAY, "timeout": 0}, "[providers.gw] timeout", "between 0 and 120, got 0"),
        ({**GATEWAY, "timeout": True}, "[providers.gw] timeout", "between 0 and 120"),
        ({**GATEWAY, "deduplicates": "yes"}, "[providers.gw] deduplicates", "expected true or false, got 'yes'"),
        ({"kind": "file", "dir": " "}, "[providers.gw] dir", "expected text"),
    ],
)
def test_a_wrong_account_is_refused_naming_its_table_and_key(table, where, words) -> None:
    with pytest.raises(Invalid) as err:
        accounts(gw=table)
    assert err.value.where == where and words in err.value.reason
    assert "whsec_not" not in err.value.reason and "short" not in err.value.reason  # a secret is never repeated


def test_routing_lists_accounts_in_failover_order_and_routes_countries_their_own_way() -> None:
    found = accounts(gw=GATEWAY, backup=GATEWAY, dry={"kind": "file"})
    routing = read_routing({"sms": {"default": ["gw", "backup"], "CN": "dry"}, "email": ["dry"]}, found)
    assert routing.accounts_for("sms") == ("gw", "backup") and routing.first("sms", "NP") == "gw"
    assert routing.accounts_for("sms", "CN") == ("dry",)
    assert routing.first("email", "CN") == "dry"
    assert routing.first("whatsapp") is None and Routing({}).accounts_for("sms", None) == ()


@pytest.mark.parametrize(
    ("table", "where", "words"),
    [
        ({"fax": ["gw"]}, "[routing]", "unknown channel 'fax'"),
        ({"sms": ["nobody"]}, "[routing] sms", "no account named nobody (accounts: gw)"),
        ({"sms": []}, "[routing] sms", "expected a list of account names"),
        ({"sms": [1]}, "[routing] sms", "expected a list of account names"),
        ({"sms": ["gw", "gw"]}, "[routing] sms", "an account is listed twice"),
        ({"sms": {"china": ["gw"]}}, "[routing] sms.china", "two-letter country code"),
        ({"sms": {"CN": ["ghost"]}}, "[routing] sms.CN", "no account named ghost"),
    ],
)
def test_a_route_to_nothing_is_refused_naming_where(table, where, words) -> None:
    with pytest.raises(Invalid) as err:
        read_routing(table, accounts(gw=GATEWAY))
    assert err.value.where == where and words in err.value.reason


def test_a_route_with_no_accounts_at_all_says_so() -> None:
    with pytest.raises(Invalid, match=r"accounts: none"):
        read_routing({"sms": ["gw"]}, {})


def test_the_older_one_kind_per_channel_setting_becomes_accounts_named_after_the_kinds() -> None:
    tables, routes = from_channel_kinds({"sms": "file", "email": "file"})
    assert tables == {"file": {"kind": "file"}} and routes == {"sms": ["file"], "email": ["file"]}
    routing = read_routing(routes, accounts(**tables))
    assert routing.first("sms") == routing.first("email") == "file"


def test_a_table_is_shown_with_its_secrets_hidden_even_when_its_kind_is_unknown() -> None:
    from herald.providers.configured.accounts import shown

    assert shown({**GATEWAY, "secret": "inline"}) == {**GATEWAY, "secret": HIDDEN}
    future = {"kind": "carrier-x", "system_id": "LTAI", "access_key_secret": "s3cret", "sign_name": "阿里云"}
    assert shown(future) == {
        "kind": "carrier-x",
        "system_id": "LTAI",
        "access_key_secret": HIDDEN,
        "sign_name": "阿里云",
    }
    known = {"kind": "aliyun", "access_key_id": "LTAI", "access_key_secret": "s3cret", "sign_name": "阿里云"}
    assert shown(known) == {**known, "access_key_secret": HIDDEN}


TWILIO = {"kind": "twilio", "account_sid": "AC" + "a1" * 16, "auth_token": "env:GATEWAY_SECRET", "from": "+15005550006"}


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"from": None}, "[providers.tw]", "give exactly one of from or messaging_service_sid"),
        ({"messaging_service_sid": "MG" + "0" * 32}, "[providers.tw]", "give exactly one of"),
        ({"account_sid": "XY123"}, "[providers.tw] account_sid", "expected AC and 32 letters or digits"),
        ({"api_key_sid": "SK" + "!" * 32}, "[providers.tw] api_key_sid", "expected SK"),
        ({"validity_period": 36_001}, "[providers.tw] validity_period", "from 1 to 36000"),
        ({"validity_period": True}, "[providers.tw] validity_period", "from 1 to 36000"),
        ({"status_callback": "callback"}, "[providers.tw] status_callback", "http(s) address"),
    ],
)
def test_a_twilio_account_is_checked_before_anything_is_sent(change, where, words) -> None:
    table = {k: v for k, v in {**TWILIO, **change}.items() if v is not None}
    with pytest.raises(Invalid) as err:
        accounts(tw=table)
    assert err.value.where == where and words in err.value.reason


def test_a_twilio_account_by_messaging_service_with_an_api_key() -> None:
    table = {k: v for k, v in TWILIO.items() if k != "from"}
    table.update(messaging_service_sid="MG" + "b2" * 16, api_key_sid="SK" + "c3" * 16, validity_period=600)
    twilio = accounts(tw=table)["tw"]
    assert twilio.options["from"] is None and twilio.options["validity_period"] == 600
    assert twilio.shown()["auth_token"] == "env:GATEWAY_SECRET"


ALIYUN = {
    "kind": "aliyun",
    "access_key_id": "LTAI5tExample",
    "access_key_secret": "env:GATEWAY_SECRET",
    "sign_name": "Herald",
}


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"sign_name": None}, "[providers.ali]", "missing sign_name"),
        ({"endpoint": "https://dysmsapi.aliyuncs.com/send"}, "[providers.ali] endpoint", "with no path"),
        ({"endpoint": "dysmsapi.aliyuncs.com"}, "[providers.ali] endpoint", "http(s) address"),
        ({"region": "cn-hangzhou"}, "[providers.ali]", "unknown key(s) region for a aliyun account"),
        ({"report_token": "short"}, "[providers.ali] report_token", "expected 24 to 128 letters, digits"),
        ({"report_token": "a-token-with-a-slash/in-it-0123"}, "[providers.ali] report_token", "URL-safe"),
        ({"report_token": "令牌令牌令牌令牌令牌令牌令牌令牌令牌"}, "[providers.ali] report_token", "URL-safe"),
    ],
)
def test_an_aliyun_account_is_checked_before_anything_is_sent(change, where, words) -> None:
    table = {k: v for k, v in {**ALIYUN, **change}.items() if v is not None}
    with pytest.raises(Invalid) as err:
        accounts(ali=table)
    assert err.value.where == where and words in err.value.reason


def test_an_aliyun_account_carries_only_versions_naming_an_aliyun_template() -> None:
    found = accounts(ali={**ALIYUN, "endpoint": "https://dysmsapi.aliyuncs.com/"}, tw=TWILIO)
    routing = read_routing({"sms": {"default": ["tw"], "CN": ["ali", "tw"]}}, found)
    assert routing.templated == {"ali": "aliyun"}
    assert routing.first("sms", "CN", codes=frozenset()) == "tw"
    assert routing.first("sms", "CN", codes=frozenset({"aliyun"})) == "ali"
    assert routing.first("sms", "CN") == "ali"  # no version in question: any account
    assert routing.first("sms", "CN", frozenset({"tw"}), frozenset()) is None
    assert routing.routes() == [("sms", None, ("tw",)), ("sms", "CN", ("ali", "tw"))]
    assert found["ali"].shown()["access_key_secret"] == "env:GATEWAY_SECRET"


WHATSAPP = {"kind": "whatsapp_cloud", "phone_number_id": "106540352242922", "access_token": "env:GATEWAY_SECRET"}


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"phone_number_id": "+1 555 0100"}, "[providers.wa] phone_number_id", "expected Meta's numeric id"),
        ({"waba_id": 102290129340398}, "[providers.wa] waba_id", "expected Meta's numeric id"),
        ({"api_version": "23"}, "[providers.wa] api_version", "like v23.0, got '23'"),
        ({"api_version": "v2x.0"}, "[providers.wa] api_version", "like v23.0"),
        ({"access_token": None}, "[providers.wa]", "missing access_token"),
    ],
)
def test_a_whatsapp_cloud_account_is_checked_before_anything_is_sent(change, where, words) -> None:
    table = {k: v for k, v in {**WHATSAPP, **change}.items() if v is not None}
    with pytest.raises(Invalid) as err:
        accounts(wa=table)
    assert err.value.where == where and words in err.value.reason


@pytest.mark.parametrize(
    ("routes", "where", "words"),
    [
        ({"sms": ["wa"]}, "[routing] sms", "wa (whatsapp_cloud) cannot carry sms"),
        ({"email": ["tw", "ali"]}, "[routing] email", "tw (twilio), ali (aliyun) cannot carry email"),
        ({"whatsapp": {"CN": ["ali"]}}, "[routing] whatsapp.CN", "ali (aliyun) cannot carry whatsapp"),
    ],
)
def test_a_route_through_an_account_that_cannot_carry_its_channel_is_refused(routes, where, words) -> None:
    found = accounts(wa={**WHATSAPP, "waba_id": "102290129340398", "api_version": "v24.0"}, tw=TWILIO, ali=ALIYUN)
    assert read_routing({"whatsapp": ["wa", "tw"], "sms": ["ali", "tw"]}, found).first("whatsapp") == "wa"
    with pytest.raises(Invalid) as err:
        read_routing(routes, found)
    assert err.value.where == where and words in err.value.reason


SMTP = {"kind": "smtp", "host": "smtp.shop.example", "from": "Shop <news@shop.example>"}


def test_an_smtp_account_takes_starttls_on_587_unless_told_and_hides_its_password_and_key() -> None:
    plain = accounts(mail=SMTP)["mail"]
    assert plain.options["security"] == "starttls" and plain.options["port"] is None
    assert plain.options["connections"] == 4 and plain.options["username"] is None
    signed = {
        **SMTP,
        "username": "apikey",
        "password": "env:GATEWAY_SECRET",
        "dkim_domain": "shop.example",
        "dkim_selector": "s1",
        "dkim_key": "-----BEGIN PRIVATE KEY-----",
        "security": "tls",
        "port": 465,
        "reply_to": "care@shop.example",
    }
    found = accounts(mail=signed)["mail"]
    assert found.options["password"] == "whsec_c2VjcmV0" and found.options["port"] == 465
    assert found.shown()["password"] == "env:GATEWAY_SECRET" and found.shown()["dkim_key"] == HIDDEN
    assert read_routing({"email": ["mail"]}, {"mail": found}).first("email") == "mail"


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"from": "news at shop"}, "[providers.mail] from", "expected an e-mail address, got 'news at shop'"),
        ({"from": "Shop <@shop.example>"}, "[providers.mail] from", "expected an e-mail address"),
        ({"from": 7}, "[providers.mail] from", "expected an e-mail address"),
        ({"port": 0}, "[providers.mail] port", "whole number from 1 to 65535, got 0"),
        ({"port": "587"}, "[providers.mail] port", "got '587'"),
        ({"security": "ssl"}, "[providers.mail] security", "one of starttls, tls, none, got 'ssl'"),
        ({"connections": 51}, "[providers.mail] connections", "from 1 to 50"),
        ({"username": "apikey"}, "[providers.mail]", "give username, password together, or none of them"),
        ({"dkim_domain": "shop.example", "dkim_selector": "s1"}, "[providers.mail]", "dkim_key together"),
        ({"bounce_address": "bounces"}, "[providers.mail] bounce_address", "expected an e-mail address"),
        ({"host": None}, "[providers.mail]", "missing host"),
    ],
)
def test_an_smtp_account_is_checked_before_anything_is_sent(change, where, words) -> None:
    table = {k: v for k, v in {**SMTP, **change}.items() if v is not None}
    with pytest.raises(Invalid) as err:
        accounts(mail=table)
    assert err.value.where == where and words in err.value.reason


def test_an_smtp_account_carries_email_only() -> None:
    with pytest.raises(Invalid, match="mail \\(smtp\\) cannot carry sms"):
        read_routing({"sms": ["mail"]}, accounts(mail=SMTP))


def test_any_account_may_be_paced_and_whatsapp_numbers_are_paced_at_metas_80_a_second() -> None:
    found = accounts(gw={**GATEWAY, "rate": 2.5, "daily_limit": 1000, "rate_unit": "segment"}, wa=WHATSAPP)
    assert (found["gw"].rate, found["gw"].daily_limit, found["gw"].meters_segments) == (2.5, 1000, True)
    assert (found["wa"].rate, found["wa"].daily_limit, found["wa"].meters_segments) == (80.0, None, False)


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"rate": 0}, "rate", "more than 0 and at most 10000, got 0"),
        ({"rate": "fast"}, "rate", "got 'fast'"),
        ({"daily_limit": 0}, "daily_limit", "from 1 to 1000000000"),
        ({"rate_unit": "sms"}, "rate_unit", "one of message, segment"),
    ],
)
def test_a_pace_that_cannot_be_kept_is_refused(change, key, words) -> None:
    with pytest.raises(Invalid) as err:
        accounts(gw={**GATEWAY, **change})
    assert err.value.where == f"[providers.gw] {key}" and words in err.value.reason


SMPP = {
    "kind": "smpp",
    "host": "smsc.carrier.example",
    "port": 2775,
    "system_id": "herald",
    "password": "pw12345",
    "source": "Herald",
}


def test_an_smpp_account_binds_with_its_system_id_and_carries_sms_only() -> None:
    found = accounts(smsc={**SMPP, "password": "pw12345", "source": "+14155550100", "validity_hours": 24})["smsc"]
    assert (
        found.options["window"] == 10 and found.options["validity_hours"] == 24 and found.shown()["password"] == HIDDEN
    )
    assert read_routing({"sms": ["smsc"]}, {"smsc": found}).first("sms") == "smsc"
    with pytest.raises(Invalid, match="smsc \\(smpp\\) cannot carry whatsapp"):
        read_routing({"whatsapp": ["smsc"]}, {"smsc": found})


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"password": "longer-than-8"}, "password", "ASCII text of at most 8 characters"),
        ({"system_id": "x" * 16}, "system_id", "at most 15 characters"),
        ({"system_type": "密"}, "system_type", "ASCII text of at most 12"),
        ({"source": "Herald Shop Ltd"}, "source", "a sender id of at most 11 letters, got 'Herald Shop Ltd'"),
        ({"source": "12"}, "source", "expected a number or a sender id"),
        ({"source": "店铺"}, "source", "expected a number or a sender id"),
        ({"window": 0}, "window", "from 1 to 100"),
        ({"validity_hours": 73}, "validity_hours", "from 1 to 72"),
        ({"tls": "yes"}, "tls", "true or false"),
    ],
)
def test_an_smpp_account_is_checked_before_anything_is_sent(change, key, words) -> None:
    with pytest.raises(Invalid) as err:
        accounts(smsc={**SMPP, **change})
    assert err.value.where == f"[providers.smsc] {key}" and words in err.value.reason
