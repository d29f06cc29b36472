"""The suppression list and the allow-list, by channel and address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select

from herald.access import sealer_of
from herald.contacts.models import AllowedAddress, Suppression
from herald.db import UnitOfWork, rowcount
from herald.errors import Invalid
from herald.types import Channel


def suppress(
    uow: UnitOfWork,
    channel: Channel,
    address: str,
    reason: str,
    now: datetime,
    detail: str | None = None,
    expires_at: datetime | None = None,
) -> Suppression:
    """Suppress an address on a channel (idempotent: an existing entry keeps its first reason)."""
    if not address:
        raise Invalid("an address is required", where="suppression")
    # An erased person's entry holds a digest of their address, never the address: it is not keyed.
    key = address if reason == "erased" else sealer_of(uow.session).channel_key(channel.value, address)
    existing = uow.session.scalar(
        select(Suppression).where(Suppression.channel == channel.value, Suppression.address == key)
    )
    if existing is not None:
        return existing
    entry = Suppression(
        channel=channel.value, address=address, reason=reason, detail=detail, created_at=now, expires_at=expires_at
    )
    uow.session.add(entry)
    uow.flush()
    return entry


def suppress_many(
    uow: UnitOfWork,
    pairs: Sequence[tuple[str, str]],
    reason: str,
    now: datetime,
    detail: str | None = None,
    expires_at: datetime | None = None,
) -> set[tuple[str, str]]:
    """Suppress many (channel, address) pairs at once; returns those that were new (existing entries keep
    their reason and are never lifted by a list)."""
    sealer = sealer_of(uow.session)
    stored = {(c, a): sealer.sealed_pair(c, a) for c, a in dict.fromkeys(pairs)}  # (key, sealed copy)
    existing: set[tuple[str, str]] = set()
    wanted = [(c, key) for (c, _), (key, _) in stored.items()]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = select(Suppression.channel, Suppression.address).where(
            Suppression.channel.in_({c for c, _ in chunk}), Suppression.address.in_({a for _, a in chunk})
        )
        existing.update((c, a) for c, a in uow.session.execute(stmt))
    new = [p for p, (key, _) in stored.items() if (p[0], key) not in existing]
    if new:
        uow.session.execute(
            insert(Suppression.__table__),
            [
                {
                    "channel": c,
                    "address": stored[(c, a)][0],
                    "address_sealed": stored[(c, a)][1],
                    "reason": reason,
                    "detail": detail,
                    "created_at": now,
                    "expires_at": expires_at,
                }
                for c, a in new
            ],
        )
    return set(new)


def unsuppress(uow: UnitOfWork, channel: Channel, address: str) -> bool:
    """Lift a suppression; returns whether one existed."""
    key = sealer_of(uow.session).channel_key(channel.value, address)
    stmt = delete(Suppression).where(Suppression.channel == channel.value, Suppression.address == key)
    return rowcount(uow.session.execute(stmt)) > 0


def allow(uow: UnitOfWork, channel: Channel, address: str, now: datetime, detail: str | None = None) -> bool:
    """Put an address on the allow-list (idempotent); returns whether it was new."""
    if not address:
        raise Invalid("an address is required", where="allow-list")
    key = sealer_of(uow.session).channel_key(channel.value, address)
    stmt = select(AllowedAddress.id).where(AllowedAddress.channel == channel.value, AllowedAddress.address == key)
    if uow.session.scalar(stmt) is not None:
        return False
    uow.session.add(AllowedAddress(channel=channel.value, address=address, detail=detail, created_at=now))
    uow.flush()
    return True


def disallow(uow: UnitOfWork, channel: Channel, address: str) -> bool:
    """Take an address off the allow-list; returns whether it was on it."""
    key = sealer_of(uow.session).channel_key(channel.value, address)
    stmt = delete(AllowedAddress).where(AllowedAddress.channel == channel.value, AllowedAddress.address == key)
    return rowcount(uow.session.execute(stmt)) > 0
