"""Use cases of the dispatch room; the only writer of `provider_health`, `pacing_buckets` and
`sticky_senders`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.db import UnitOfWork, upsert_insert
from herald.dispatch.circuit import Health
from herald.dispatch.models import PacingBucket, ProviderHealth, StickySender
from herald.dispatch.pacing import Bucket, Grant, Limits, reserve


def health_of(session: Session) -> dict[str, Health]:
    """Every account's health as the workers last recorded it (an account never recorded is healthy)."""
    return {
        h.account: Health(h.account, h.failures, h.open_until, h.reason)
        for h in session.scalars(select(ProviderHealth))
    }


def record_health(uow: UnitOfWork, health: Health, now: datetime) -> None:
    """Keep an account's health for every worker to see."""
    row = _health_row(uow, health.account, now)
    row.failures, row.open_until, row.reason, row.updated_at = (
        health.failures,
        health.open_until,
        health.reason,
        now,
    )


def record_notice(uow: UnitOfWork, account: str, notice: str, now: datetime, event: str | None = None) -> None:
    """Keep what the vendor last said of an account (its number's quality, a lowered limit), and the
    vendor's name for it (`FLAGGED`), which alert rules read."""
    row = _health_row(uow, account, now)
    row.notice, row.notice_at, row.notice_event = notice, now, event


def notices_of(session: Session) -> dict[str, tuple[str, datetime]]:
    """Each account's last notice from its vendor, with when it came."""
    found = session.execute(select(ProviderHealth.account, ProviderHealth.notice, ProviderHealth.notice_at))
    return {a: (n, at) for a, n, at in found if n is not None and at is not None}


def notice_events(session: Session) -> dict[str, str]:
    """Each account's last notice as the vendor names it (`FLAGGED`, `DOWNGRADE`…)."""
    found = session.execute(select(ProviderHealth.account, ProviderHealth.notice_event))
    return {a: e for a, e in found if e}


UNTIL_RESUMED = datetime(9999, 12, 31, tzinfo=UTC)  # a pause by a person or an alert: until one resumes it


def pause_account(uow: UnitOfWork, account: str, reason: str, now: datetime) -> None:
    """Stop sending through an account until someone resumes it (`herald providers resume`)."""
    row = _health_row(uow, account, now)
    row.open_until, row.reason, row.updated_at = UNTIL_RESUMED, reason, now


def resume_account(uow: UnitOfWork, account: str, now: datetime) -> bool:
    """Let an account send again, whatever paused it; whether it was paused."""
    row = uow.session.get(ProviderHealth, account)
    if row is None or row.open_until is None or row.open_until <= now:
        return False
    row.open_until, row.failures, row.updated_at = None, 0, now
    row.reason = f"resumed at {now:%Y-%m-%d %H:%M} UTC (was: {row.reason})"
    return True


def _health_row(uow: UnitOfWork, account: str, now: datetime) -> ProviderHealth:
    row = uow.session.get(ProviderHealth, account)
    if row is None:
        row = ProviderHealth(account=account, failures=0, updated_at=now)
        uow.session.add(row)
    return row


def take(uow: UnitOfWork, key: str, limits: Limits, units: Sequence[int], now: datetime) -> Grant:
    """Reserve a batch's units from a shared pacing bucket: which messages may go now, and when the others
    may. The bucket's row is locked for the reservation, so workers on other machines wait their turn."""
    if not limits.paced:
        return reserve(limits, Bucket(key), units, now)
    new = upsert_insert(uow.session, PacingBucket).values(key=key, used=0)
    uow.session.execute(new.on_conflict_do_nothing(index_elements=["key"]))
    row = uow.session.scalars(select(PacingBucket).where(PacingBucket.key == key).with_for_update()).one()
    grant = reserve(limits, Bucket(key, row.next_free, row.day, row.used), units, now)
    if grant.bucket is not None:
        row.next_free, row.day, row.used = grant.bucket.next_free, grant.bucket.day, grant.bucket.used
    return grant


def buckets(session: Session) -> dict[str, Bucket]:
    """Every pacing bucket as last recorded (for `herald providers status`)."""
    return {b.key: Bucket(b.key, b.next_free, b.day, b.used) for b in session.scalars(select(PacingBucket))}


def sender_bucket(account: str, sender: str) -> str:
    """The pacing bucket of one of an account's senders (a long name is shortened to its digest)."""
    key = f"sender:{account}/{sender}"
    return key if len(key) <= 96 else f"sender:{account[:48]}/#{hashlib.sha256(sender.encode()).hexdigest()[:32]}"


def used_today(session: Session, keys: Iterable[str], now: datetime) -> dict[str, int]:
    """The units each of these pacing buckets granted today (UTC)."""
    wanted = list(keys)
    if not wanted:
        return {}
    rows = session.execute(
        select(PacingBucket.key, PacingBucket.used).where(PacingBucket.key.in_(wanted), PacingBucket.day == now.date())
    )
    return {key: used for key, used in rows}


def sticky_of(session: Session, contacts: Sequence[int], accounts: Iterable[str]) -> dict[tuple[int, str, str], str]:
    """The sender each of these contacts was first sent from, per account and pool ("" the unnamed)."""
    names = list(accounts)
    if not contacts or not names:
        return {}
    rows = session.scalars(
        select(StickySender).where(StickySender.contact_id.in_(contacts), StickySender.account.in_(names))
    )
    return {(r.contact_id, r.account, r.pool): r.sender for r in rows}


def keep_sticky(uow: UnitOfWork, chosen: Mapping[tuple[int, str, str], str], now: datetime) -> None:
    """Record new sticky senders (a contact's sender per account and pool); a new choice replaces one whose
    sender has left the pool or the account."""
    if not chosen:
        return
    rows = [
        {"contact_id": c, "account": a, "pool": p, "sender": s, "chosen_at": now}
        for (c, a, p), s in sorted(chosen.items())
    ]
    stmt = upsert_insert(uow.session, StickySender).values(rows)
    keys = ["contact_id", "account", "pool"]
    uow.session.execute(stmt.on_conflict_do_update(index_elements=keys, set_={"sender": stmt.excluded.sender}))
