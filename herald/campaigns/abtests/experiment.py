"""An A/B test phase: the variants go to a test share of the audience first; after every test message
has had the hold to be delivered, read, clicked or bought from, the variant best by the campaign's metric
goes to the rest — or, when the evidence is not there, what the campaign says to do without a winner.
Pure: the settings checked (including whether the campaign can measure its metric at all), when to judge,
and what follows a verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from herald.errors import Invalid

METRICS = ("delivered", "read", "click", "conversion", "revenue")
RATE_METHODS = ("bayes", "z")  # for rates; revenue is compared by Welch's t-test
NO_WINNER = ("control", "split", "pause")
DEFAULTS: dict[str, Any] = {
    "metric": "click",
    "test_percent": 20.0,
    "hold_minutes": 240,
    "min_sample": 100,
    "method": None,  # bayes for rates, welch for revenue
    "confidence": 0.95,
    "if_no_winner": "control",
}
KEPT = ("state", "winner", "reason", "decided_at", "figures", "note", "sent_to_rest")  # written as the test goes
RECHECK = timedelta(minutes=5)  # how soon a test with messages still to send is looked at again


@dataclass(frozen=True)
class Measures:
    """What one variant can report: its channels, and whether its SMS or e-mail templates carry a link
    (Herald's short links count the clicks) or issue a coupon (which names the message it came in)."""

    channels: tuple[str, ...]
    links: bool = False
    coupons: bool = False


def check(settings: Mapping[str, Any], variants: Mapping[str, Measures], tracks_links: bool) -> dict[str, Any]:
    """The settings with defaults filled in, or Invalid naming what is wrong — including a metric the
    campaign cannot measure, and a test without two variants to compare."""
    unknown = sorted(set(settings) - set(DEFAULTS) - set(KEPT))
    if unknown:
        raise Invalid(f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(DEFAULTS)})", where="A/B test")
    merged = {**DEFAULTS, **settings}
    if len(variants) < 2:
        raise Invalid("an A/B test needs two variants at least", where="A/B test")
    _one_of(merged, "metric", METRICS)
    _one_of(merged, "if_no_winner", NO_WINNER)
    _between(merged, "test_percent", 1, 90)
    _between(merged, "hold_minutes", 1, 60 * 24 * 14)
    _between(merged, "min_sample", 1, 1_000_000)
    _between(merged, "confidence", 0.5, 0.999)
    merged["method"] = _method(merged["metric"], merged["method"])
    why = unmeasurable(merged["metric"], variants, tracks_links)
    if why:
        raise Invalid(f"the metric {merged['metric']} cannot be measured: {why}", where="A/B test")
    merged.setdefault("state", "testing")
    return merged


def _method(metric: str, method: str | None) -> str:
    if metric == "revenue":
        if method not in (None, "welch"):
            raise Invalid(
                "revenue is compared by Welch's t-test (method welch); bayes and z are for rates", where="A/B test"
            )
        return "welch"
    if method is None:
        return "bayes"
    if method not in RATE_METHODS:
        raise Invalid(f"method: choose bayes or z for a rate, not {method!r}", where="A/B test")
    return method


def unmeasurable(metric: str, variants: Mapping[str, Measures], tracks_links: bool) -> str | None:
    """Why the campaign cannot measure `metric` for every variant, or None when it can."""
    for name, seen in variants.items():
        if metric == "read" and "whatsapp" not in seen.channels:
            return f"variant {name} sends no WhatsApp, and only WhatsApp reports that a message was read"
        if metric == "click" and not (seen.links and tracks_links):
            return _no_clicks(name, tracks_links)
        if metric in ("conversion", "revenue") and not (seen.coupons or (seen.links and tracks_links)):
            return (
                f"variant {name} has no conversion source: its templates issue no coupon and carry no link "
                "Herald can track, so no order could be credited to it"
            )
    return None


def _no_clicks(name: str, tracks_links: bool) -> str:
    if not tracks_links:
        return "clicks are counted on Herald's short links, and no public_url is set for them"
    return f"variant {name}'s SMS and e-mail templates carry no link to click"


def _one_of(values: dict[str, Any], key: str, allowed: Sequence[str]) -> None:
    if values[key] not in allowed:
        raise Invalid(f"{key}: choose one of {', '.join(allowed)}, not {values[key]!r}", where="A/B test")


def _between(values: dict[str, Any], key: str, low: float, high: float) -> None:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise Invalid(f"{key}: expected a number from {low:g} to {high:g}, got {value!r}", where="A/B test")


def step(settings: Mapping[str, Any], pending: int, last_sent: datetime | None, now: datetime) -> tuple[datetime, str]:
    """When to judge the test: (a moment, why) to wait until, or (now, "") to judge now. The test share's
    messages are all sent first, then the last of them has the hold to gather reactions."""
    if pending:
        return now + RECHECK, f"{pending:,} of the test share's messages are still to be sent"
    ready = last_sent + timedelta(minutes=settings["hold_minutes"]) if last_sent else now
    if ready > now:
        return ready, f"the last test message has until {ready:%Y-%m-%d %H:%M} UTC to gather reactions"
    return now, ""


def after(settings: Mapping[str, Any], winner: str | None, first: str) -> tuple[str, str | None]:
    """What the rest of the audience gets: ("send", a variant), ("split", None) by the variants' weights,
    or ("pause", None) for a person to choose."""
    if winner is not None:
        return "send", winner
    choice = settings["if_no_winner"]
    if choice == "control":
        return "send", first
    return choice, None
