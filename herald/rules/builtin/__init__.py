"""Built-in rule families. Each module offers `DEFAULTS`, `check(params) -> params` (raises ValueError
naming the parameter) and `evaluate(recipient, intent, channel, params, now) -> RuleOutcome`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from herald.rules.builtin import (
    cadence,
    capacity,
    consent,
    frequency,
    line_type,
    quiet_hours,
    send_window,
    suppression,
    whatsapp,
    whatsapp_limits,
)


@dataclass(frozen=True)
class RuleType:
    name: str
    evaluate: Callable[..., Any]
    defaults: Mapping[str, Any]
    check: Callable[[dict[str, Any]], dict[str, Any]]
    summary: str


RULES: dict[str, RuleType] = {
    m.NAME: RuleType(m.NAME, m.evaluate, m.DEFAULTS, m.check, m.SUMMARY)
    for m in (consent, suppression, line_type, frequency, cadence, quiet_hours, send_window, whatsapp,
              whatsapp_limits, capacity)
}
