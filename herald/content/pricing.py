"""Price tables: segments and messages turned into money, per country, provider and volume tier. Pure.

A table is data (TOML). Tiers are graduated like carriers bill them: the first `up_to` units at one
price, the next band at the next. Money is Decimal, never float.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from herald.errors import Invalid

CHANNELS = ("sms", "whatsapp", "email")


@dataclass(frozen=True)
class Rate:
    channel: str
    region: str  # ISO 3166 alpha-2, or * for any
    provider: str  # provider name, or * for any
    category: str  # WhatsApp category, or * (SMS and email)
    tiers: tuple[tuple[int | None, Decimal], ...]  # (units up to, price per unit); None = no upper bound


@dataclass(frozen=True)
class PriceTable:
    currency: str
    rates: tuple[Rate, ...]
    unit: Mapping[str, str] = field(default_factory=lambda: {"sms": "segment", "whatsapp": "message",
                                                             "email": "message"})

    def rate(self, channel: str, region: str | None, provider: str = "*", category: str = "*") -> Rate | None:
        """The most specific rate: exact region over *, exact provider over *, exact category over *."""
        fits = [r for r in self.rates if r.channel == channel and r.region in (region, "*")
                and r.provider in (provider, "*") and r.category in (category.upper(), "*")]
        return max(fits, key=lambda r: (r.region != "*", r.provider != "*", r.category != "*"), default=None)


@dataclass(frozen=True)
class Line:
    region: str | None
    messages: int
    units: int
    cost: Decimal | None  # None: no price known for this region


@dataclass(frozen=True)
class Estimate:
    currency: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.cost for line in self.lines if line.cost is not None), Decimal(0))

    @property
    def unpriced(self) -> list[str | None]:
        return [line.region for line in self.lines if line.cost is None]

    def as_dict(self) -> dict[str, Any]:
        return {"currency": self.currency, "total": str(self.total), "unpriced_regions": self.unpriced,
                "lines": [{"region": ln.region, "messages": ln.messages, "units": ln.units,
                           "cost": None if ln.cost is None else str(ln.cost)} for ln in self.lines]}


def graduated(tiers: Iterable[tuple[int | None, Decimal]], units: int) -> Decimal:
    """The price of `units` billed through graduated tiers."""
    total, billed = Decimal(0), 0
    for up_to, price in tiers:
        band = units - billed if up_to is None else min(units, up_to) - billed
        if band <= 0:
            continue
        total += band * price
        billed += band
    return total


def estimate(table: PriceTable, channel: str, audience: Iterable[tuple[str | None, int, int]],
             provider: str = "*", category: str = "*") -> Estimate:
    """Cost of sending to (region, messages, units per message) groups; volume tiers apply per rate."""
    lines = []
    for region, messages, per_message in audience:
        rate = table.rate(channel, region, provider, category)
        units = messages * per_message
        lines.append(Line(region, messages, units, None if rate is None else graduated(rate.tiers, units)))
    return Estimate(table.currency, tuple(lines))


def parse(text: str, where: str = "price table") -> PriceTable:
    """A price table from TOML: `currency` and `[[rate]]` entries with channel, region, provider, category
    and either `price` or `tiers = [{up_to, price}, ..., {price}]`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(str(exc), where=where) from None
    currency = str(data.get("currency", "")).upper()
    if len(currency) != 3:
        raise Invalid("currency must be a three-letter code such as USD", where=where)
    rates = tuple(_rate(item, f"{where} rate {i + 1}") for i, item in enumerate(data.get("rate", [])))
    return PriceTable(currency, rates)


def _rate(item: Mapping[str, Any], where: str) -> Rate:
    channel = str(item.get("channel", ""))
    if channel not in CHANNELS:
        raise Invalid(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}", where=where)
    raw = item.get("tiers") or [{"price": item.get("price")}]
    tiers, last = [], 0
    for i, tier in enumerate(raw):
        up_to = tier.get("up_to")
        if (up_to is None) != (i == len(raw) - 1) or (up_to is not None and int(up_to) <= last):
            raise Invalid("tiers rise through up_to and only the last one is open-ended", where=where)
        last = int(up_to or 0)
        tiers.append((None if up_to is None else int(up_to), _money(tier.get("price"), where)))
    return Rate(channel, str(item.get("region", "*")).upper(), str(item.get("provider", "*")),
                str(item.get("category", "*")).upper(), tuple(tiers))


def _money(value: Any, where: str) -> Decimal:
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise Invalid(f"price {value!r} is not a number", where=where) from None
    if not price.is_finite() or price < 0:
        raise Invalid(f"price {value!r} must be zero or more", where=where)
    return price
