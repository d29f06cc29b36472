"""An A/B/n campaign's variants side by side — sent, delivered, clicked — with the verdict of each rate
(`experiments.decide`): which variant won, or why none has yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from herald import tracking
from herald.analytics.abtests.experiments import Arm, Verdict, decide
from herald.outbox import Message
from herald.types import MessageStatus as S

MIN_SAMPLE = 100  # sent messages a variant needs before a verdict (fewer say too little)
DELIVERED = ("delivered", "read")


def variant_results(session: Session, mine: ColumnElement[bool], min_sample: int = MIN_SAMPLE) -> dict[str, Any]:
    """Each variant's sent, delivered and clicked, and a verdict per rate; empty for one variant."""
    sent = Message.status == S.SENT
    delivered = func.sum(case((Message.delivery.in_(DELIVERED), 1), else_=0))
    stmt = select(Message.variant, func.count(), delivered).where(mine, sent, Message.variant.is_not(None))
    counts = {v: (n, int(d or 0)) for v, n, d in session.execute(stmt.group_by(Message.variant))}
    if len(counts) < 2:
        return {}
    clicked = tracking.clicked_by_variant(session, mine)
    table = {v: {"sent": n, "delivered": d, "clicked": clicked.get(v, 0)} for v, (n, d) in sorted(counts.items())}
    verdicts = {metric: _verdict(table, metric, min_sample) for metric in ("delivered", "clicked")}
    return {"variants": table, "verdicts": verdicts, "min_sample": min_sample, "method": "bayes"}


def _verdict(table: dict[str, dict[str, int]], metric: str, min_sample: int) -> dict[str, Any]:
    arms = [Arm(v, row["sent"], row[metric]) for v, row in table.items()]
    found: Verdict = decide(arms, min_sample)
    return {
        "winner": found.winner,
        "reason": found.reason,
        "probability_best": {k: round(p, 4) for k, p in found.probabilities.items()},
        "p_values": {k: round(p, 6) for k, p in found.p_values.items()},
    }
