"""Decisions that must see each other: what a worker decides for a contact (a frequency cap, a cadence)
or for a sender (its daily cap) must see what another worker decided a moment before.

On PostgreSQL many workers prepare at once, each in its own transaction; a transaction takes an advisory
lock per contact it decides for — and one for the senders' shared usage when a rule reads it — before it
reads their facts, and keeps them until it commits what it decided. A second worker deciding for the same
contact waits, then reads the first one's message. Locks are taken in one statement, in id order, so two
workers never wait on each other. SQLite needs none: its writer lock, taken when a transaction begins
(BEGIN IMMEDIATE), already puts the transactions one after another."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text

from herald.db.uow import UnitOfWork

USAGE = -1  # the lock of the senders' shared usage; contacts' ids are positive
_LOCK = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS keys"
)


def serialize(uow: UnitOfWork, contact_ids: Iterable[int], usage: bool = False) -> None:
    """Hold, until the unit of work ends, the decisions for these contacts (and for the shared usage)."""
    if uow.session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({*contact_ids, *([USAGE] if usage else [])})
    if keys:
        uow.session.execute(_LOCK, {"keys": keys})


# Jobs that one worker at a time does for everyone (their keys, beside the contacts' positive ids).
SCORES = -2
SCHEDULER = -3  # starting due runs, judging rollouts, completing campaigns
TALLIES = -4  # folding what changed into campaigns' kept figures


def claim_job(uow: UnitOfWork, job: int) -> bool:
    """Whether this unit of work may do a job one worker at a time does (recompute scores, say): on
    PostgreSQL, False while another worker's transaction does it; on SQLite always True, its writer lock
    already putting the transactions one after another. Held until the unit of work ends."""
    if uow.session.get_bind().dialect.name != "postgresql":
        return True
    return bool(uow.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": job}))


def wait_for_job(uow: UnitOfWork, job: int) -> None:
    """Hold a job one worker at a time does, waiting while another worker's transaction holds it (on
    SQLite its writer lock already does). Held until the unit of work ends."""
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": job})
