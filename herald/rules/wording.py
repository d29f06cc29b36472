"""Decisions in plain words, from a live Decision or from a stored trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MARKS = {"pass": "ok   ", "defer": "wait ", "skip": "no   "}


def headline(action: str, channel: str | None, when: str | None, reason: str | None = None) -> str:
    if action == "send":
        return f"Send on {channel} now."
    if action == "defer":
        return f"Send on {channel}, deferred until {when}."
    return f"Not sent: {reason or 'a rule said no'}."


def lines(trail: Iterable[Mapping[str, object]]) -> list[str]:
    """One line per rule outcome: mark, channel, rule and its sentence, the sentences in one column (as wide
    as the longest rule's name needs: a followed preset's rules are named `cn-sms.quiet_hours`)."""
    shown = list(trail)
    width = max([17, *(len(str(o["rule"])) for o in shown)]) + 1
    return [
        f"  {MARKS.get(str(o['verdict']), '?    ')}{o['channel']:<9}{o['rule']!s:<{width}}{o['detail']}" for o in shown
    ]


def explain(
    action: str, channel: str | None, when: str | None, trail: list[Mapping[str, object]], reason: str | None = None
) -> str:
    """A headline and the trail, ready to print."""
    if action == "skip":
        first = next((o for o in trail if o["verdict"] == "skip" and (reason is None or o["rule"] == reason)), None)
        reason = f"{first['rule']} — {first['detail']}" if first else reason
    return "\n".join([headline(action, channel, when, reason), *lines(trail)])
