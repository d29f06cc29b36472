"""`decide()`: whether, when and on which channel one message may go to one recipient.

Every rule judges every channel the message could use, so the trail always says why each channel was
kept or left out. A channel that any rule skips is out. Of the channels left, the first in the order the
message prefers is chosen, and it waits for the latest moment any rule asked for. That moment is then
judged again, because waiting can run into another rule: a frequency cap that ends at 23:00 lands in
quiet hours, which push the message to the morning."""

from __future__ import annotations

from datetime import datetime

from herald.rules.decision import Decision, Defer, RuleOutcome, Send, Skip, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.rules.policy import Policy
from herald.types import Channel

MAX_PASSES = 8


def decide(recipient: Recipient, intent: MessageIntent, policy: Policy, now: datetime) -> Decision:
    """Whether, when and on which channel this recipient may get this message, with the trail."""
    trail: list[RuleOutcome] = []
    chosen: tuple[Channel, datetime, tuple[str, ...]] | None = None
    for channel in intent.channels:
        outcomes, at = _channel(recipient, intent, channel, policy, now)
        trail.extend(outcomes)
        if at is not None and chosen is None:
            named = [o.bucket for o in outcomes if o.bucket]
            chosen = (channel, at, tuple(dict.fromkeys(named)) if named else ())
    if chosen is None:
        first_skip = next(o for o in trail if o.verdict is Verdict.SKIP)
        return Skip(first_skip.rule, tuple(trail))
    channel, at, buckets = chosen
    if at == now:
        return Send(channel, now, tuple(trail), buckets)
    return Defer(channel, at, tuple(trail), buckets)


def _evaluate(
    recipient: Recipient, intent: MessageIntent, channel: Channel, policy: Policy, at: datetime
) -> list[RuleOutcome]:
    calls = policy.calls
    if policy.regional and recipient.region:  # the presets it follows judge the recipients they speak for
        calls += policy.regional.get((recipient.region.upper(), channel), ())
    return [evaluate(recipient, intent, channel, params, at) for evaluate, params in calls]


def _channel(
    recipient: Recipient, intent: MessageIntent, channel: Channel, policy: Policy, now: datetime
) -> tuple[list[RuleOutcome], datetime | None]:
    """The channel's outcomes and the moment it may send, or None when it is out."""
    if not recipient.addresses.get(channel):
        return [RuleOutcome("address", channel, Verdict.SKIP, f"the contact has no {channel} address")], None
    outcomes = _evaluate(recipient, intent, channel, policy, now)
    verdicts = [o.verdict for o in outcomes]
    if Verdict.SKIP in verdicts:
        return outcomes, None
    if Verdict.DEFER not in verdicts:  # the common answers, found without the deferral loop below
        return outcomes, now
    at = now
    pending = [o for o in outcomes if o.verdict is Verdict.DEFER]
    for _ in range(MAX_PASSES):
        at = max(o.until for o in pending if o.until is not None)
        later = _evaluate(recipient, intent, channel, policy, at)
        skips = [o for o in later if o.verdict is Verdict.SKIP]
        pending = [o for o in later if o.verdict is Verdict.DEFER and o.until and o.until > at]
        outcomes += skips + pending
        if skips:
            return outcomes, None
        if not pending:
            return outcomes, at
    detail = f"the rules kept deferring after {MAX_PASSES} checks"
    return outcomes + [RuleOutcome("engine", channel, Verdict.SKIP, detail)], None
