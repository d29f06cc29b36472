"""Alerts that act. The rules in force are the defaults (`alerts.toml`) with the workspace's own saved
over them by name; `watch` judges each against what its window shows, raises one alert per rule and
subject while it stays open, acts on it — pausing the campaign or the provider account, with the reason —
and tells: an `alert.raised` event to the outbound webhooks, and the alert itself, listed for the
dashboard. People acknowledge and resolve alerts; a resolved one that breaks again is raised anew."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from herald import campaigns, dispatch, tracking
from herald.analytics.alerting import rules as alerting
from herald.analytics.alerting.notices import queue_notices
from herald.analytics.alerting.rules import Breach, Rule
from herald.analytics.alerting.watching import observe
from herald.analytics.models import Alert, AlertRuleRow
from herald.content import PriceTable
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid, NotFound

DEFAULTS = Path(__file__).with_name("alerts.toml")
STATUSES = ("open", "acknowledged", "resolved")


def default_rules() -> dict[str, dict[str, Any]]:
    """The rules every workspace starts with, as tables."""
    return tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))


def rules(uow: UnitOfWork) -> list[tuple[Rule, str, bool]]:
    """(rule, origin, active) of every rule: the defaults, and the workspace's own over them."""
    tables = {name: (table, "default", True) for name, table in default_rules().items()}
    for row in uow.session.scalars(select(AlertRuleRow).order_by(AlertRuleRow.name)):
        origin = "changed" if row.name in tables else "own"
        tables[row.name] = (row.definition or tables.get(row.name, ({}, "", True))[0], origin, row.active)
    return [(alerting.read_rule(name, table), origin, active) for name, (table, origin, active) in tables.items()]


def save_rule(uow: UnitOfWork, name: str, table: dict[str, Any], now: datetime) -> Rule:
    """Save a rule under its name (replacing a default of that name), after checking it."""
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise Invalid(f"expected letters, digits, - and _, at most 64, got {name!r}", where="alert rule name")
    rule = alerting.read_rule(name, table)
    row = uow.session.get(AlertRuleRow, name) or AlertRuleRow(name=name)
    row.definition, row.active, row.updated_at = dict(table), True, now
    uow.session.add(row)
    uow.note(rule=name)
    return rule


def switch_rule(uow: UnitOfWork, name: str, active: bool, now: datetime) -> None:
    """Switch a rule (one's own or a default) off or on again."""
    defaults = default_rules()
    row = uow.session.get(AlertRuleRow, name)
    if row is None and name not in defaults:
        raise NotFound(f"no alert rule {name!r}")
    if row is None:
        row = AlertRuleRow(name=name, definition=defaults[name])
        uow.session.add(row)
    row.active, row.updated_at = active, now
    uow.note(rule=name, active=active)


def remove_rule(uow: UnitOfWork, name: str) -> None:
    """Remove one's own rule, or put a changed default back as it was."""
    row = uow.session.get(AlertRuleRow, name)
    if row is None:
        raise NotFound(f"no saved alert rule {name!r} (a default is switched off with `alerts rules off`)")
    uow.session.delete(row)
    uow.note(rule=name)


def watch(uow: UnitOfWork, now: datetime, prices: PriceTable | None = None, emails: Sequence[str] = ()) -> list[str]:
    """Judge every active rule now (a spend budget by `prices`); raise, act on and tell of what broke (by
    webhook, and by e-mail to `emails`). Lines for the worker's log."""
    said = []
    for rule, _, active in rules(uow):
        if not active:
            continue
        for seen in observe(uow.session, rule, now, prices):
            breach = alerting.judge(rule, seen)
            if breach is not None:
                said.extend(_raise(uow, rule, breach, now, emails))
    return said


def _raise(uow: UnitOfWork, rule: Rule, breach: Breach, now: datetime, emails: Sequence[str] = ()) -> list[str]:
    kind, ref = _subject(rule, breach.subject)
    held = uow.session.scalar(
        select(Alert).where(
            Alert.rule == rule.name,
            Alert.subject_kind == kind,
            Alert.subject_ref == ref,
            Alert.status != "resolved",
        )
    )
    if held is not None:  # seen again while open: kept up to date, not raised twice
        held.seen_at, held.times, held.value, held.reason = now, held.times + 1, str(breach.value), breach.reason
        return []
    alert = Alert(
        rule=rule.name,
        metric=rule.metric,
        subject=breach.subject,
        subject_kind=kind,
        subject_ref=ref,
        value=str(breach.value),
        reason=breach.reason,
        action=rule.action,
        status="open",
        raised_at=now,
        seen_at=now,
        times=1,
    )
    alert.done = _act(uow, rule, alert, now)
    uow.session.add(alert)
    uow.flush()
    tracking.enqueue(uow, [_event(alert, rule)], now)
    queue_notices(uow, alert, emails, now)
    return [f"alert {alert.id} ({rule.label}): {breach.reason} — {alert.done}"]


