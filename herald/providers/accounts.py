"""Provider accounts and routing, read from herald.toml. Pure: tables and an environment in, frozen
accounts and routes out, or `Invalid` naming the table and key.

An account is one configured instance of a provider kind:

    [providers.gateway]
    kind = "webhook"
    url = "https://sms-gateway.internal/send"
    secret = "env:GATEWAY_SECRET"

`[routing]` lists, per channel, the accounts that carry it in failover order, and may route a country
its own way (`sms.CN = ["aliyun-cn"]`). A secret may be written `env:VARIABLE`; it is read from the
environment when the accounts are built and is never shown again (`shown()` gives the reference).
Installations from before accounts name one kind per channel (`providers = { sms = "file" }`); they keep
working: each kind becomes an account of that name.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from herald.errors import Invalid

CHANNELS = ("sms", "whatsapp", "email")
HIDDEN = "(hidden)"


@dataclass(frozen=True)
class Kind:
    """What an account of a kind is configured with: required and optional keys, which are secrets, and
    what each value must be (a check answers why a value is wrong, or None)."""

    required: tuple[str, ...] = ()
    optional: Mapping[str, Any] = field(default_factory=dict)  # key -> default
    secrets: frozenset[str] = frozenset()
    checks: Mapping[str, Callable[[Any], str | None]] = field(default_factory=dict)
    exactly_one: tuple[str, ...] = ()  # keys of which one, and only one, must be given
    # The vendor whose approved templates alone an account of this kind sends (a version must name one).
    templates_of: str | None = None
    channels: tuple[str, ...] = ("sms", "whatsapp", "email")  # the channels an account of this kind carries

    def keys(self) -> frozenset[str]:
        return frozenset({"kind", *self.required, *self.optional})


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "expected text"


def _web_address(value: Any) -> str | None:
    parts = urlsplit(value) if isinstance(value, str) else None
    ok = parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
    return None if ok else f"expected an http(s) address, got {value!r}"


def _signing_secret(value: Any) -> str | None:
    """A Standard Webhooks secret: `whsec_` and Base64, or a passphrase of 16 characters at least."""
    if not isinstance(value, str):
        return "expected text"
    if value.startswith("whsec_"):
        try:
            base64.b64decode(value[len("whsec_") :], validate=True)
        except binascii.Error:
            return "a whsec_ secret must be Base64 after the prefix"
        return None
    return None if len(value) >= 16 else "expected 16 characters at least (or a whsec_ secret)"


def _seconds(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 120
    return None if ok else f"expected seconds between 0 and 120, got {value!r}"


def _validity(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 36_000
    return None if ok else f"expected whole seconds from 1 to 36000, got {value!r}"


def _sid(prefix: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, str) and value.startswith(prefix) and len(value) == 34 and value[2:].isalnum()
        return None if ok else f"expected {prefix} and 32 letters or digits, got {value!r}"

    return check


def _yes_no(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {value!r}"


def _endpoint(value: Any) -> str | None:
    """An API's address: a web address with no path (the API's own paths follow it)."""
    wrong = _web_address(value) or (None if urlsplit(value).path in ("", "/") else "")
    return None if wrong is None else f"expected an http(s) address with no path, got {value!r}"


def _digits(value: Any) -> str | None:
    ok = isinstance(value, str) and value.isdigit() and 5 <= len(value) <= 32
    return None if ok else f"expected Meta's numeric id, got {value!r}"


def _graph_version(value: Any) -> str | None:
    ok = isinstance(value, str) and value.startswith("v") and value[1:].replace(".", "", 1).isdigit()
    return None if ok else f"expected a Graph API version like v23.0, got {value!r}"


KINDS: dict[str, Kind] = {
    # Writes each message as a JSON line (dry runs and the demo); `dir` defaults to the outbox_dir setting.
    "file": Kind(optional={"dir": None}, checks={"dir": _text}),
    # A JSON POST to an in-house gateway, signed the Standard Webhooks way.
    "webhook": Kind(
        required=("url", "secret"),
        optional={"timeout": 10.0, "deduplicates": False},
        secrets=frozenset({"secret"}),
        checks={"url": _web_address, "secret": _signing_secret, "timeout": _seconds, "deduplicates": _yes_no},
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
        },
        secrets=frozenset({"auth_token"}),
        checks={
            "account_sid": _sid("AC"),
            "auth_token": _text,
            "from": _text,
            "messaging_service_sid": _sid("MG"),
            "api_key_sid": _sid("SK"),
            "base_url": _web_address,
            "validity_period": _validity,
            "status_callback": _web_address,
            "timeout": _seconds,
        },
        exactly_one=("from", "messaging_service_sid"),
        channels=("sms", "whatsapp"),
    ),
    "aliyun": Kind(
        # Alibaba Cloud SMS (dysmsapi 2017-05-25), by an AccessKey pair of a RAM user allowed dysms:SendSms.
        required=("access_key_id", "access_key_secret", "sign_name"),
        optional={"endpoint": "https://dysmsapi.aliyuncs.com", "timeout": 10.0},
        secrets=frozenset({"access_key_secret"}),
        checks={
            "access_key_id": _text,
            "access_key_secret": _text,
            "sign_name": _text,
            "endpoint": _endpoint,
            "timeout": _seconds,
        },
        templates_of="aliyun",
        channels=("sms",),
    ),
    "whatsapp_cloud": Kind(
        # Meta's WhatsApp Cloud API: a phone number's id and a system user's access token.
        required=("phone_number_id", "access_token"),
        optional={
            "waba_id": None,
            "base_url": "https://graph.facebook.com",
            "api_version": "v23.0",
            "timeout": 10.0,
        },
        secrets=frozenset({"access_token"}),
        checks={
            "phone_number_id": _digits,
            "access_token": _text,
            "waba_id": _digits,
            "base_url": _web_address,
            "api_version": _graph_version,
            "timeout": _seconds,
        },
        channels=("whatsapp",),
    ),
}


@dataclass(frozen=True)
class Account:
    name: str
    kind: str
    options: Mapping[str, Any] = field(repr=False)  # with secrets read from the environment
    written: Mapping[str, Any] = field(repr=False)  # as herald.toml has them (`env:…` kept as written)

    def shown(self) -> dict[str, Any]:
        """The account as it may be printed: a secret as its `env:` reference, or hidden."""
        return shown({"kind": self.kind, **self.written})


# Words that mark a key as secret in a table whose kind is unknown (so it is hidden all the same).
SECRET_WORDS = ("secret", "password", "token", "key")


def shown(table: Mapping[str, Any]) -> dict[str, Any]:
    """A `[providers.NAME]` table as it may be printed: each secret as its `env:` reference, or hidden."""
    kind = KINDS.get(str(table.get("kind")))
    return {
        key: (value if str(value).startswith("env:") else HIDDEN) if _secret(kind, key) else value
        for key, value in table.items()
    }


def _secret(kind: Kind | None, key: str) -> bool:
    return key in kind.secrets if kind else any(word in key for word in SECRET_WORDS)


@dataclass(frozen=True)
class Routing:
    channels: Mapping[str, tuple[str, ...]]  # channel -> accounts, in failover order
    countries: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (channel, CC) -> accounts
    templated: Mapping[str, str] = field(
        default_factory=dict
    )  # account -> vendor whose approved templates only it sends

    def accounts_for(self, channel: str, region: str | None = None) -> tuple[str, ...]:
        """The accounts that carry a channel to a country, in failover order (the country's own, else the
        channel's)."""
        return self.countries.get((channel, region or ""), ()) or self.channels.get(channel, ())

    def first(
        self,
        channel: str,
        region: str | None = None,
        avoiding: frozenset[str] = frozenset(),
        codes: frozenset[str] | None = None,
    ) -> str | None:
        """The first account of the route not in `avoiding` (accounts whose circuit is open) that can carry
        a version naming the approved templates of `codes`' vendors (any account, when codes is None)."""
        return next(
            (a for a in self.accounts_for(channel, region) if a not in avoiding and self.carries(a, codes)), None
        )

    def carries(self, account: str, codes: frozenset[str] | None) -> bool:
        vendor = self.templated.get(account)
        return codes is None or vendor is None or vendor in codes

    def routes(self) -> list[tuple[str, str | None, tuple[str, ...]]]:
        """Every route: (channel, country or None for the channel's own, accounts in failover order)."""
        own = [(channel, None, names) for channel, names in self.channels.items()]
        return own + [(channel, country, names) for (channel, country), names in self.countries.items()]


def read_accounts(
    tables: Mapping[str, Any], environ: Mapping[str, str], defaults: Mapping[str, Any] | None = None
) -> dict[str, Account]:
    """Every `[providers.NAME]` table as an account; `defaults` fill optional keys a kind takes from
    elsewhere (the file provider's `dir` from outbox_dir)."""
    return {str(name): _account(str(name), table, environ, defaults or {}) for name, table in tables.items()}


def _account(name: str, table: Any, environ: Mapping[str, str], defaults: Mapping[str, Any]) -> Account:
    where = f"[providers.{name}]"
    if not isinstance(table, Mapping):
        raise Invalid("expected a table of settings", where=where)
    kind_name = table.get("kind")
    if kind_name not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}, got {kind_name!r}", where=f"{where} kind")
    kind = KINDS[kind_name]
    unknown = sorted(set(table) - kind.keys())
    if unknown:
        raise Invalid(f"unknown key(s) {', '.join(unknown)} for a {kind_name} account", where=where)
    missing = [key for key in kind.required if key not in table or table[key] in ("", None)]
    if missing:
        raise Invalid(f"missing {', '.join(missing)}", where=where)
    if kind.exactly_one and sum(key in table for key in kind.exactly_one) != 1:
        raise Invalid(f"give exactly one of {' or '.join(kind.exactly_one)}", where=where)
    written = {key: value for key, value in table.items() if key != "kind"}
    options = {key: defaults.get(key, value) for key, value in kind.optional.items()}
    options.update({key: _value(value, environ, f"{where} {key}") for key, value in written.items()})
    for key in written:
        wrong = kind.checks[key](options[key]) if key in kind.checks else None
        if wrong:  # a secret's value is never repeated in the reason
            raise Invalid(wrong if key not in kind.secrets else wrong.split(", got")[0], where=f"{where} {key}")
    return Account(name, kind_name, options, written)


