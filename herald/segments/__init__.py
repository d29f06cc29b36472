"""Segments room. Owns `saved_segments` and `segment_members`. The filter language (`dsl`, pure), its
compiler to parameterized SQL (`compile`), audience queries, and saved segments (dynamic, or static
snapshots) that expressions name as `segment:NAME`. Reads contacts, tags and events."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.segments.compile import passes
    from herald.segments.dsl import Node, parse_conditions
    from herald.segments.queries import audience_select, count, members
    from herald.segments.schemas import Count, Saved, SegmentDetail, SegmentIn, SegmentRow
    from herald.segments.service import describe, list_segments, save_segment
    from herald.segments.tokens import EVENT_TYPE, NAME

__all__ = [
    "audience_select",
    "count",
    "Count",
    "describe",
    "EVENT_TYPE",
    "list_segments",
    "members",
    "NAME",
    "Node",
    "parse_conditions",
    "passes",
    "save_segment",
    "Saved",
    "SegmentDetail",
    "SegmentIn",
    "SegmentRow",
]
__getattr__ = open_door(__name__, __file__)
