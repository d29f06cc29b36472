"""The provider kinds: for each, the keys an account of that kind is configured with, which are secrets,
what each value must be, and the channels it carries. Pure data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from herald.providers.configured import values


@dataclass(frozen=True)
class Kind:
    """What an account of a kind is configured with: required and optional keys, which are secrets, and
    what each value must be (a check answers why a value is wrong, or None)."""

    required: tuple[str, ...] = ()
    optional: Mapping[str, Any] = field(default_factory=dict)  # key -> default
    secrets: frozenset[str] = frozenset()
    checks: Mapping[str, Callable[[Any], str | None]] = field(default_factory=dict)
    exactly_one: tuple[str, ...] = ()  # keys of which one, and only one, must be given
    together: tuple[tuple[str, ...], ...] = ()  # groups of keys given all together or not at all
    # The vendor whose approved templates alone an account of this kind sends (a version must name one).
    templates_of: str | None = None
    channels: tuple[str, ...] = ("sms", "whatsapp", "email")  # the channels an account of this kind carries
    # The key that says whom the account sends as (`from`, `source` …): a `senders` entry gives it anew.
    sender_key: str | None = None

    def keys(self) -> frozenset[str]:
        return frozenset({"kind", "senders", *self.required, *self.optional, *PACING})

    def defaults(self) -> dict[str, Any]:
        """Every optional key's default, pacing's included."""
        return {**PACING, **self.optional}

    def check(self, key: str) -> Callable[[Any], str | None] | None:
        return self.checks.get(key) or PACING_CHECKS.get(key)


# Pacing, which any account may set: units a second and a UTC day, shared by every worker, where a unit is
# a message or, for vendors that meter them so, an SMS segment.
PACING: dict[str, Any] = {"rate": None, "daily_limit": None, "rate_unit": "message"}
PACING_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "rate": values.rate,
    "daily_limit": values.whole(1, 1_000_000_000),
    "rate_unit": values.one_of("message", "segment"),
}


KINDS: dict[str, Kind] = {
    # Writes each message as a JSON line (dry runs and the demo); `dir` defaults to the outbox_dir setting.
    "file": Kind(
        optional={"dir": None, "from": None},
        checks={"dir": values.text, "from": values.text},
        sender_key="from",
    ),
    # A JSON POST to an in-house gateway, signed the Standard Webhooks way.
    "webhook": Kind(
        required=("url", "secret"),
        optional={"timeout": 10.0, "deduplicates": False, "from": None},
        secrets=frozenset({"secret"}),
        checks={
            "from": values.text,
            "url": values.web_address,
            "secret": values.signing_secret,
            "timeout": values.seconds,
            "deduplicates": values.yes_no,
        },
        sender_key="from",
    ),
    # Twilio Programmable Messaging (SMS, MMS and WhatsApp), by the account's auth token or an API key.
    "twilio": Kind(
        required=("account_sid", "auth_token"),
        optional={
            "from": None,
            "messaging_service_sid": None,
            "api_key_sid": None,
            "base_url": "https://api.twilio.com",
            "validity_period": None,
            "status_callback": None,
            "timeout": 10.0,
            "callback_token": None,  # the account's auth token, when auth_token holds an API key's secret
        },
        secrets=frozenset({"auth_token", "callback_token"}),
        checks={
            "account_sid": values.sid("AC"),
            "auth_token": values.text,
            "from": values.text,
            "messaging_service_sid": values.sid("MG"),
            "api_key_sid": values.sid("SK"),
            "base_url": values.web_address,
            "validity_period": values.validity,
            "status_callback": values.web_address,
            "timeout": values.seconds,
            "callback_token": values.text,
        },
        exactly_one=("from", "messaging_service_sid"),
        channels=("sms", "whatsapp"),
        sender_key="from",
    ),
    "aliyun": Kind(
        # Alibaba Cloud SMS (dysmsapi 2017-05-25), by an AccessKey pair of a RAM user allowed dysms:SendSms.
        required=("access_key_id", "access_key_secret", "sign_name"),
        optional={"endpoint": "https://dysmsapi.aliyuncs.com", "timeout": 10.0, "report_token": None},
        secrets=frozenset({"access_key_secret", "report_token"}),
        checks={
            "report_token": values.token,
            "access_key_id": values.text,
            "access_key_secret": values.text,
            "sign_name": values.text,
            "endpoint": values.endpoint,
            "timeout": values.seconds,
        },
        templates_of="aliyun",
        channels=("sms",),
        sender_key="sign_name",
    ),
    "whatsapp_cloud": Kind(
        # Meta's WhatsApp Cloud API: a phone number's id and a system user's access token.
        required=("phone_number_id", "access_token"),
        optional={
            "rate": 80.0,  # Meta's default throughput per business phone number
            "waba_id": None,
            "base_url": "https://graph.facebook.com",
            "api_version": "v23.0",
            "timeout": 10.0,
            "app_secret": None,  # the Meta app's secret, which signs its webhooks
        },
        secrets=frozenset({"access_token", "app_secret"}),
        checks={
            "phone_number_id": values.digits,
            "access_token": values.text,
            "waba_id": values.digits,
            "base_url": values.web_address,
            "api_version": values.graph_version,
            "timeout": values.seconds,
            "app_secret": values.text,
        },
        channels=("whatsapp",),
        sender_key="phone_number_id",
    ),
    "smpp": Kind(
        # A carrier's or an aggregator's SMSC over SMPP 3.4, bound as a transceiver.
        required=("host", "port", "system_id", "password", "source"),
        optional={
            "system_type": "",
            "window": 10,  # submit_sm outstanding at once
            "timeout": 10.0,
            "validity_hours": None,  # how long the SMSC keeps trying; its own default when unset
            "flash": False,  # message class 0: shown at once, not stored
            "tls": False,  # SMPP over TLS (the SMSC's certificate checked against the system's authorities)
        },
        secrets=frozenset({"password"}),
        checks={
            "host": values.text,
            "port": values.whole(1, 65535),
            "system_id": values.ascii_text(15),
            "password": values.ascii_text(8),
            "source": values.sender_id,
            "system_type": values.ascii_text(12, empty=True),
            "window": values.whole(1, 100),
            "timeout": values.seconds,
            "validity_hours": values.whole(1, 72),
            "flash": values.yes_no,
            "tls": values.yes_no,
        },
        channels=("sms",),
        sender_key="source",
    ),
    "smtp": Kind(
        # Any mail server or relay that takes submissions (a company relay, Amazon SES, SendGrid, Postfix).
        required=("host", "from"),
        optional={
            "port": None,  # 587 with STARTTLS, 465 with TLS, 25 with none
            "security": "starttls",
            "username": None,
            "password": None,
            "ca_file": None,
            "connections": 4,
            "timeout": 30.0,
            "reply_to": None,
            "bounce_address": None,
            "unsubscribe_mailto": None,
            "dkim_domain": None,
            "dkim_selector": None,
            "dkim_key": None,  # the private key's PEM text (as env:VARIABLE), or the path of a PEM file
            "local_hostname": None,
        },
        secrets=frozenset({"password", "dkim_key"}),
        checks={
            "host": values.text,
            "from": values.mail_address,
            "port": values.whole(1, 65535),
            "security": values.one_of("starttls", "tls", "none"),
            "username": values.text,
            "password": values.text,
            "ca_file": values.text,
            "connections": values.whole(1, 50),
            "timeout": values.seconds,
            "reply_to": values.mail_address,
            "bounce_address": values.mail_address,
            "unsubscribe_mailto": values.mail_address,
            "dkim_domain": values.text,
            "dkim_selector": values.text,
            "dkim_key": values.text,
            "local_hostname": values.text,
        },
        together=(("username", "password"), ("dkim_domain", "dkim_selector", "dkim_key")),
        channels=("email",),
        sender_key="from",
    ),
}
