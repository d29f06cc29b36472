"""A campaign's results: the funnel planned → sent → delivered → read → clicked → converted, with revenue,
in all and by channel, variant, region, carrier and sender; the same by the hour of day in each
recipient's own time zone, with the channel × hour heatmap of delivery, read and click rates; and the
hold-out group's conversion beside the recipients' — the uplift the campaign really caused, with its
95 % interval. One pass over the campaign's messages per breakdown, the clicks and conversions joined
once each. Reads only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, cast, func, select
from sqlalchemy.orm import Session

from herald.analytics.abtests.experiments import Arm, z_test
from herald.analytics.reports import spend
from herald.analytics.tallies import ledger
from herald.analytics.tallies import reading as tallies
from herald.analytics.tallies.ledger import STAGES
from herald.campaigns import Campaign
from herald.contacts import Contact
from herald.content import PriceTable
from herald.outbox import Message
from herald.tracking import Click, Conversion
from herald.types import MessageStatus

S = MessageStatus
DIMENSIONS = ("channel", "variant", "region", "carrier", "sender")


def results(
    session: Session, campaign: Campaign, window: timedelta = timedelta(days=7), prices: PriceTable | None = None
) -> dict[str, Any]:
    """The campaign's funnel in all and by each dimension, by local hour, the heatmap, revenue, the cost
    the price table puts on what was sent (when given) and the uplift."""
    groups = _groups(session, campaign)
    hours = [(g["channel"], g["hour"], g["counts"]) for g in groups if g["hour"] is not None]
    revenue = _revenue(session, campaign.id)
    cost = spend.cost(groups, prices) if prices is not None else None
    return {
        "campaign": {"id": campaign.id, "name": campaign.name},
        "funnel": _rated(_total(g["counts"] for g in groups)),
        **{f"by_{d}": _rolled(groups, d) for d in DIMENSIONS},
        "by_local_hour": {str(h): _rated(c) for h, c in sorted(_sum_hours(hours).items())},
        "heatmap": _heatmap(hours),
        "revenue": revenue,
        "cost": cost,
        "return": spend.returned(revenue, cost),
        "uplift": _uplift(session, campaign, window),
    }


def _groups(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """The campaign's figures per combination of every dimension: from its tally, kept as messages change,
    where the worker keeps one; else grouped from the ledger now."""
    kept = tallies.read(session, campaign.id)
    return kept if kept is not None else grouped(session, campaign.id)


def grouped(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    """One pass over the campaign's messages: the funnel's counts per combination of every dimension, the
    UTC hour sent and the recipient's zone — a few thousand groups however many messages — rolled up
    here into each breakdown. Clicks and conversions are joined once, as whether each message had any."""
    keys = ledger.keys(session)
    money = [*(func.sum(part) for part in ledger.billed()[:2]), ledger.summed_cost()]
    stmt = _joined(session, campaign_id, *keys).add_columns(*money)
    width = len(keys) + len(STAGES)
    return [
        ledger.shaped(row[: len(keys)], row[len(keys) : width], *row[width:])
        for row in session.execute(stmt.group_by(*keys))
    ]


def _joined(session: Session, campaign_id: int, *columns: Any) -> Any:
    """The campaign's messages (with their contacts) and whether a person clicked each, whether it converted.
    The clicks and conversions are grouped by message once, only those of messages between the campaign's
    first and last id (its messages are planned together): grouping every one kept read the clicks of every
    campaign ever sent, and looking each message's up alone costs a fifth more."""
    mine = select(Message.id).where(Message.campaign_id == campaign_id)
    first = session.scalar(mine.order_by(Message.id).limit(1))
    last = session.scalar(mine.order_by(Message.id.desc()).limit(1))
    clicks = select(Click.message_id).where(Click.human, Click.message_id.between(first, last))
    clicked = clicks.group_by(Click.message_id).subquery()
    credited = select(Conversion.message_id).where(Conversion.message_id.between(first, last))
    converted = credited.group_by(Conversion.message_id).subquery()
    reached = ledger.reached(clicked.c.message_id.is_not(None), converted.c.message_id.is_not(None))
    stmt = (
        select(*columns, *(func.sum(stage) for stage in reached))
        .select_from(Message)
        .join(Contact, Contact.id == Message.contact_id)
        .outerjoin(clicked, clicked.c.message_id == Message.id)
        .outerjoin(converted, converted.c.message_id == Message.id)
        .where(Message.campaign_id == campaign_id)
    )
    return stmt


