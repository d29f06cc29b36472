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
    """The estimated cost in all and per channel, in the table's currency, and the groups no rate prices."""
    units: dict[tuple[str, str | None, str | None], int] = defaultdict(int)
    for g in groups:
        if g["units"] and g["channel"]:
            units[(g["channel"], g["region"], g["provider"])] += g["units"]
    by_channel: dict[str, Decimal] = defaultdict(Decimal)
    unpriced = []
    for (channel, region, provider), billed in sorted(units.items(), key=str):
        rate = prices.rate(channel, region, provider or prices.routes.get(channel, "*"))
        if rate is None:
            unpriced.append({"channel": channel, "region": region, "provider": provider, "units": billed})
            continue
        price, rebate = rate.cost(billed)
        by_channel[channel] += price - rebate
    total = sum(by_channel.values(), Decimal(0))
    return {
        "currency": prices.currency,
        "total": str(total.quantize(CENT)),
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
