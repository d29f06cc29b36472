"""The API's shapes for alerts and alert rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AlertOut(BaseModel):
    id: int
    rule: str
    metric: str
    subject: str = Field(
        description='What broke the rule: "campaign Spring sale (12)", "account gateway", "workspace".'
    )
    value: str = Field(description="The rate in percent, the state or the count that broke it.")
    reason: str
    action: str = Field(description="notify | pause_campaign | pause_account")
    done: str | None = Field(description="What Herald did about it.")
    status: str = Field(description="open | acknowledged | resolved")
    times: int = Field(description="Evaluations that found it broken while it was open.")
    raised_at: datetime
    seen_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    note: str | None
    emails: list[dict[str, Any]] = Field([], description="The e-mails telling of it: address, status, attempts.")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=2000, description="What was done about it.")


class AlertRuleIn(BaseModel):
    """A rule as saved; see docs/results.md for the metrics and what their thresholds mean."""

    model_config = ConfigDict(extra="forbid")
    metric: str = Field(description="delivery_rate, failure_rate, optout_rate, complaint_rate, circuit_open, …")
    threshold: float | str | None = Field(None, description="A percentage 0–100 for rates, a count, or FLAGGED.")
    window_minutes: int = 60
    min_volume: int = 50
    per: str | None = Field(None, description="campaign or account, for rates.")
    action: str = Field("notify", description="notify, pause_campaign or pause_account.")
    label: str | None = None


class AlertRuleOut(BaseModel):
    name: str
    label: str
    metric: str
    per: str
    threshold: float | str
    window_minutes: int
    min_volume: int
    action: str
    origin: str = Field(description="default, changed (a default saved over) or own.")
    active: bool
    watches: str = Field(description="The rule in words.")