def _total(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    found = dict.fromkeys(STAGES, 0)
    for c in counts:
        for stage, n in c.items():
            found[stage] += n
    return found


def _rolled(groups: list[dict[str, Any]], dimension: str) -> dict[str, dict[str, Any]]:
    """The funnel per value of a dimension."""
    by: dict[str, list[dict[str, int]]] = defaultdict(list)
    for g in groups:
        value = g[dimension]
        by["(none)" if value is None else str(value)].append(g["counts"])
    return {value: _rated(_total(counts)) for value, counts in sorted(by.items())}


def _sum_hours(hours: list[tuple[str, int, dict[str, int]]]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for _, hour, counts in hours:
        for stage, n in counts.items():
            found[hour][stage] += int(n or 0)
    return found


def _heatmap(hours: list[tuple[str, int, dict[str, int]]]) -> dict[str, dict[str, dict[str, float | None]]]:
    """channel -> local hour -> delivery, read and click rates of what was sent then."""
    cells: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(STAGES, 0)))
    for channel, hour, counts in hours:
        for stage, n in counts.items():
            cells[channel][hour][stage] += int(n or 0)
    return {
        channel: {str(h): _rates(c) for h, c in sorted(by_hour.items())} for channel, by_hour in sorted(cells.items())
    }


def _rated(counts: dict[str, Any]) -> dict[str, Any]:
    counts = {k: int(v or 0) for k, v in counts.items()}
    return {**counts, **_rates(counts)}


def _rates(counts: dict[str, int]) -> dict[str, float | None]:
    """Each stage as a share of the messages sent (sent itself as a share of those planned)."""
    sent = counts["sent"]
    found: dict[str, float | None] = {
        "sent_rate": round(100.0 * sent / counts["planned"], 2) if counts["planned"] else None
    }
    for stage in ("delivered", "read", "clicked", "converted"):
        found[f"{stage}_rate"] = round(100.0 * counts[stage] / sent, 2) if sent else None
    return found


def _revenue(session: Session, campaign_id: int) -> dict[str, str]:
    """Revenue of the conversions credited to the campaign's messages, per currency (exact decimals)."""
    stmt = (
        select(Conversion.currency, func.sum(cast(Conversion.amount, Numeric(18, 4))))
        .where(Conversion.campaign_id == campaign_id, Conversion.amount.is_not(None))
        .group_by(Conversion.currency)
    )
    return {(c or "?"): str(Decimal(str(total)).quantize(Decimal("0.01"))) for c, total in session.execute(stmt)}


def _uplift(session: Session, campaign: Campaign, window: timedelta) -> dict[str, Any] | None:
    """Whether recipients converted more than the hold-out group within the window after the start: both
    groups' rates of people who converted at all (credited or not), and the difference with its interval."""
    if not campaign.holdout_percent or campaign.started_at is None:
        return None
    start, end = campaign.started_at, campaign.started_at + window
    mine = Message.campaign_id == campaign.id
    groups = {
        "recipients": select(Message.contact_id).where(mine, Message.status == S.SENT),
        "holdout": select(Message.contact_id).where(mine, Message.reason == "holdout"),
    }
    arms = {}
    for name, people in groups.items():
        size = session.scalar(select(func.count(func.distinct(people.subquery().c.contact_id)))) or 0
        bought = select(func.count(func.distinct(Conversion.contact_id))).where(
            Conversion.contact_id.in_(people), Conversion.occurred_at >= start, Conversion.occurred_at < end
        )
        arms[name] = Arm(name, size, session.scalar(bought) or 0)
    if not arms["recipients"].trials or not arms["holdout"].trials:
        return {"window_days": window.days, **{k: _arm(a) for k, a in arms.items()}, "uplift": None}
    test = z_test(arms["recipients"], arms["holdout"])
    return {
        "window_days": window.days,
        **{k: _arm(a) for k, a in arms.items()},
        "uplift": {
            "points": round(100 * test.difference, 2),
            "low": round(100 * test.low, 2),
            "high": round(100 * test.high, 2),
            "p_value": round(test.p_value, 6),
        },
    }


def _arm(arm: Arm) -> dict[str, Any]:
    return {"people": arm.trials, "converted": arm.successes, "rate": round(100 * arm.rate, 2)}
