"""A campaign's changes to its preset's rules, written `rule.param=value` (the CLI's --set, a line of the
wizard's box): values read as JSON when they parse (numbers, lists, true), else as text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from herald.errors import Invalid


def overrides_of(pairs: Mapping[str, str], where: str) -> dict[str, dict[str, Any]]:
    """`{"quiet_hours.start": "22:00"}` → `{"quiet_hours": {"start": "22:00"}}`; a key without a rule is refused."""
    overrides: dict[str, dict[str, Any]] = {}
    for key, raw in pairs.items():
        rule, dot, param = key.partition(".")
        if not dot or not rule or not param:
            raise Invalid(f"expected RULE.PARAM=VALUE, got {key!r}", where=where)
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        overrides.setdefault(rule, {})[param] = value
    return overrides


def lines_of(text: str, where: str) -> dict[str, str]:
    """A box of `KEY=VALUE` lines (blank ones skipped) as pairs, naming the line of a malformed one."""
    pairs = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise Invalid(f"line {number}: expected RULE.PARAM=VALUE, got {line.strip()!r}", where=where)
        pairs[key.strip()] = value.strip()
    return pairs
