"""Consent: a message needs a granted consent on its channel for its purpose, unless the purpose is exempt.

What counts differs by jurisdiction and channel: `opt_in_channels` need an opt-in for every purpose
(WhatsApp wants one before any business-initiated message, and any purpose's opt-in counts for a
transactional one), and `evidence_for` purposes need consent recorded with proof (GDPR's "demonstrate").
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from herald.rules.builtin.common import channels, purposes
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import ConsentFact, MessageIntent, Recipient
from herald.types import Channel, Purpose

NAME = "consent"
SUMMARY = "needs the recipient's consent on the channel for the purpose"
READS = ("consents",)
DEFAULTS: dict[str, Any] = {"required_for": ["marketing"], "opt_in_channels": [], "evidence_for": []}


def check(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "required_for": purposes(params["required_for"], "required_for"),
        "opt_in_channels": channels(params["opt_in_channels"], "opt_in_channels"),
        "evidence_for": purposes(params["evidence_for"], "evidence_for"),
    }


def _latest(r: Recipient, channel: Channel, purpose: object) -> ConsentFact | None:
    latest = None
    for c in r.consents:  # a plain loop: this runs for every recipient of every plan
        if c.channel == channel and (purpose is None or c.purpose == purpose) and (latest is None or c.at > latest.at):
            latest = c
    return latest


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    purpose = intent.purpose
    if purpose not in params["required_for"]:
        if channel not in params["opt_in_channels"]:
            return RuleOutcome(NAME, channel, Verdict.PASS, f"{purpose} messages need no consent under this policy")
        latest = _latest(r, channel, None)
        if latest is None or latest.status != "granted":
            return RuleOutcome(
                NAME,
                channel,
                Verdict.SKIP,
                f"{channel} needs an opt-in before any business-initiated message, and none is on record",
            )
        return RuleOutcome(NAME, channel, Verdict.PASS, f"opted in on {channel} on {latest.at.date().isoformat()}")
    latest = _latest(r, channel, purpose)
    if latest is None:
        return RuleOutcome(NAME, channel, Verdict.SKIP, f"no {purpose} consent on {channel} on record")
    day = latest.at.date()
    if latest.status != "granted":
        return RuleOutcome(NAME, channel, Verdict.SKIP, f"{purpose} consent on {channel} was withdrawn on {day}")
    if purpose in params["evidence_for"] and not latest.evidence:
        return RuleOutcome(
            NAME,
            channel,
            Verdict.SKIP,
            f"{purpose} consent on {channel} ({day}, {latest.source or 'unknown source'}) has no recorded proof",
        )
    return _granted(purpose, channel, day)


@lru_cache(maxsize=4096)
def _granted(purpose: Purpose, channel: Channel, day: date) -> RuleOutcome:
    """The pass for consent granted on a day; a campaign's consents were mostly taken on a few days."""
    return RuleOutcome(NAME, channel, Verdict.PASS, f"{purpose} consent on {channel} granted on {day.isoformat()}")
