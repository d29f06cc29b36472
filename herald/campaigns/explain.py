"""A campaign message in plain words, as the ledger has it now: the CLI, the API and the demo share this."""

from __future__ import annotations

from datetime import datetime

from herald.outbox.models import Message
from herald.rules import explain as words


def current_action(message: Message, now: datetime) -> str:
    """sent, skip, defer (waiting for its moment), send (due now), or the status (failed, unknown…)."""
    if message.status == "queued":
        return "defer" if message.due_at > now else "send"
    return {"skipped": "skip"}.get(message.status, message.status)


def describe(message: Message, now: datetime) -> dict[str, object]:
    """The message's state, its trail, and a headline with the trail as text."""
    action = current_action(message, now)
    if action == "sent":
        text = "\n".join([f"Sent on {message.channel} at {message.sent_at:%Y-%m-%d %H:%M} UTC.",
                          *words.lines(message.trail)])
    else:
        reason = message.reason if action == "skip" else None
        text = words.explain(action, message.channel, f"{message.due_at:%Y-%m-%d %H:%M} UTC", message.trail, reason)
    return {"contact": message.contact_id, "status": message.status, "action": action,
            "planned_action": message.planned_action, "channel": message.channel, "due_at": message.due_at,
            "sent_at": message.sent_at, "reason": message.reason, "trail": message.trail, "text": text}
