"""Rollout: a canary share goes first; after the hold, the rest follows only while the guardrails hold
on what has come back so far. Pure: settings checked here, the verdict computed here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from herald.errors import Invalid

DEFAULTS = {
    "canary_percent": 10.0,
    "hold_minutes": 60,
    "max_failure_rate": 0.05,
    "max_optout_rate": 0.01,
    "min_settled": 20,
}


def check(settings: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(settings) - set(DEFAULTS) - {"state"})
    if unknown:
        raise Invalid(f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(DEFAULTS)})", where="rollout")
    merged = {**DEFAULTS, **settings}
    _between(merged, "canary_percent", 0.01, 99.99)
    _between(merged, "hold_minutes", 1, 60 * 24 * 14)
    _between(merged, "max_failure_rate", 0, 1)
    _between(merged, "max_optout_rate", 0, 1)
    _between(merged, "min_settled", 0, 1_000_000)
    merged.setdefault("state", "canary")
    return merged


def _between(values: dict[str, Any], key: str, low: float, high: float) -> None:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise Invalid(f"{key}: expected a number from {low:g} to {high:g}, got {value!r}", where="rollout")


def verdict(
    settings: Mapping[str, Any], sent: int, failed: int, opted_out: int, canary_done: bool = False
) -> tuple[str, str]:
    """("continue" | "wait" | "pause", why) from the canary's results so far; a canary smaller than
    `min_settled` is judged once all of it has settled."""
    settled = sent + failed
    if settled < settings["min_settled"] and not canary_done:
        return "wait", f"only {settled} of the canary's messages have settled (need {settings['min_settled']})"
    failure = failed / settled if settled else 0.0
    if failure > settings["max_failure_rate"]:
        return "pause", (
            f"failure rate {failure:.1%} of the canary is above the guardrail of {settings['max_failure_rate']:.1%}"
        )
    optout = opted_out / sent if sent else 0.0
    if optout > settings["max_optout_rate"]:
        return "pause", (
            f"opt-out rate {optout:.1%} of the canary is above the guardrail of {settings['max_optout_rate']:.1%}"
        )
    return "continue", f"canary held: failure rate {failure:.1%}, opt-out rate {optout:.1%}"