def _value(value: Any, environ: Mapping[str, str], where: str) -> Any:
    """A setting's value, with an `env:VARIABLE` reference read from the environment."""
    if isinstance(value, str) and value.startswith("env:"):
        variable = value[4:]
        if not variable or variable not in environ:
            raise Invalid(f"the environment has no variable {variable!r}", where=where)
        return environ[variable]
    return value


def read_routing(table: Mapping[str, Any], accounts: Mapping[str, Account]) -> Routing:
    """`[routing]`: each channel's accounts in failover order, and countries routed their own way."""
    channels: dict[str, tuple[str, ...]] = {}
    countries: dict[tuple[str, str], tuple[str, ...]] = {}
    for channel, value in table.items():
        if channel not in CHANNELS:
            raise Invalid(f"unknown channel {channel!r} (channels: {', '.join(CHANNELS)})", where="[routing]")
        if isinstance(value, Mapping):  # sms = { default = [...], CN = [...] }
            for country, names in value.items():
                route = _route(names, accounts, f"[routing] {channel}.{country}")
                if country == "default":
                    channels[channel] = route
                elif len(country) == 2 and country.isalpha() and country.isupper():
                    countries[(channel, country)] = route
                else:
                    raise Invalid(
                        "expected a two-letter country code or default", where=f"[routing] {channel}.{country}"
                    )
        else:
            channels[channel] = _route(value, accounts, f"[routing] {channel}")
    templated = {n: v for n, a in accounts.items() if (v := KINDS[a.kind].templates_of)}
    routing = Routing(channels, countries, templated)
    for channel, country, names in routing.routes():
        wrong = [n for n in names if channel not in KINDS[accounts[n].kind].channels]
        if wrong:
            where = f"[routing] {channel}.{country}" if country else f"[routing] {channel}"
            kinds = ", ".join(f"{n} ({accounts[n].kind})" for n in wrong)
            raise Invalid(f"{kinds} cannot carry {channel}", where=where)
    return routing


def _route(names: Any, accounts: Mapping[str, Account], where: str) -> tuple[str, ...]:
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise Invalid("expected a list of account names", where=where)
    unknown = [n for n in names if n not in accounts]
    if unknown:
        raise Invalid(f"no account named {', '.join(unknown)} (accounts: {', '.join(accounts) or 'none'})", where=where)
    if len(set(names)) < len(names):
        raise Invalid("an account is listed twice", where=where)
    return tuple(names)


def from_channel_kinds(kinds: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `[providers.*]` tables and `[routing]` equal to the older setting that named one provider kind
    per channel (`providers = { sms = "file" }`): one account per kind, named after it."""
    tables = {kind: {"kind": kind} for kind in kinds.values()}
    return tables, {channel: [kind] for channel, kind in kinds.items()}
