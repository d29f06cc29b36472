"""Request and response shapes of the segments room, as the API takes and gives them (and its docs show)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from herald.shapes import Shape


class SegmentIn(BaseModel):
    name: str
    expression: str = Field(examples=["tag:vip and consent:sms and not suppressed:sms"])
    kind: str = Field("dynamic", description="dynamic (re-evaluated when used) or static (a snapshot)")
    description: str | None = None


class SegmentRow(Shape):
    name: str
    kind: str
    expression: str
    size_at_save: int | None


class Saved(Shape):
    name: str
    kind: str
    size: int | None


class Member(Shape):
    id: int
    name: str | None
    phone: str | None
    email: str | None


class SegmentDetail(SegmentRow):
    description: str | None
    saved_at: datetime
    count: int
    sample: list[Member]


class Count(Shape):
    expression: str
    count: int
