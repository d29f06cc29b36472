"""A campaign's life: draft → scheduled → running ⇄ paused → completed, or cancelled from anywhere
before it completes. Pure: which action moves which state where."""

from __future__ import annotations

from herald.errors import Conflict
from herald.types import CampaignStatus as C

MOVES: dict[str, dict[str, str]] = {
    "schedule": {C.DRAFT: C.SCHEDULED, C.SCHEDULED: C.SCHEDULED},
    "start": {C.DRAFT: C.RUNNING, C.SCHEDULED: C.RUNNING},
    "add-newcomers": {C.RUNNING: C.RUNNING, C.PAUSED: C.PAUSED},
    "pause": {C.SCHEDULED: C.PAUSED, C.RUNNING: C.PAUSED},
    "resume": {C.PAUSED: C.RUNNING},
    "cancel": {C.DRAFT: C.CANCELLED, C.SCHEDULED: C.CANCELLED, C.RUNNING: C.CANCELLED, C.PAUSED: C.CANCELLED},
    "complete": {C.RUNNING: C.COMPLETED},
}
STATES = tuple(C)


def move(status: str, action: str, name: str) -> str:
    """The state after `action`, or Conflict saying why the campaign cannot take it."""
    allowed = MOVES[action]
    if status not in allowed:
        can = ", ".join(a for a, m in MOVES.items() if status in m and a != "complete") or "nothing (clone it)"
        raise Conflict(f"campaign {name!r} is {status}: it cannot {action} (it can: {can})")
    return allowed[status]
