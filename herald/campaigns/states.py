"""A campaign's life: draft → scheduled → running ⇄ paused → completed, or cancelled from anywhere
before it completes. Pure: which action moves which state where."""

from __future__ import annotations

from herald.errors import Conflict

MOVES: dict[str, dict[str, str]] = {
    "schedule": {"draft": "scheduled", "scheduled": "scheduled"},
    "start": {"draft": "running", "scheduled": "running"},
    "add-newcomers": {"running": "running", "paused": "paused"},
    "pause": {"scheduled": "paused", "running": "paused"},
    "resume": {"paused": "running"},
    "cancel": {"draft": "cancelled", "scheduled": "cancelled", "running": "cancelled", "paused": "cancelled"},
    "complete": {"running": "completed"},
}
STATES = ("draft", "scheduled", "running", "paused", "completed", "cancelled")


def move(status: str, action: str, name: str) -> str:
    """The state after `action`, or Conflict saying why the campaign cannot take it."""
    allowed = MOVES[action]
    if status not in allowed:
        can = ", ".join(a for a, m in MOVES.items() if status in m and a != "complete") or "nothing (clone it)"
        raise Conflict(f"campaign {name!r} is {status}: it cannot {action} (it can: {can})")
    return allowed[status]
