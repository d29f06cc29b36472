"""`/api/v1/events`: record what contacts did, one event or up to 10,000 at once, each answered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Body

from herald.errors import Invalid
from herald.events import MAX_ITEMS, EventBody, EventResult, EventsOut, from_mapping, record_events
from herald.web.auth import need
from herald.web.deps import Unit

if TYPE_CHECKING:
    from herald.bootstrap import Container


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1/events", tags=["events"])

    @api.post("", dependencies=[need("events:write")])
    def record(
        unit: Unit,
        body: Annotated[EventBody | list[EventBody], Body()],
        unknown: str = "reject",
        default_region: str | None = None,
    ) -> EventsOut:
        """One event object or a list of them: type, occurred_at, contact_id | phone | email, event_id,
        properties (other keys join the properties)."""
        items = [e.model_dump(exclude_unset=True) for e in (body if isinstance(body, list) else [body])]
        if len(items) > MAX_ITEMS:
            raise Invalid(f"{len(items):,} events; send at most {MAX_ITEMS:,} per request", where="body")
        events = [from_mapping(item, f"event {i}") for i, item in enumerate(items)]
        results = record_events(
            unit,
            events,
            container.clock.now(),
            unknown=unknown,
            default_region=default_region or container.settings.default_region,
            erasure_key=container.settings.erasure_keys,
            after=container.after_events,
        )
        counts = {k: sum(r["status"] == k for r in results) for k in ("stored", "duplicate", "invalid")}
        return EventsOut(counts=counts, results=[EventResult.model_validate(r) for r in results])

    return api
