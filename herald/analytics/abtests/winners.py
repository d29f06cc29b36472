"""Judging A/B test phases: once a test's messages have all gone and had their hold, each variant's
figures for the campaign's metric are read from the ledger and the test's verdict
(`experiments.decide`, or `decide_means` for revenue) is carried out by the campaigns service."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from herald import campaigns, outbox, tracking
from herald.analytics.abtests.experiments import Arm, Sample, Verdict, decide, decide_means
from herald.campaigns import Campaign
from herald.db import UnitOfWork
from herald.outbox import Message
from herald.types import MessageStatus as S

DELIVERED = ("delivered", "read")


def judge_tests(uow: UnitOfWork, now: datetime) -> list[str]:
    """Look at every running campaign's A/B test that is due: wait on, or decide and carry it out.
    Lines for the worker's log."""
    said = []
    for campaign in campaigns.testing(uow.session, now):
        pending = outbox.pending(uow.session, campaign.id, include_held=False)
        last = uow.session.scalar(select(func.max(Message.sent_at)).where(Message.campaign_id == campaign.id))
        until, why = campaigns.test_step(campaign.experiment or {}, pending, last, now)
        if until > now:
            campaigns.wait_test(uow, campaign, until, why)
            continue
        verdict, figures = test_verdict(uow.session, campaign)
        said.append(campaigns.conclude_test(uow, campaign.id, verdict.winner, verdict.reason, figures, now))
    return said


def test_verdict(session: Session, campaign: Campaign) -> tuple[Verdict, dict[str, Any]]:
    """The verdict on the campaign's variants by its test's metric so far, with the figures it read."""
    settings = campaign.experiment or {}
    metric, least, sure = settings["metric"], int(settings["min_sample"]), float(settings["confidence"])
    names = [v["name"] for v in campaign.variants]
    if metric == "revenue":
        samples = _revenue(session, campaign.id, names)
        if isinstance(samples, str):
            return Verdict(None, samples, {}, {}), {}
        verdict = decide_means(samples, least, 1 - sure)
        figures = {
            s.name: {"sent": s.n, "revenue": round(s.total, 2), "per_recipient": round(s.mean, 4)} for s in samples
        }
        return verdict, _with(figures, verdict, metric)
    arms = _arms(session, campaign.id, metric, names)
    found = decide(arms, least, settings["method"], threshold=sure, alpha=1 - sure) if _any(arms) else _none(arms)
    figures = {a.name: {"sent": a.trials, metric: a.successes, "rate": round(a.rate, 4)} for a in arms}
    return found, _with(figures, found, metric)


def _any(arms: list[Arm]) -> bool:
    return all(a.trials for a in arms)


def _none(arms: list[Arm]) -> Verdict:
    empty = next(a.name for a in arms if not a.trials)
    return Verdict(None, f"variant {empty} has sent nothing yet; no winner", {}, {})


def _with(figures: dict[str, Any], verdict: Verdict, metric: str) -> dict[str, Any]:
    return {
        "metric": metric,
        "variants": figures,
        "probability_best": {k: round(p, 4) for k, p in verdict.probabilities.items()},
        "p_values": {k: round(p, 6) for k, p in verdict.p_values.items()},
    }


def _arms(session: Session, campaign_id: int, metric: str, names: list[str]) -> list[Arm]:
    """Per variant: messages sent, and how many of them were delivered, read, clicked or converted."""
    mine = Message.campaign_id == campaign_id
    if metric == "click":
        hits = tracking.clicked_by_variant(session, mine)
    elif metric == "conversion":
        hits = tracking.converted_by_variant(session, mine)
    else:
        reached = (
            Message.delivery.in_(DELIVERED)
            if metric == "delivered"
            else or_(Message.delivery == "read", Message.read_at.is_not(None))
        )
        stmt = select(Message.variant, func.sum(case((reached, 1), else_=0))).where(mine, Message.status == S.SENT)
        hits = {v: int(n or 0) for v, n in session.execute(stmt.group_by(Message.variant))}
    sent = _sent(session, campaign_id)
    return [Arm(n, sent.get(n, 0), min(hits.get(n, 0), sent.get(n, 0))) for n in names]


def _sent(session: Session, campaign_id: int) -> dict[str | None, int]:
    stmt = select(Message.variant, func.count()).where(Message.campaign_id == campaign_id, Message.status == S.SENT)
    return {v: n for v, n in session.execute(stmt.group_by(Message.variant))}


def _revenue(session: Session, campaign_id: int, names: list[str]) -> list[Sample] | str:
    """Per variant: messages sent, and the sum and sum of squares of the revenue each one earned; or why
    revenue cannot be compared (more than one currency)."""
    rows = tracking.revenue_by_message(session, campaign_id)
    currencies = sorted({c for _, _, c in rows if c})
    if len(currencies) > 1:
        return f"revenue came in {', '.join(currencies)}, which cannot be compared; no winner"
    total: dict[str, Decimal] = dict.fromkeys(names, Decimal(0))
    squares: dict[str, Decimal] = dict.fromkeys(names, Decimal(0))
    for variant, amount, _ in rows:
        if variant in total:
            total[variant] += amount
            squares[variant] += amount * amount
    sent = _sent(session, campaign_id)
    return [Sample(n, sent.get(n, 0), float(total[n]), float(squares[n])) for n in names]
