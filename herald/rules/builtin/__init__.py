"""Built-in rule families. Each module offers `DEFAULTS`, `check(params) -> params` (raises ValueError
naming the parameter) and `evaluate(recipient, intent, channel, params, now) -> RuleOutcome`. A module
that reads the recipient's past sends also offers `lookback(params) -> timedelta`: how far back it looks
from the moment it judges, so a planner can leave older sends out of what makes recipients alike. And
`READS` names the facts beyond the contact's own row that it reads (consents, suppressions, allow_list,
sends, lifecycle), so a planner gathers only those."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
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
    lookback: Callable[[Mapping[str, Any]], timedelta]
    reads: frozenset[str]  # the recipient's stored facts it reads beyond the contact row (see READS)


def _reads_no_sends(params: Mapping[str, Any]) -> timedelta:
    return timedelta(0)


RULES: dict[str, RuleType] = {
    m.NAME: RuleType(
        m.NAME,
        m.evaluate,
        m.DEFAULTS,
        m.check,
        m.SUMMARY,
        getattr(m, "lookback", _reads_no_sends),
        frozenset(getattr(m, "READS", ())),
    )
    for m in (
        consent,
        suppression,
        line_type,
        frequency,
        cadence,
        quiet_hours,
        send_window,
        whatsapp,
        whatsapp_limits,
        capacity,
    )
}
