"""Request and response shapes of the tags room, as the API takes and gives them (and its docs show)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from herald.shapes import Shape
from herald.types import MAX_ID

MAX_HOURS = 24 * 366 * 10  # a tag's lifetime: ten years at most


class TagIn(BaseModel):
    name: str
    description: str | None = None
    category: str | None = None
    colour: str | None = Field(None, description="#rrggbb")
    kind: str = "manual"


class ApplyIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=100_000, description="Contact ids; or give segment."
    )
    segment: str | None = Field(None, description="Tag everyone this expression matches.")
    expires_in_hours: int | None = Field(default=None, ge=1, le=MAX_HOURS, description="At most ten years.")
    by: str = "api"


class TagRow(Shape):
    tag: str
    category: str | None
    colour: str | None
    kind: str
    description: str | None
    contacts: int


class TagOut(Shape):
    id: int
    name: str
    colour: str | None
    kind: str


class Tagged(Shape):
    tag: str
    newly_tagged: int


class TagDeleted(Shape):
    tag: str
    removed_from: int