def _subject(rule: Rule, subject: str) -> tuple[str, str | None]:
    """(kind, ref) of a subject as observed: "campaign Spring (12)" → ("campaign", "12")."""
    if rule.per == "campaign":
        return "campaign", subject.rsplit("(", 1)[1].rstrip(")")
    if rule.per == "account":
        return "account", subject.removeprefix("account ")
    return "workspace", None


def _act(uow: UnitOfWork, rule: Rule, alert: Alert, now: datetime) -> str:
    why = f"alert {rule.name}: {alert.reason}"
    if rule.action == "pause_campaign" and alert.subject_ref is not None:
        held = campaigns.pause_campaign(uow, int(alert.subject_ref), now, why)
        return f"campaign paused ({held} messages held)"
    if rule.action == "pause_account" and alert.subject_ref is not None:
        dispatch.pause_account(uow, alert.subject_ref, why, now)
        return f"account {alert.subject_ref} paused until resumed"
    return "notified"


def _event(alert: Alert, rule: Rule) -> dict[str, Any]:
    properties = {
        "alert_id": alert.id,
        "rule": rule.name,
        "label": rule.label,
        "metric": alert.metric,
        "subject": alert.subject,
        "value": alert.value,
        "reason": alert.reason,
        "done": alert.done,
    }
    return {"type": "alert.raised", "contact_id": None, "occurred_at": alert.raised_at, "properties": properties}


def list_alerts(uow: UnitOfWork, status: str | None = None, limit: int = 200) -> list[Alert]:
    """Alerts, newest first; by state when given."""
    if status is not None and status not in STATUSES:
        raise Invalid(f"expected one of {', '.join(STATUSES)}, got {status!r}", where="status")
    stmt = select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    return list(uow.session.scalars(stmt))


def acknowledge(uow: UnitOfWork, alert_id: int, who: str, now: datetime) -> Alert:
    """Someone has seen it and is on it."""
    alert = _alert(uow, alert_id)
    if alert.status != "open":
        raise Conflict(f"alert {alert_id} is {alert.status} already")
    alert.status, alert.acknowledged_by, alert.acknowledged_at = "acknowledged", who, now
    uow.note(alert=alert_id)
    return alert


def resolve(uow: UnitOfWork, alert_id: int, who: str, now: datetime, note: str | None = None) -> Alert:
    """Close it, with what was done; the rule raises a new alert if it breaks again."""
    alert = _alert(uow, alert_id)
    if alert.status == "resolved":
        raise Conflict(f"alert {alert_id} was resolved already")
    alert.status, alert.resolved_by, alert.resolved_at, alert.note = "resolved", who, now, note
    uow.note(alert=alert_id)
    return alert


def _alert(uow: UnitOfWork, alert_id: int) -> Alert:
    found = uow.session.get(Alert, alert_id)
    if found is None:
        raise NotFound(f"no alert {alert_id}")
    return found


def alert_view(alert: Alert) -> dict[str, Any]:
    """An alert as the CLI and the API show it."""
    keys = ("id", "rule", "metric", "subject", "value", "reason", "action", "done", "status", "times")
    found: dict[str, Any] = {k: getattr(alert, k) for k in keys}
    for moment in ("raised_at", "seen_at", "acknowledged_at", "resolved_at"):
        found[moment] = getattr(alert, moment)
    found.update(acknowledged_by=alert.acknowledged_by, resolved_by=alert.resolved_by, note=alert.note)
    found["emails"] = [
        {"address": n.address, "status": n.status, "attempts": n.attempts, "sent_at": n.sent_at, "error": n.error}
        for n in alert.notices
    ]
    return found


def rule_view(rule: Rule, origin: str, active: bool) -> dict[str, Any]:
    """A rule as the CLI and the API show it."""
    return {
        "name": rule.name,
        "label": rule.label,
        "metric": rule.metric,
        "per": rule.per,
        "threshold": rule.threshold,
        "window_minutes": rule.window_minutes,
        "min_volume": rule.min_volume,
        "action": rule.action,
        "origin": origin,
        "active": active,
        "watches": rule.describe(),
    }
