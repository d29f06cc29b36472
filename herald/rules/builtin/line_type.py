"""Address validity and line type: texts and WhatsApp only go to numbers that can take them. A fixed line,
premium-rate or shared-cost number cannot; US and Canadian numbers come back as "fixed line or mobile" and
cannot be ruled out, so they pass."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from herald.rules.builtin.common import one_of, per_channel
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "line_type"
SUMMARY = "never texts a fixed line or another number that cannot take SMS or WhatsApp"
NOT_MOBILE = ["fixed_line", "premium_rate", "shared_cost", "uan", "voicemail", "pager"]
DEFAULTS: dict[str, Any] = {"blocked": {"sms": NOT_MOBILE, "whatsapp": NOT_MOBILE}, "unknown": "pass"}


def _names(value: Any, name: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name}: expected a list of line types, got {value!r}")
    return frozenset(value)


def check(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "blocked": per_channel(params["blocked"], "blocked", _names),
        "unknown": one_of(params["unknown"], "unknown", ("pass", "skip")),
    }


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    return _judge(channel, r.line_type, params["blocked"].get(channel, frozenset()), params["unknown"])


# How a line type reads in a sentence ("the number is a fixed line").
LINE_WORDS = {
    "mobile": "mobile line",
    "fixed_line": "fixed line",
    "fixed_line_or_mobile": "fixed line or mobile",
    "toll_free": "toll-free number",
    "voip": "VoIP number",
    "premium_rate": "premium-rate number",
    "shared_cost": "shared-cost number",
    "personal": "personal number",
    "pager": "pager",
    "uan": "UAN (company) number",
    "voicemail": "voicemail number",
}


@lru_cache(maxsize=1024)
def _judge(channel: Channel, line: str | None, blocked: frozenset[str], unknown: str) -> RuleOutcome:
    """The outcome for a line type on a channel; there are a few dozen, and every recipient has one."""
    if not channel.uses_phone:
        return RuleOutcome(NAME, channel, Verdict.PASS, "applies to phone channels only")
    if not line or line == "unknown":
        verdict = Verdict.SKIP if unknown == "skip" else Verdict.PASS
        return RuleOutcome(NAME, channel, verdict, "the number's line type is unknown")
    words = LINE_WORDS.get(line, f"{line.replace('_', ' ')} number")
    if line in blocked:
        return RuleOutcome(NAME, channel, Verdict.SKIP, f"the number is a {words}, which cannot take {channel}")
    return RuleOutcome(NAME, channel, Verdict.PASS, f"the number is a {words}")
