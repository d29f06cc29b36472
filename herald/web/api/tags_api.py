"""`/api/v1/tags` and `/api/v1/segments`: the taxonomy, tagging, and saved segments with live counts."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter

from herald import segments, tags
from herald.errors import Invalid
from herald.segments import Saved, SegmentDetail, SegmentIn, SegmentRow
from herald.tags import ApplyIn, TagDeleted, Tagged, TagIn, TagOut, TagRow
from herald.web.auth import need
from herald.web.deps import Unit

if TYPE_CHECKING:
    from herald.bootstrap import Container


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["tags", "segments"])

    def now():
        return container.clock.now()

    @api.get("/tags", dependencies=[need("tags:read")])
    def list_tags(unit: Unit, q: str | None = None) -> list[TagRow] | list[str]:
        """Every tag with its live count; with `q`, only the names starting with it (for autocomplete)."""
        return tags.search_tags(unit, q) if q is not None else [TagRow(**t) for t in tags.tags_table(unit, now())]

    @api.post("/tags", status_code=201, dependencies=[need("tags:write")])
    def create_tag(unit: Unit, body: TagIn) -> TagOut:
        tag = tags.create_tag(
            unit, body.name, now(), body.description, category=body.category, colour=body.colour, kind=body.kind
        )
        return TagOut(id=tag.id, name=tag.name, colour=tag.colour, kind=tag.kind)

    @api.post("/tags/{name}/contacts", dependencies=[need("tags:write")])
    def apply(unit: Unit, name: str, body: ApplyIn) -> Tagged:
        if (body.ids is None) == (body.segment is None):
            raise Invalid("give exactly one of ids or segment", where="body")
        until = now() + timedelta(hours=body.expires_in_hours) if body.expires_in_hours else None
        if body.ids is not None:
            return Tagged(tag=name, newly_tagged=tags.tag_contacts(unit, name, body.ids, body.by, now(), until))
        assert body.segment is not None  # exactly one of the two, checked above
        audience = segments.audience_select(unit.session, body.segment, now())
        return Tagged(tag=name, newly_tagged=tags.tag_matching(unit, name, audience, body.by, now(), until))

    @api.delete("/tags/{name}", dependencies=[need("tags:write")])
    def delete(unit: Unit, name: str) -> TagDeleted:
        return TagDeleted(tag=name, removed_from=tags.delete_tag(unit, name))

    @api.get("/segments", dependencies=[need("segments:read")])
    def saved(unit: Unit) -> list[SegmentRow]:
        return [SegmentRow(**s) for s in segments.list_segments(unit)]

    @api.post("/segments", status_code=201, dependencies=[need("segments:write")])
    def save(unit: Unit, body: SegmentIn) -> Saved:
        s = segments.save_segment(unit, body.name, body.expression, now(), body.kind, body.description)
        return Saved(name=s.name, kind=s.kind, size=s.size_at_save)

    @api.get("/segments/{name}", dependencies=[need("segments:read")])
    def show(unit: Unit, name: str) -> SegmentDetail:
        return SegmentDetail(**segments.describe(unit, name, now()))

    return api
