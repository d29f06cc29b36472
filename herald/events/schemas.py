"""Request and response shapes of the events room, as the API takes and gives them (and its docs show)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from herald.shapes import Shape


class EventBody(BaseModel):
    """One event; any other key joins its properties (`at`, `time`, `timestamp`, `event` are read too)."""

    model_config = ConfigDict(extra="allow")

    type: str | None = Field(None, description="A short lower-case name: purchase, page_view…", examples=["purchase"])
    occurred_at: str | float | None = Field(
        None, description="ISO 8601 (a time without zone is UTC) or Unix seconds.", examples=["2026-03-01T10:00:00Z"]
    )
    contact_id: int | str | None = None
    phone: str | int | None = None
    email: str | None = None
    event_id: str | int | None = Field(None, description="Your id of the event: sent again, it is kept once.")
    properties: dict[str, Any] = Field({}, description="amount, currency, product…")


class EventResult(Shape):
    index: int
    status: Literal["stored", "duplicate", "invalid"]
    contact: int | None = None
    reason: str | None = None


class EventsOut(Shape):
    counts: dict[str, int]
    results: list[EventResult]
