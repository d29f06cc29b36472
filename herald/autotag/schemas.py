"""Request and response shapes of the automatic tag rules, as the API takes and gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from herald.shapes import Shape

Definition = dict[str, Any]
DEFINITION = Field(
    description='The rule as data: see docs/tags.md#automatic-tags, e.g. {"kind": "event", '
    '"event": "purchase", "where": "product = A", "tag": "bought:A"}'
)


class RuleOut(Shape):
    name: str
    kind: str
    version: int
    enabled: bool
    definition: Definition
    updated_at: datetime
    updated_by: str


class VersionOut(Shape):
    version: int
    definition: Definition
    saved_at: datetime
    saved_by: str


class RuleDetail(RuleOut):
    versions: list[VersionOut]


class Applied(Shape):
    tagged: int
    extended: int


class SavedRule(RuleOut):
    backfill: Applied | None = None


class DryRun(Shape):
    qualify: int
    would_tag: int
    would_extend: int
    tags: dict[str, dict[str, int]]


class RuleDeleted(Shape):
    name: str
    deleted: bool
