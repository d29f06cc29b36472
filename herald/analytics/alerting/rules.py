"""Alert rules, pure: what a rule is (checked, with the reason when it is not), and whether what was
observed over its window breaks it. The analytics service gathers the observations and acts.

A rule watches one metric for each subject it applies to — a running campaign, a provider account, or
the whole workspace — over a sliding window:

| metric | per | breaks when |
|---|---|---|
| `delivery_rate` | campaign, account | delivered ÷ (delivered + undelivered) of the window's receipts is below it |
| `failure_rate` | campaign, account | failed ÷ (sent + failed) of the window's attempts is above it |
| `optout_rate`, `complaint_rate` | campaign, account | opt-outs (complaints) ÷ the window's sent messages is above it |
| `circuit_open` | account | the account's circuit is open (it keeps failing) |
| `whatsapp_quality` | account | Meta's last word on the number is the threshold (`FLAGGED`, `DOWNGRADE`) or worse |
| `overdue_cases` | workspace | more complaint cases are past their deadline than the threshold |
| `spend` | campaign | what the window's messages cost by the price table is above the threshold (money) |

Rates are percentages (0–100) and are judged only once `min_volume` messages make them up, so that one
failure of three sends does not pause a campaign. Each rule acts: `notify`, `pause_campaign` or
`pause_account` (notifying too)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from herald.errors import Invalid

RATES = {
    "delivery_rate": "below",
    "failure_rate": "above",
    "optout_rate": "above",
    "complaint_rate": "above",
}
STATES = {"circuit_open": "account", "whatsapp_quality": "account", "overdue_cases": "workspace", "spend": "campaign"}
METRICS = (*RATES, *STATES)
ACTIONS = ("notify", "pause_campaign", "pause_account")
# What Meta last said of a WhatsApp number, best first: its quality is low (`FLAGGED`), then its messaging
# limit was lowered for it (`DOWNGRADE`); anything else (UNFLAGGED, UPGRADE…) is OK.
QUALITY = ("OK", "FLAGGED", "DOWNGRADE")
KEYS = {"metric", "threshold", "window_minutes", "min_volume", "per", "action", "label"}
LONGEST_WINDOW = 7 * 24 * 60


@dataclass(frozen=True)
class Rule:
    name: str
    metric: str
    per: str  # campaign | account | workspace
    threshold: float | str  # a percentage, a count, or a quality colour
    window_minutes: int
    min_volume: int
    action: str
    label: str

    def describe(self) -> str:
        """The rule in words: "failure rate above 20% over 30 min (at least 50 messages), per campaign"."""
        what = self.metric.replace("_", " ")
        if self.metric in RATES:
            volume = f" (at least {self.min_volume} messages)" if self.min_volume else ""
            said = f"{what} {RATES[self.metric]} {self.threshold:g}% over {self.window_minutes} min{volume}"
        elif self.metric == "whatsapp_quality":
            said = f"WhatsApp number {self.threshold} or worse"
        elif self.metric == "overdue_cases":
            said = f"more than {self.threshold:g} complaint case(s) overdue"
        elif self.metric == "spend":
            said = f"spend above {self.threshold:g} over {self.window_minutes} min"
        else:
            said = "circuit open"
        return f"{said}, per {self.per}, then {self.action.replace('_', ' ')}"


def read_rule(name: str, table: Mapping[str, Any]) -> Rule:
    """A rule from its table (TOML, the API or the CLI), or Invalid naming the rule and the field."""
    where = f"alert rule {name!r}"
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise Invalid(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(KEYS))})", where=where)
    metric = table.get("metric")
    if metric not in METRICS:
        raise Invalid(f"metric: expected one of {', '.join(METRICS)}, got {metric!r}", where=where)
    per = table.get("per") or ("campaign" if metric in RATES else STATES[metric])
    allowed = ("campaign", "account") if metric in RATES else (STATES[metric],)
    if per not in allowed:
        raise Invalid(f"per: {metric} is watched per {' or '.join(allowed)}, not {per!r}", where=where)
    action = table.get("action", "notify")
    if action not in ACTIONS or (action == "pause_campaign" and per != "campaign"):
        raise Invalid(_action_problem(action, per), where=where)
    if action == "pause_account" and per != "account":
        raise Invalid(_action_problem(action, per), where=where)
    window = _whole(table.get("window_minutes", 60), "window_minutes", 1, LONGEST_WINDOW, where)
    volume = _whole(table.get("min_volume", 50), "min_volume", 0, 10_000_000, where)
    threshold = _threshold(metric, table.get("threshold"), where)
    return Rule(name, metric, per, threshold, window, volume, action, str(table.get("label") or name))


def _action_problem(action: object, per: str) -> str:
    if action not in ACTIONS:
        return f"action: expected one of {', '.join(ACTIONS)}, got {action!r}"
    return f"action: {action} needs a rule watched per {str(action).removeprefix('pause_')}, this one is per {per}"


def _whole(value: object, key: str, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{key}: expected a whole number from {low} to {high:,}, got {value!r}", where=where)
    return value


def _threshold(metric: str, value: object, where: str) -> float | str:
    if metric == "whatsapp_quality":
        level = str(value or "").upper()
        if level not in QUALITY[1:]:
            raise Invalid(f"threshold: expected FLAGGED or DOWNGRADE, got {value!r}", where=where)
        return level
    if metric == "circuit_open":
        return 0.0
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Invalid(f"threshold: expected a number, got {value!r}", where=where) from None
    if metric == "overdue_cases":
        if number < 0 or number != int(number):
            raise Invalid(f"threshold: expected a whole number of cases, got {value!r}", where=where)
        return number
    if metric == "spend":
        if number < 0 or math.isinf(number) or math.isnan(number):
            raise Invalid(f"threshold: expected an amount of money, 0 or more, got {value!r}", where=where)
        return number
    if not 0 <= number <= 100:
        raise Invalid(f"threshold: a rate is a percentage from 0 to 100, got {value!r}", where=where)
    return number


@dataclass(frozen=True)
class Observed:
    """What was seen of one subject over a rule's window: `hits` of `base` for a rate; `state` (Meta's last
    event on a number, or whether a circuit is open) or `count` (cases overdue) otherwise."""

    subject: str  # "campaign 12", "account gateway", "workspace"
    base: int = 0
    hits: int = 0
    state: str | None = None
    count: int = 0
    amount: float = 0.0  # money spent over the window, in the currency `state` names


@dataclass(frozen=True)
class Breach:
    rule: str
    subject: str
    value: float | str
    reason: str


def judge(rule: Rule, seen: Observed) -> Breach | None:
    """The breach of the rule by what was seen, with its reason; None when the rule holds (or there is too
    little to judge a rate by)."""
    if rule.metric in RATES:
        return _rate(rule, seen)
    if rule.metric == "circuit_open":
        if seen.state != "open":
            return None
        return Breach(rule.name, seen.subject, "open", f"{seen.subject}: circuit open — it keeps failing")
    if rule.metric == "whatsapp_quality":
        level = seen.state if seen.state in QUALITY else "OK"
        if QUALITY.index(level) < QUALITY.index(str(rule.threshold)):
            return None
        said = "its quality is low" if level == "FLAGGED" else "its messaging limit was lowered"
        return Breach(rule.name, seen.subject, level, f"{seen.subject}: Meta says {said} ({level})")
    if rule.metric == "spend":
        if seen.amount <= float(rule.threshold):
            return None
        said = f"spent {seen.amount:.2f} {seen.state or ''} over {rule.window_minutes} min".replace("  ", " ")
        return Breach(
            rule.name, seen.subject, round(seen.amount, 2), f"{seen.subject}: {said}, above {rule.threshold:g}"
        )
    if seen.count <= float(rule.threshold):
        return None
    return Breach(rule.name, seen.subject, seen.count, f"{seen.count} complaint case(s) past their deadline")


def _rate(rule: Rule, seen: Observed) -> Breach | None:
    if seen.base == 0 or seen.base < rule.min_volume:
        return None
    rate = 100.0 * seen.hits / seen.base
    limit = float(rule.threshold)
    below = RATES[rule.metric] == "below"
    if (rate >= limit) if below else (rate <= limit):
        return None
    what = rule.metric.replace("_", " ")
    said = f"{what} {rate:.1f}% ({seen.hits} of {seen.base}) is {RATES[rule.metric]} {limit:g}%"
    return Breach(rule.name, seen.subject, round(rate, 2), f"{seen.subject}: {said} over {rule.window_minutes} min")
