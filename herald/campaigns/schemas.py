"""Request and response shapes of the campaigns room, shared by the API and the CLI's --json."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from herald.campaigns.models import Campaign


class VariantIn(BaseModel):
    name: str
    weight: float
    templates: list[str] = Field(description="Template names or ids, in the order channels are tried.")


class CampaignIn(BaseModel):
    name: str
    segment: str | None = Field(None, description="Audience expression; or give contacts.")
    templates: list[str] = Field([], description="One variant: templates in fallback order.")
    variants: list[VariantIn] = []
    contacts: list[int] = Field([], description="A static audience of contact ids.")
    exclude_segment: str | None = None
    exclude_campaigns: list[str] = []
    holdout_percent: float = 0.0
    purpose: str = "marketing"
    preset: str = "default"
    overrides: dict[str, dict[str, Any]] = {}
    rollout: dict[str, Any] | None = None


class ScheduleIn(BaseModel):
    at: str | None = Field(None, description="ISO-8601 moment with offset.")
    local_time: str | None = Field(None, description="HH:MM in each recipient's zone.")
    on: str | None = Field(None, description="With local_time: YYYY-MM-DD.")
    cron: str | None = None
    zone: str = "UTC"


def campaign_out(c: Campaign) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "status": c.status, "status_reason": c.status_reason, "segment": c.segment,
            "purpose": c.purpose, "preset": c.preset, "overrides": c.policy_overrides, "variants": c.variants,
            "holdout_percent": c.holdout_percent, "exclude_segment": c.exclude_segment,
            "exclude_campaigns": c.exclude_campaigns, "schedule": c.schedule, "next_run_at": c.next_run_at,
            "local_time": c.local_time, "cron": c.cron, "cron_zone": c.cron_zone, "runs": c.runs,
            "rollout": c.rollout, "audience": c.audience_size, "started_at": c.started_at,
            "finished_at": c.finished_at}
