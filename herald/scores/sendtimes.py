"""The scores room's send-time profiles; the only writer of `send_profile_hours` and `send_priors`.

Recomputing is set-based: one INSERT … SELECT turns the engagement events of the window (a message
read 1, a click or a reply 2) into each contact's weight per hour of the week in their own time zone,
and one grouped read gives the crowds' patterns (everyone's, each region's). A zone's offset is the one
it has now: an engagement from before a change of clocks lands an hour off, which the smoothing of
`sendtime.profile` absorbs. A plan reads the profiles of a chunk of recipients at a time (`SendTimes`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import BigInteger, Integer, Select, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from herald.contacts import Contact
from herald.db import UnitOfWork
from herald.events import Event
from herald.scores import sendtime
from herald.scores.models import SendPrior, SendProfileHour

WEIGHTS = {"message.read": 1.0, "message.clicked": 2.0, "message.replied": 2.0}
WINDOW_DAYS = 180  # the engagements a profile is made of
THURSDAY = 72  # the Unix epoch began on a Thursday: hour 72 of a week that starts on Monday


def recompute_profiles(uow: UnitOfWork, now: datetime, days: int = WINDOW_DAYS) -> dict[str, int]:
    """Every contact's profile and the crowds' patterns, from the engagements of the last `days`."""
    session = uow.session
    session.execute(delete(SendProfileHour))
    session.execute(insert(SendProfileHour).from_select(["contact_id", "hour", "weight"], _weights(session, now, days)))
    priors = _priors(session)
    session.execute(delete(SendPrior))
    rows = [
        {"scope": scope, "shares": sendtime.prior([weights]), "people": n, "computed_at": now}
        for scope, (weights, n) in priors.items()
    ]
    if rows:
        session.execute(insert(SendPrior), rows)
    people = priors.get("all", ([], 0))[1]
    return {"contacts": people, "regions": len(priors) - (1 if people else 0)}


def _weights(session: Session, now: datetime, days: int) -> Select:
    """(contact, hour of the week where they are, weight) of the window's engagements."""
    local = _epoch(session) + cast(_offsets(session, now), BigInteger) * 60
    hour = cast((local // 3600 + THURSDAY) % sendtime.WEEK, Integer)
    weight = case(*((Event.type == kind, w) for kind, w in WEIGHTS.items()), else_=0.0)
    stmt = (
        select(Event.contact_id, hour.label("hour"), func.sum(weight))
        .join(Contact, Contact.id == Event.contact_id)
        .where(Event.type.in_(WEIGHTS), Event.occurred_at >= now - timedelta(days=days), Contact.erased_at.is_(None))
    )
    return stmt.group_by(Event.contact_id, hour)


def _epoch(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", Event.occurred_at), BigInteger)
    return cast(func.extract("epoch", Event.occurred_at), BigInteger)


def _offsets(session: Session, now: datetime) -> Any:
    """Each contact's offset from UTC now, in minutes, by the zone they name (their own, else their
    number's): a CASE over the few zones contacts name, 0 for none."""
    zone = func.coalesce(Contact.timezone, Contact.phone_timezones)
    zones = session.scalars(select(zone).distinct()).all()
    known = [(z, minutes) for z in zones if z and (minutes := offset_minutes(z, now))]
    if not known:
        return literal(0)
    return case(*((zone == z, minutes) for z, minutes in known), else_=0)


def offset_minutes(zones: str, now: datetime) -> int | None:
    """The offset from UTC, in minutes, of the first zone of a comma-joined list at `now`."""
    try:
        offset = now.astimezone(ZoneInfo(zones.split(",")[0].strip())).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return int(offset.total_seconds() // 60) if offset is not None else None


def _priors(session: Session) -> dict[str, tuple[list[float], int]]:
    """Everyone's summed weights per hour, and each region's, with how many people made them."""
    stmt = (
        select(Contact.region, SendProfileHour.hour, func.sum(SendProfileHour.weight))
        .join(Contact, Contact.id == SendProfileHour.contact_id)
        .group_by(Contact.region, SendProfileHour.hour)
    )
    found: dict[str, list[float]] = defaultdict(lambda: [0.0] * sendtime.WEEK)
    for region, hour, weight in session.execute(stmt):
        for scope in ("all", *((f"region:{region}",) if region else ())):
            found[scope][hour] += float(weight)
    people = select(Contact.region, func.count(func.distinct(SendProfileHour.contact_id))).join(
        Contact, Contact.id == SendProfileHour.contact_id
    )
    counts = {r: int(n) for r, n in session.execute(people.group_by(Contact.region))}
    size = {"all": sum(counts.values()), **{f"region:{r}": n for r, n in counts.items() if r}}
    return {scope: (weights, size.get(scope, 0)) for scope, weights in found.items()}


@dataclass
class SendTimes:
    """What a plan reads to send at each person's best time: the crowds' patterns, and each chunk's own
    profiles on demand."""

    audience: list[float]  # the campaign audience's pattern
    regions: dict[str, list[float]] = field(default_factory=dict)  # by region code; "" for everyone

    def shares(self, session: Session, ids: Sequence[int], regions: dict[int, str | None]) -> dict[int, list[float]]:
        """Each contact's shares per hour of the week: their own, pulled toward their crowds."""
        own: dict[int, list[float]] = defaultdict(lambda: [0.0] * sendtime.WEEK)
        stmt = select(SendProfileHour.contact_id, SendProfileHour.hour, SendProfileHour.weight)
        for cid, hour, weight in session.execute(stmt.where(SendProfileHour.contact_id.in_(ids))):
            own[cid][hour] = weight
        return {cid: sendtime.profile(own[cid], self._crowd(regions.get(cid))) for cid in ids}

    def _crowd(self, region: str | None) -> list[float]:
        mine = self.regions.get(region or "") or self.regions.get("")
        return sendtime.blend(self.audience, mine) if mine else self.audience


def send_times(session: Session, audience: Select) -> SendTimes:
    """The patterns a plan pulls thin profiles toward: its audience's (summed from their profiles) and
    each region's (kept by the last recompute)."""
    ids = audience.order_by(None).scalar_subquery()
    stmt = select(SendProfileHour.hour, func.sum(SendProfileHour.weight)).where(SendProfileHour.contact_id.in_(ids))
    weights = [0.0] * sendtime.WEEK
    for hour, weight in session.execute(stmt.group_by(SendProfileHour.hour)):
        weights[hour] = float(weight)
    return SendTimes(sendtime.prior([weights]), crowds(session))


def crowds(session: Session) -> dict[str, list[float]]:
    """The patterns the last recompute kept: by region code, and everyone's under ""."""
    return {_region(p.scope): list(p.shares) for p in session.scalars(select(SendPrior))}


def _region(scope: str) -> str:
    return scope.split(":", 1)[1] if ":" in scope else ""


def profile_of(session: Session, contact_id: int, region: str | None) -> dict[str, Any]:
    """One contact's profile for people to read: their engagements and their best hours of the week."""
    known = crowds(session)
    times = SendTimes(known.get("") or sendtime.prior([]), known)
    shares = times.shares(session, [contact_id], {contact_id: region})[contact_id]
    stmt = select(func.sum(SendProfileHour.weight)).where(SendProfileHour.contact_id == contact_id)
    top = sorted(range(sendtime.WEEK), key=lambda h: -shares[h])[:5]
    return {"contact": contact_id, "engagements": float(session.scalar(stmt) or 0), "best_hours": _named(top, shares)}


def _named(hours: Iterable[int], shares: Sequence[float]) -> list[dict[str, Any]]:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return [{"hour": h, "when": f"{days[h // 24]} {h % 24:02d}:00", "share": round(shares[h], 4)} for h in hours]
