"""Use cases of the scores room; the only writer of `contact_scores`. Everything is computed in two
statements, whatever the number of contacts: clear, then INSERT … SELECT with window functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, literal, select

from herald.contacts import Contact
from herald.db import UnitOfWork, UTCDateTime
from herald.db.jsonpath import json_number
from herald.errors import Invalid
from herald.events import Event
from herald.scores.models import ContactScore

STAGES = ("new", "active", "dormant", "churned", "potential")


@dataclass(frozen=True)
class Thresholds:
    """Lifecycle stages, in this order: `new` joined within new_days; `active` bought within active_days;
    `dormant` bought within churn_days; `churned` bought before that; `potential` never bought."""

    new_days: int = 30
    active_days: int = 90
    churn_days: int = 180

    def __post_init__(self) -> None:
        if not (0 < self.new_days and 0 < self.active_days < self.churn_days):
            raise Invalid("expected days with active_days < churn_days, all above 0", where="lifecycle thresholds")


def compute(uow: UnitOfWork, now: datetime, limits: Thresholds = Thresholds()) -> dict[str, int]:
    """Recompute every live contact's RFM scores and lifecycle stage; returns contacts per stage."""
    bought = (
        select(
            Event.contact_id,
            func.max(Event.occurred_at).label("last"),
            func.count().label("n"),
            func.sum(func.coalesce(json_number(Event.properties, "amount"), 0.0)).label("spent"),
        )
        .where(Event.type == "purchase")
        .group_by(Event.contact_id)
        .subquery()
    )
    ranking = select(
        bought,
        *(
            func.ntile(5).over(order_by=(column, bought.c.contact_id)).label(name)
            for name, column in (("r", bought.c.last), ("f", bought.c.n), ("m", bought.c.spent))
        ),
    )
    ranked = ranking.subquery()

    def ago(days: int):
        return literal(now - timedelta(days=days), UTCDateTime)

    stage = case(
        (Contact.created_at >= ago(limits.new_days), "new"),
        (ranked.c.last >= ago(limits.active_days), "active"),
        (ranked.c.last >= ago(limits.churn_days), "dormant"),
        else_="churned",
    )
    columns = ["contact_id", "last_purchase", "purchases", "spent", "r", "f", "m", "stage", "computed_at"]
    # Buyers first, driven from the ranked purchases and probing contacts by key; then everyone else. One
    # statement with a LEFT JOIN onto the ranked set would be quadratic on SQLite, which cannot index it.
    buyers = (
        select(
            ranked.c.contact_id,
            ranked.c.last,
            ranked.c.n,
            ranked.c.spent,
            ranked.c.r,
            ranked.c.f,
            ranked.c.m,
            stage,
            literal(now, UTCDateTime),
        )
        .join(Contact, Contact.id == ranked.c.contact_id)
        .where(Contact.erased_at.is_(None))
    )
    scored = select(ContactScore.contact_id).where(ContactScore.contact_id == Contact.id).exists()
    others = select(
        Contact.id,
        literal(None, UTCDateTime),
        literal(0),
        literal(0.0),
        literal(None),
        literal(None),
        literal(None),
        case((Contact.created_at >= ago(limits.new_days), "new"), else_="potential"),
        literal(now, UTCDateTime),
    ).where(Contact.erased_at.is_(None), ~scored)
    uow.session.execute(delete(ContactScore))
    uow.session.execute(insert(ContactScore).from_select(columns, buyers))
    uow.session.execute(insert(ContactScore).from_select(columns, others))
    counts = dict(uow.session.execute(select(ContactScore.stage, func.count()).group_by(ContactScore.stage)).all())
    return {s: counts.get(s, 0) for s in STAGES}


def last_computed(uow: UnitOfWork) -> datetime | None:
    return uow.session.scalar(select(func.max(ContactScore.computed_at)))


def rfm_grid(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Contacts per (recency, frequency) cell of the RFM grid, for the dashboard."""
    stmt = (
        select(ContactScore.r, ContactScore.f, func.count())
        .where(ContactScore.r.is_not(None))
        .group_by(ContactScore.r, ContactScore.f)
        .order_by(ContactScore.r, ContactScore.f)
    )
    return [{"r": r, "f": f, "contacts": n} for r, f, n in uow.session.execute(stmt)]
