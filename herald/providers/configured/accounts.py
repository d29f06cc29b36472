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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from herald.errors import Invalid
from herald.providers.configured.kinds import KINDS, Kind
from herald.providers.configured.senders import Sender, pools_of, read_senders

CHANNELS = ("sms", "whatsapp", "email")
HIDDEN = "(hidden)"


@dataclass(frozen=True)
class Account:
    name: str
    kind: str
    options: Mapping[str, Any] = field(repr=False)  # with secrets read from the environment
    written: Mapping[str, Any] = field(repr=False)  # as herald.toml has them (`env:…` kept as written)
    senders: tuple[Sender, ...] = ()  # whom it sends as: its own sender first, then those it lists

    @property
    def rate(self) -> float | None:
        """Units a second the account may take (None: as fast as it answers)."""
        return None if self.options.get("rate") is None else float(self.options["rate"])

    @property
    def daily_limit(self) -> int | None:
        return None if self.options.get("daily_limit") is None else int(self.options["daily_limit"])

    @property
    def meters_segments(self) -> bool:
        return self.options.get("rate_unit") == "segment"

    @property
    def listed_senders(self) -> tuple[Sender, ...]:
        """Its senders when it lists any (a message then goes from one of them), else none."""
        return self.senders if len(self.senders) > 1 else ()

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
    pools: Mapping[str, frozenset[str]] = field(default_factory=dict)  # account -> its senders' pools

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
        pool: str | None = None,
    ) -> str | None:
        """The first account of the route not in `avoiding` (accounts whose circuit is open) that can carry
        a version naming the approved templates of `codes`' vendors (any account, when codes is None) and
        has a sender in `pool` (when a campaign names one)."""
        return next(
            (
                a
                for a in self.accounts_for(channel, region)
                if a not in avoiding and self.carries(a, codes) and (pool is None or pool in self.pools.get(a, ()))
            ),
            None,
        )

    def all_pools(self) -> frozenset[str]:
        """Every sender pool of the accounts."""
        return frozenset(p for pools in self.pools.values() for p in pools)

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
    for group in kind.together:
        if 0 < sum(key in table for key in group) < len(group):
            raise Invalid(f"give {', '.join(group)} together, or none of them", where=where)
    written = {key: value for key, value in table.items() if key != "kind"}
    options = {key: defaults.get(key, value) for key, value in kind.defaults().items()}
    listed = written.pop("senders", None)
    options.update({key: _value(value, environ, f"{where} {key}") for key, value in written.items()})
    for key in written:
        check = kind.check(key)
        wrong = check(options[key]) if check else None
        if wrong:  # a secret's value is never repeated in the reason
            raise Invalid(wrong if key not in kind.secrets else wrong.split(", got")[0], where=f"{where} {key}")
    senders = read_senders(where, kind.sender_key, options.get(kind.sender_key or ""), listed, kind.check)
    if listed is not None:
        written["senders"] = listed
    return Account(name, kind_name, options, written, senders)


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
    pools = {n: pools_of(a.senders) for n, a in accounts.items()}
    routing = Routing(channels, countries, templated, pools)
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
