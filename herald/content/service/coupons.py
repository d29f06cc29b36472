"""Coupon pools: codes added, handed to a contact once (by the message that issued it) and looked up
when redeemed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from herald.content.models import CouponCode
from herald.db import UnitOfWork
from herald.errors import Invalid


def add_coupons(uow: UnitOfWork, pool: str, codes: Iterable[str]) -> int:
    """Add codes to a pool; codes already there are left alone. Returns how many were new."""
    pool = _pool(pool)
    fresh = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    known = (
        set(uow.session.scalars(select(CouponCode.code).where(CouponCode.pool == pool, CouponCode.code.in_(fresh))))
        if fresh
        else set()
    )
    new = [c for c in fresh if c not in known]
    uow.session.add_all(CouponCode(pool=pool, code=c) for c in new)
    uow.flush()
    return len(new)


def assign_coupon(
    uow: UnitOfWork, pool: str, contact_id: int, now: datetime, message_id: int | None = None
) -> str | None:
    """The contact's code from a pool: the one they already hold, else the next free one (noted as issued
    by `message_id`, which a redemption is credited to); None if empty."""
    held = uow.session.scalar(
        select(CouponCode.code).where(CouponCode.pool == pool, CouponCode.contact_id == contact_id)
    )
    if held is not None:
        return held
    free = (
        select(CouponCode)
        .where(CouponCode.pool == pool, CouponCode.contact_id.is_(None))
        .order_by(CouponCode.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    code = uow.session.scalar(free)
    if code is None:
        return None
    code.contact_id, code.assigned_at, code.message_id = contact_id, now, message_id
    uow.flush()
    return code.code


def coupon_holder(uow: UnitOfWork, code: str) -> tuple[int | None, int | None] | None:
    """Who holds a code Herald handed out, and the message that issued it; None for a code it never did."""
    found = uow.session.execute(
        select(CouponCode.contact_id, CouponCode.message_id)
        .where(CouponCode.code == code, CouponCode.contact_id.is_not(None))
        .limit(1)
    ).first()
    return (found[0], found[1]) if found is not None else None


def coupon_stock(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Codes per pool: total and still free."""
    rows = uow.session.execute(
        select(CouponCode.pool, func.count(), func.count(CouponCode.contact_id))
        .group_by(CouponCode.pool)
        .order_by(CouponCode.pool)
    )
    return [{"pool": p, "total": total, "free": total - used} for p, total, used in rows]


def _pool(pool: str) -> str:
    text = str(pool or "").strip()
    if not text.isidentifier():
        raise Invalid(f"{pool!r} is not a pool name (letters, digits and _)", where="coupon pool")
    return text
