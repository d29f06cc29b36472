"""Alerts by e-mail: when an alert is raised, a notice for each address of the `alert_emails` setting is
queued in the same unit of work; the worker takes the notices due, sends each through the installation's
e-mail route, and records what the provider said — a notice it could not take is tried again with growing
waits, and given up after `ATTEMPTS`. The text is in Chinese and English."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from herald.analytics.models import Alert, AlertNotice
from herald.db import UnitOfWork, take_due

ATTEMPTS = 5
WAIT = timedelta(minutes=5)  # before the second try; doubled each time after
STUCK = timedelta(minutes=10)  # a notice taken by a worker that stopped is taken again after this


@dataclass(frozen=True)
class Notice:
    """A notice to send: its id, the address, and the mail."""

    id: int
    address: str
    subject: str
    body: str


def queue_notices(uow: UnitOfWork, alert: Alert, addresses: Sequence[str], now: datetime) -> int:
    """A notice of the alert for each address, sent by the worker."""
    for address in addresses:
        row = AlertNotice(alert_id=alert.id, address=address, status="pending", attempts=0, next_at=now, created_at=now)
        uow.session.add(row)
    return len(addresses)


def notices_due(uow: UnitOfWork, now: datetime, limit: int = 20) -> list[Notice]:
    """Take the notices due now, each by one worker alone (marked `sending` as it is read)."""
    rows = take_due(uow, AlertNotice, now, STUCK, limit, AlertNotice.id, AlertNotice.address, AlertNotice.alert_id)
    alerts = {a.id: a for a in uow.session.scalars(select(Alert).where(Alert.id.in_({r[2] for r in rows})))}
    return sorted((Notice(i, address, *mail(alerts[a])) for i, address, a in rows), key=lambda n: n.id)


def mail(alert: Alert) -> tuple[str, str]:
    """The notice's subject and text, in Chinese and English."""
    subject = f"[Herald] 告警 Alert: {alert.subject} — {alert.rule}"
    at = f"{alert.raised_at:%Y-%m-%d %H:%M} UTC"
    body = "\n".join(
        [
            f"告警 {alert.id}：{alert.subject}",
            f"规则 {alert.rule}（{alert.metric}）：{alert.reason}",
            f"处理：{alert.done or '仅通知'}",
            f"时间：{at}",
            "",
            f"Alert {alert.id}: {alert.subject}",
            f"Rule {alert.rule} ({alert.metric}): {alert.reason}",
            f"Done: {alert.done or 'notified'}",
            f"At: {at}",
            "",
            f"herald alerts ack {alert.id} / herald alerts resolve {alert.id}",
        ]
    )
    return subject, body


def notice_sent(uow: UnitOfWork, notice_id: int, provider: str, now: datetime) -> None:
    """The provider took the notice."""
    row = uow.session.get(AlertNotice, notice_id)
    if row is not None:
        row.status, row.sent_at, row.provider, row.error = "sent", now, provider, None
        row.attempts += 1


def notice_failed(uow: UnitOfWork, notice_id: int, error: str, again: bool, now: datetime) -> None:
    """The notice could not be sent: tried again later while attempts are left and it may succeed."""
    row = uow.session.get(AlertNotice, notice_id)
    if row is None:
        return
    row.attempts += 1
    row.error = error[:500]
    if again and row.attempts < ATTEMPTS:
        row.status, row.next_at = "pending", now + WAIT * 2 ** (row.attempts - 1)
    else:
        row.status = "failed"


class Notices:
    """The queue as the worker sees it (handed to it by bootstrap: the dispatch room sits below this one)."""

    due = staticmethod(notices_due)
    sent = staticmethod(notice_sent)
    failed = staticmethod(notice_failed)
