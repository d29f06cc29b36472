"""Decisions and their trails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from herald.types import Channel


class Verdict(StrEnum):
    PASS = "pass"
    DEFER = "defer"
    SKIP = "skip"


class RuleOutcome(NamedTuple):
    """One rule's verdict. A named tuple, not a frozen dataclass: a decision makes six to twelve of these,
    and a tuple is built in a third of the time while staying just as immutable (trails are shared)."""

    rule: str
    channel: Channel
    verdict: Verdict
    detail: str
    until: datetime | None = None
    bucket: str | None = None  # the shared allowance a send would use (not part of the trail)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "channel": self.channel.value,
            "verdict": self.verdict.value,
            "detail": self.detail,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleOutcome:
        until = datetime.fromisoformat(data["until"]) if data.get("until") else None
        return cls(data["rule"], Channel(data["channel"]), Verdict(data["verdict"]), data["detail"], until)


@dataclass(frozen=True, slots=True)
class Send:
    channel: Channel
    at: datetime
    trail: tuple[RuleOutcome, ...]
    buckets: tuple[str, ...] = ()  # allowances the send uses, for the planner to record
    action = "send"


@dataclass(frozen=True, slots=True)
class Defer:
    channel: Channel
    until: datetime
    trail: tuple[RuleOutcome, ...]
    buckets: tuple[str, ...] = ()
    action = "defer"


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str
    trail: tuple[RuleOutcome, ...]
    action = "skip"


Decision = Send | Defer | Skip


def trail_json(decision: Decision) -> list[dict[str, Any]]:
    return [o.as_dict() for o in decision.trail]
