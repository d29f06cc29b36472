"""Senders: the numbers, short codes, sender ids, WhatsApp phone-number ids and From addresses an account
sends as, and which one a message goes from. Pure.

An account sends as itself (its own `from`, `phone_number_id`, `source` or `sign_name`) unless it lists
senders of its own:

    [[providers.twilio-us.senders]]
    from = "+14155550101"
    country = "US"          # preferred for recipients in the US
    rate = 1                # its own pace, beside the account's
    daily_limit = 2000
    pools = ["promo"]       # only campaigns naming the pool send from it

The account's own sender and every sender that names no pool form the unnamed pool, used by campaigns that
name none. A contact keeps the sender it was first sent from in a pool (sticky), as long as that sender
is still there; otherwise a sender in the contact's country is preferred, among those with room left
today, and contacts are spread over the rest evenly and for good.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from herald.errors import Invalid

OWN = "(account)"  # the name of an account's own sender when it has no address of its own


@dataclass(frozen=True)
class Sender:
    name: str  # how status, sticky choices and pacing name it: its address unless given a name
    address: str | None  # None: the account's own choice (a Messaging Service, a gateway's default)
    country: str | None = None  # ISO 3166 alpha-2: preferred for recipients there
    rate: float | None = None  # units a second, beside the account's pace
    daily_limit: int | None = None
    pools: frozenset[str] = frozenset()  # empty: the unnamed pool, for campaigns that name none

    @property
    def paced(self) -> bool:
        return self.rate is not None or self.daily_limit is not None

    def serves(self, pool: str | None) -> bool:
        return pool in self.pools if pool is not None else not self.pools


KEYS = ("name", "country", "rate", "daily_limit", "pools")


def read_senders(
    where: str, key: str | None, own: Any, tables: Any, check: Callable[[str], Callable[[Any], str | None] | None]
) -> tuple[Sender, ...]:
    """An account's senders, its own first: `key` is the kind's sender key (`from`, `source` …), `own` the
    account's value of it, `tables` the `senders` list as written, `check` the kind's check of a key."""
    first = Sender(str(own) if own else OWN, str(own) if own else None)
    if tables is None:
        return (first,)
    if key is None:
        raise Invalid("this kind of account sends as itself and takes no senders", where=f"{where} senders")
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise Invalid("expected [[…senders]] tables", where=f"{where} senders")
    senders = [first, *(_sender(f"{where} senders[{n}]", key, t, check) for n, t in enumerate(tables, 1))]
    names = [s.name for s in senders]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise Invalid(
            f"sender {', '.join(twice)} is listed twice (give each a distinct name)", where=f"{where} senders"
        )
    return tuple(senders)


def _sender(
    where: str, key: str, table: Mapping[str, Any], check: Callable[[str], Callable[[Any], str | None] | None]
) -> Sender:
    unknown = sorted(set(table) - {key, *KEYS})
    if unknown:
        raise Invalid(f"unknown key(s) {', '.join(unknown)} (a sender takes {key}, {', '.join(KEYS)})", where=where)
    if table.get(key) in (None, ""):
        raise Invalid(f"missing {key}", where=where)
    for name in (key, "rate", "daily_limit"):
        checked = check(name) if name in table else None
        wrong = checked(table[name]) if checked else None
        if wrong:
            raise Invalid(wrong, where=f"{where} {name}")
    country, pools, name = table.get("country"), table.get("pools", []), table.get("name", str(table[key]))
    if country is not None and not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
        raise Invalid(f"expected a two-letter country code, got {country!r}", where=f"{where} country")
    if not isinstance(pools, list) or not all(isinstance(p, str) and p.strip() for p in pools):
        raise Invalid(f'expected a list of pool names, like ["promo"], got {pools!r}', where=f"{where} pools")
    if not isinstance(name, str) or not name.strip():
        raise Invalid("expected text", where=f"{where} name")
    rate, daily = table.get("rate"), table.get("daily_limit")
    return Sender(
        name,
        str(table[key]),
        country.upper() if country else None,
        None if rate is None else float(rate),
        None if daily is None else int(daily),
        frozenset(pools),
    )


def pools_of(senders: Sequence[Sender]) -> frozenset[str]:
    """Every pool an account's senders are in."""
    return frozenset(p for s in senders for p in s.pools)


@dataclass
class Choice:
    """Which sender each message goes from, for one batch: the accounts' senders, the contacts' sticky
    senders as recorded, and the senders with no room left today. New sticky choices gather in `chosen`."""

    senders: Mapping[str, tuple[Sender, ...]]  # account -> its senders, its own first (listed ones only)
    sticky: Mapping[tuple[int, str, str], str] = field(default_factory=dict)  # (contact, account, pool) -> sender
    full: frozenset[tuple[str, str]] = frozenset()  # (account, sender) that used up today's limit
    chosen: dict[tuple[int, str, str], str] = field(default_factory=dict)

    def pick(self, account: str, contact: int, region: str | None, pool: str | None) -> Sender | None:
        """The sender of a message to a contact (None: the account has no senders of its own to pick
        from, or none in the pool)."""
        fits = [s for s in self.senders.get(account, ()) if s.serves(pool)]
        if not fits:
            return None
        key = (contact, account, pool or "")
        kept = self.chosen.get(key) or self.sticky.get(key)
        found = next((s for s in fits if s.name == kept), None)
        if found is not None:
            return found
        room = [s for s in fits if (account, s.name) not in self.full] or fits
        near = [s for s in room if region is not None and s.country == region] or room
        found = near[contact % len(near)]
        self.chosen[key] = found.name
        return found
