"""Price tables: segments and messages turned into money, per country, provider and volume tier. Pure.

A table is data (TOML). Tiers are graduated like carriers bill them, over the month's volume: the first
`up_to` units of the month at one price, the next band at the next, so an estimate starts where what was
sent this month left off. Rebates give a share of the money back on the units past a threshold
(graduated), or on every unit of the month once it is reached (`retroactive`). Money is Decimal, never
float.
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
    rebates: tuple[tuple[int, Decimal], ...] = ()  # (from the month's unit, share back: 0.10 is 10 %)
    retroactive: bool = False  # a rebate reached applies to every unit of the month, not only those past it

    def cost(self, units: int, used: int = 0) -> tuple[Decimal, Decimal]:
        """(price, rebate) of `units` more when `used` units went out this month already."""
        price = graduated(self.tiers, used + units) - graduated(self.tiers, used)
        if not self.rebates:
            return price, Decimal(0)
        if self.retroactive:
            return price, _retroactive(self, units, used)
        ends = [start for start, _ in self.rebates[1:]] + [None]  # each band runs to the next threshold
        back = sum(
            (
                _band_money(self.tiers, used, units, start, end) * share
                for (start, share), end in zip(self.rebates, ends, strict=True)
            ),
            Decimal(0),
        )
        return price, back


def _band_money(
    tiers: tuple[tuple[int | None, Decimal], ...], used: int, units: int, start: int, end: int | None
) -> Decimal:
    """The price of the units of this estimate that fall in [start, end) of the month."""
    low, high = max(used, start), used + units if end is None else min(used + units, end)
    return graduated(tiers, high) - graduated(tiers, low) if high > low else Decimal(0)


def _retroactive(rate: Rate, units: int, used: int) -> Decimal:
    """The rebate owed for the month after these units, less what was owed before them."""

    def owed(total: int) -> Decimal:
        share = max((s for start, s in rate.rebates if total >= start), default=Decimal(0))
        return graduated(rate.tiers, total) * share

    return owed(used + units) - owed(used)


@dataclass(frozen=True)
class PriceTable:
    currency: str
    rates: tuple[Rate, ...]
    unit: Mapping[str, str] = field(
        default_factory=lambda: {"sms": "segment", "whatsapp": "message", "email": "message"}
    )
    # The provider each channel goes through here, so that its own rates apply: channel -> provider name.
    routes: Mapping[str, str] = field(default_factory=dict)

    def rate(self, channel: str, region: str | None, provider: str = "*", category: str = "*") -> Rate | None:
        """The most specific rate: exact region over *, exact provider over *, exact category over *."""
        fits = [
            r
            for r in self.rates
            if r.channel == channel
            and r.region in (region, "*")
            and r.provider in (provider, "*")
            and r.category in (category.upper(), "*")
        ]
        return max(fits, key=lambda r: (r.region != "*", r.provider != "*", r.category != "*"), default=None)


@dataclass(frozen=True)
class Line:
    region: str | None
    messages: int
    units: int
    cost: Decimal | None  # what is paid after rebates; None: no price known for this region
    rebate: Decimal = Decimal(0)  # what comes back


@dataclass(frozen=True)
class Estimate:
    currency: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.cost for line in self.lines if line.cost is not None), Decimal(0))

    @property
    def rebate(self) -> Decimal:
        return sum((line.rebate for line in self.lines), Decimal(0))

    @property
    def unpriced(self) -> list[str | None]:
        return [line.region for line in self.lines if line.cost is None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "total": str(self.total),
            "rebate": str(self.rebate),
            "unpriced_regions": self.unpriced,
            "lines": [
                {
                    "region": ln.region,
                    "messages": ln.messages,
                    "units": ln.units,
                    "cost": None if ln.cost is None else str(ln.cost),
                    "rebate": str(ln.rebate),
                }
                for ln in self.lines
            ],
        }


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


def used_by_rate(
    table: PriceTable, sent: Iterable[tuple[str, str | None, str | None, str | None, int]]
) -> dict[Rate, int]:
    """Units sent this month per rate, from (channel, region, provider, category, units) groups of the
    ledger: the volume each rate's tiers and rebates have reached."""
    used: dict[Rate, int] = {}
    for channel, region, provider, category, units in sent:
        rate = table.rate(channel, region, provider or "*", category or "*")
        if rate is not None:
            used[rate] = used.get(rate, 0) + units
    return used


def estimate(
    table: PriceTable,
    channel: str,
    audience: Iterable[tuple[str | None, int, int]],
    provider: str | None = None,
    category: str = "*",
    used: Mapping[Rate, int] | None = None,
) -> Estimate:
    """Cost of sending to (region, messages, units per message) groups through `provider` (by default the
    channel's route). Tiers and rebates go on from the month's volume so far (`used`, per rate); groups
    priced by one rate follow each other through its tiers."""
    so_far = dict(used or {})
    provider = provider or table.routes.get(channel, "*")
    lines = []
    for region, messages, per_message in audience:
        rate = table.rate(channel, region, provider, category)
        units = messages * per_message
        if rate is None:
            lines.append(Line(region, messages, units, None))
            continue
        price, back = rate.cost(units, so_far.get(rate, 0))
        so_far[rate] = so_far.get(rate, 0) + units
        lines.append(Line(region, messages, units, price - back, back))
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
    return Rate(
        channel,
        str(item.get("region", "*")).upper(),
        str(item.get("provider", "*")),
        str(item.get("category", "*")).upper(),
        tuple(tiers),
        _rebates(item.get("rebates", []), where),
        bool(item.get("retroactive", False)),
    )


def _rebates(raw: Any, where: str) -> tuple[tuple[int, Decimal], ...]:
    """`rebates = [{from = 50000, percent = 10}, {from = 100000, percent = 20}]`, thresholds rising."""
    found, last = [], 0
    for entry in raw if isinstance(raw, list) else [raw]:
        if not isinstance(entry, Mapping) or "from" not in entry or "percent" not in entry:
            raise Invalid("each rebate needs from (units in the month) and percent", where=where)
        start, share = int(entry["from"]), _money(entry["percent"], where) / 100
        if start <= last or share > 1:
            raise Invalid("rebates rise through from, each at most 100 percent", where=where)
        found.append((start, share))
        last = start
    return tuple(found)


def _money(value: Any, where: str) -> Decimal:
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise Invalid(f"price {value!r} is not a number", where=where) from None
    if not price.is_finite() or price < 0:
        raise Invalid(f"price {value!r} must be zero or more", where=where)
    return price
