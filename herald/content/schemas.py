"""Request and response shapes of the content room, as the API takes and gives them (and its docs show)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from herald.shapes import Shape


class ReviewIn(BaseModel):
    """A step of a version's review. The one who takes it is the caller (their key or session), never a
    name given here: nobody approves their own words."""

    locale: str | None = Field(None, max_length=16, description="The version's locale (default: the template's).")
    variant: str = Field("A", max_length=8)
    reason: str | None = Field(None, max_length=2000, description="Why it is rejected (required to reject).")
    presets: list[str] = Field([], max_length=20, description="Lint against these jurisdictions too.")


class TemplateIn(BaseModel):
    name: str
    channel: str = Field(description="sms, whatsapp or email")
    content: dict[str, Any] = Field(
        description="sms: {body}; email: {subject, body, html, preheader}; whatsapp: "
        "{category, body, params, header, footer, buttons} (docs/content.md)",
        examples=[{"body": "Herald Shop: 20% off today. Reply STOP to opt out."}],
    )
    purpose: str = "marketing"
    locale: str = "en"
    presets: list[str] = Field(
        [],
        description="Jurisdictions (policy presets) it is written for beyond its "
        "locale's; review lints against all of them.",
    )


class PreviewIn(BaseModel):
    contacts: list[int] = []
    segment: str | None = None
    sample: int = 3
    variant: str = "A"
    approved_only: bool = False
    presets: list[str] = []


class FindingOut(Shape):
    severity: str
    code: str
    message: str
    field: str
    line: int | None = None
    column: int | None = None
    length: int | None = None


class VersionOut(Shape):
    id: int
    locale: str
    variant: str
    version: int
    status: str
    author: str
    reviewer: str | None
    review_note: str | None
    meta_status: str | None
    content: dict[str, Any]


class TemplateOut(Shape):
    id: int
    name: str
    channel: str
    purpose: str
    category: str | None
    default_locale: str
    presets: list[str]
    versions: list[VersionOut]


class CreatedTemplate(TemplateOut):
    findings: list[FindingOut]


class CostLine(Shape):
    region: str | None
    messages: int
    units: int
    cost: str | None
    rebate: str


class Estimate(Shape):
    currency: str
    total: str
    rebate: str
    unpriced_regions: list[str | None]
    lines: list[CostLine]


class AudienceCost(Estimate):
    recipients: int
    units_per_message: int


class PreviewOut(Shape):
    template: str
    channel: str
    samples: list[dict[str, Any]] = Field(
        description="Per contact: the rendered text, its SMS encoding and cost, or why it would not be sent."
    )
    findings: dict[str, list[FindingOut]]
    audience: AudienceCost | None = None


class WebhookApplied(Shape):
    template_updates: int
    applied: int
