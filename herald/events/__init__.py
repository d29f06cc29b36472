"""Events room. Owns `events`: what contacts did (a purchase, a page view, an abandoned cart, an
inquiry), with its properties and when, each stored once however often it is sent (its event id).
Reads contacts to find who did it, and creates them through the contacts room when told to."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.events.identity import content_id
    from herald.events.ingest import from_mapping
    from herald.events.models import Event
    from herald.events.queries import event_types
    from herald.events.schemas import EventBody, EventResult, EventsOut
    from herald.events.service import MAX_ITEMS, AfterRecording, EventIn, record_events
    from herald.events.service import TYPE as EVENT_TYPE

__all__ = [
    "AfterRecording",
    "content_id",
    "Event",
    "EventBody",
    "EVENT_TYPE",
    "EventIn",
    "EventResult",
    "EventsOut",
    "event_types",
    "from_mapping",
    "MAX_ITEMS",
    "record_events",
]
__getattr__ = open_door(__name__, __file__)
