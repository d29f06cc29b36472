"""Reading the events stored, for the pages and the API (the service writes them)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald.events.models import Event


def event_types(session: Session, most: int = 50) -> list[str]:
    """The types of event stored, in order, at most `most`: one seek in the (type, time) index per type —
    a DISTINCT would walk every event stored to find the few types there are."""
    found: list[str] = []
    while len(found) < most:
        later = select(func.min(Event.type)).where(Event.type > found[-1]) if found else select(func.min(Event.type))
        following = session.scalar(later)
        if following is None:
            break
        found.append(following)
    return found
