"""`/api/v1/conversions`: an order or a coupon redeemed, credited to the message that earned it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter
from pydantic import BaseModel, Field

from herald import tracking
from herald.errors import Invalid
from herald.web.auth import need
from herald.web.deps import Unit

if TYPE_CHECKING:
    from herald.bootstrap import Container


class ConversionBody(BaseModel):
    """An order (by its id) or a redemption (by the coupon code), who made it and what it was worth."""

    order_id: str | None = Field(default=None, max_length=128)
    coupon: str | None = Field(default=None, max_length=128)
    amount: str | None = Field(default=None, max_length=32, description='exact, as text: "129.90"')
    currency: str | None = Field(default=None, max_length=3, description="ISO 4217: CNY, USD…")
    occurred_at: datetime | None = None
    contact_id: int | None = None
    phone: str | None = Field(default=None, max_length=32, description="E.164")
    email: str | None = Field(default=None, max_length=320)


class ConversionOut(BaseModel):
    """The conversion as kept: whether it is new, and what it is credited to."""

    id: int
    new: bool
    contact_id: int | None
    order_id: str | None
    coupon: str | None
    amount: str | None
    currency: str | None
    occurred_at: datetime
    attribution: str  # coupon | click | none
    message_id: int | None
    campaign_id: int | None
    variant: str | None
    channel: str | None


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1/conversions", tags=["conversions"])

    @api.post("", response_model=ConversionOut, dependencies=[need("events:write")])
    def record(unit: Unit, body: ConversionBody) -> ConversionOut:
        """Record an order or a redemption; the same order id (or one-time coupon) again changes nothing."""
        now = container.clock.now()
        if body.occurred_at is not None and body.occurred_at.utcoffset() is None:
            raise Invalid("give the time with its offset, e.g. 2026-12-06T14:00:00+08:00", where="occurred_at")
        item = tracking.ConversionIn(**body.model_dump(exclude={"occurred_at"}), occurred_at=body.occurred_at or now)
        window = timedelta(days=container.settings.conversion_window_days)
        row, new = tracking.record_conversion(unit, item, window, now)
        return ConversionOut(new=new, **{k: getattr(row, k) for k in ConversionOut.model_fields if k != "new"})

    return api
