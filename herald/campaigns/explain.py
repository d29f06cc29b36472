"""A campaign message in plain words, as the ledger has it now: the CLI, the API and the demo share this."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from herald import outbox, rules
from herald.outbox import Message
from herald.types import MessageStatus as S

WAITING = {
    S.HELD: lambda m: (
        f"Held on {m.channel}: the campaign is paused."
        if m.held == "paused"
        else f"Held on {m.channel}: it goes when the rollout's first wave passes its guardrails."
    ),
    S.CANCELLED: lambda m: "Not sent: the campaign was cancelled.",
}


def current_action(message: Message, now: datetime) -> str:
    """sent, skip, defer (waiting for its moment), send (due now), or the status (failed, unknown…)."""
    if message.status == S.QUEUED:
        return "defer" if message.due_at > now else "send"
    return "skip" if message.status == S.SKIPPED else message.status


def describe(message: Message, now: datetime) -> dict[str, Any]:
    """The message's state, its trail, and a headline with the trail as text."""
    action = current_action(message, now)
    if action == S.SENT:
        text = "\n".join(
            [f"Sent on {message.channel} at {message.sent_at:%Y-%m-%d %H:%M} UTC.", *rules.lines(message.trail)]
        )
    elif action in WAITING:
        text = "\n".join([WAITING[S(action)](message), *rules.lines(message.trail)])
    else:
        reason = message.reason if action == "skip" else None
        text = rules.explain(action, message.channel, f"{message.due_at:%Y-%m-%d %H:%M} UTC", message.trail, reason)
    return {
        "contact": message.contact_id,
        "status": message.status,
        "action": action,
        "planned_action": message.planned_action,
        "channel": message.channel,
        "due_at": message.due_at,
        "sent_at": message.sent_at,
        "reason": message.reason,
        "trail": message.trail,
        "text": text,
    }


def why_not(session: Session, campaign_id: int) -> dict[str, Any]:
    """Every message of the campaign by state, and for those not sent, by reason with a sample sentence."""
    rows = outbox.breakdown(session, campaign_id)
    by_status: dict[str, int] = {}
    reasons: dict[tuple[str, str], int] = {}
    for status, reason, _channel, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status in (S.SKIPPED, S.FAILED, S.UNKNOWN, S.CANCELLED, S.HELD):
            key = (status, reason or "—")
            reasons[key] = reasons.get(key, 0) + n
    details = []
    for (status, reason), n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        sample = next(
            iter(outbox.sample_trails(session, campaign_id, status, None if reason == "—" else reason, 1)), None
        )
        details.append({"status": status, "reason": reason, "count": n, "example": _example(sample, reason)})
    return {"by_status": by_status, "not_sent": details}


def _example(message: Message | None, reason: str) -> str | None:
    if message is None:
        return None
    if message.status == S.HELD:
        return "waiting for the campaign to resume" if message.held == "paused" else "waiting for the rollout"
    outcome = next((o for o in message.trail if o["verdict"] == "skip" and o["rule"] == reason), None)
    if outcome is None:
        return message.error or message.reason
    return f"contact {message.contact_id}: {outcome['detail']}"
