"""A campaign nobody would receive: which reasons skipped everyone, and what the operator can do about
each. Pure: counts in, one sentence out, so preflight can block and start can refuse with the same words."""

from __future__ import annotations

from collections.abc import Mapping

FIXES = {
    "whatsapp_window": "Meta has not approved the WhatsApp template, and outside the 24-hour window only approved "
    "templates may go: submit it to Meta, then start once its Meta status is APPROVED "
    "(herald templates show NAME)",
    "consent": "nobody in the audience has marketing consent on the campaign's channels: import their consent, "
    "or narrow the segment with consent:CHANNEL",
    "suppression": "every address is on the suppression list",
    "line_type": "the numbers cannot take this channel (fixed lines and the like): add a fallback channel",
    "frequency_cap": "everyone had a marketing message too recently: start later or change the frequency cap",
    "lifecycle_cadence": "everyone was messaged too recently for their lifecycle stage: start later",
    "holdout": "everyone fell in the hold-out group: lower the hold-out percentage",
    "dedupe": "every address already gets this campaign through another contact",
    "whatsapp_limits": "the WhatsApp number's messaging limit leaves no room: start later or raise the limit",
}


def nobody_receives(sendable: int, skipped_by: Mapping[str, int]) -> str | None:
    """Why a plan that sends to nobody is a dead end, with the fix for each reason; None when someone would
    receive it or nobody was planned at all."""
    if sendable or not skipped_by:
        return None
    reasons = sorted(skipped_by.items(), key=lambda kv: (-kv[1], kv[0]))
    counts = ", ".join(f"{reason} {n}" for reason, n in reasons)
    fixes = "; ".join(FIXES.get(reason, f"see herald campaigns why for {reason}") for reason, _ in reasons)
    return f"nobody in the audience would receive it (skipped: {counts}) — {fixes}"
