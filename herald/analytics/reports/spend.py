"""What a campaign cost, by the price table, and what it returned. Each (channel, region, provider) group
of what was sent is priced by its most specific rate through the rate's tiers and less its rebates, as if
the campaign were the month's first volume (a vendor's invoice, which counts the month's other sends, may
land lower in the tiers); a group no rate prices is named, never guessed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from herald.content import PriceTable

CENT = Decimal("0.01")


def cost(groups: Iterable[Mapping[str, Any]], prices: PriceTable) -> dict[str, Any]:
    """The cost in all and per channel, in the table's currency: what vendors reported for their messages
    (`reported_units`, `reported` in `cost_currency`), the price table's estimate for the rest; reported
    costs in another currency apart, and the groups no rate prices."""
    units: dict[tuple[str, str | None, str | None], int] = defaultdict(int)
    by_channel: dict[str, Decimal] = defaultdict(Decimal)
    reported: dict[str, Decimal] = defaultdict(Decimal)
    for g in groups:
        left = g["units"] - g.get("reported_units", 0)
        if left and g["channel"]:
            units[(g["channel"], g["region"], g["provider"])] += left
        if g.get("reported_units"):
            currency = g.get("cost_currency") or prices.currency  # a cost of 0 needs no currency
            reported[currency] += g["reported"]
            if currency == prices.currency:
                by_channel[g["channel"]] += g["reported"]
    estimated = Decimal(0)
    unpriced = []
    for (channel, region, provider), billed in sorted(units.items(), key=str):
        rate = prices.rate(channel, region, provider or prices.routes.get(channel, "*"))
        if rate is None:
            unpriced.append({"channel": channel, "region": region, "provider": provider, "units": billed})
            continue
        price, rebate = rate.cost(billed)
        by_channel[channel] += price - rebate
        estimated += price - rebate
    total = sum(by_channel.values(), Decimal(0))
    return {
        "currency": prices.currency,
        "total": str(total.quantize(CENT)),
        "estimated": str(estimated.quantize(CENT)),
        "reported": str(reported.get(prices.currency, Decimal(0)).quantize(CENT)),
        "reported_elsewhere": {c: str(v.quantize(CENT)) for c, v in sorted(reported.items()) if c != prices.currency},
        "by_channel": {c: str(v.quantize(CENT)) for c, v in sorted(by_channel.items())},
        "unpriced": unpriced,
    }


def returned(revenue: Mapping[str, str], spent: Mapping[str, Any] | None) -> dict[str, str | None] | None:
    """Revenue less cost, and their ratio, where both are in the price table's currency."""
    if spent is None or spent["currency"] not in revenue:
        return None
    money, outlay = Decimal(revenue[spent["currency"]]), Decimal(spent["total"])
    ratio = str((money / outlay).quantize(CENT)) if outlay else None
    return {"currency": spent["currency"], "net": str((money - outlay).quantize(CENT)), "revenue_per_cost": ratio}
