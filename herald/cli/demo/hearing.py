"""What the demo hears back from the stand-ins: receipts, replies with the opt-outs they caused, and clicks."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import func, select

from herald import bootstrap, tracking
from herald.contacts import Suppression
from herald.outbox import Message
from herald.tracking import ComplaintCase, InboundMessage, Reply
from herald.types import MessageStatus


def receipts(container: bootstrap.Container, vendors: Any, say) -> dict[str, dict[str, int]]:
    """Wait for the stand-ins' receipts to reach the API, apply the ones that beat their send results, and
    say how far each account's messages got."""
    deadline = time.monotonic() + 30  # a second or two, unless the machine is very busy
    while vendors.receipts_pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    container.worker().tick()
    with container.uow() as uow:
        rows = uow.session.execute(
            select(Message.provider, Message.delivery, func.count())
            .where(Message.status == MessageStatus.SENT)
            .group_by(Message.provider, Message.delivery)
        )
        found: dict[str, dict[str, int]] = {}
        for account, delivery, n in rows:
            found.setdefault(str(account), {})[str(delivery or "no receipt")] = n
    told = "; ".join(f"{a}: " + ", ".join(f"{k} {v}" for k, v in sorted(d.items())) for a, d in sorted(found.items()))
    say(f"[bold]9. Receipts[/] {told} (each vendor's status callbacks to Herald's API, verified)")
    return found


def replies(container: bootstrap.Container, vendors: Any, say) -> dict[str, Any]:
    """What people wrote back, what Herald read in it and did: opt-outs honoured, answers sent."""
    deadline = time.monotonic() + 30
    while vendors.receipts_pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    asyncio.run(container.worker().run(until_idle=True))  # the answers still owed: confirmations, HELP
    with container.uow() as uow:
        kinds = dict(
            uow.session.execute(select(InboundMessage.intent, func.count()).group_by(InboundMessage.intent)).all()
        )
        opted_out = uow.session.scalar(
            select(func.count()).select_from(Suppression).where(Suppression.reason == tracking.OPTED_OUT)
        )
        cases = uow.session.scalar(select(func.count()).select_from(ComplaintCase))
        answered = uow.session.scalar(select(func.count()).select_from(Reply).where(Reply.status == "sent"))
        clicks = tracking.engagement(uow.session, Message.campaign_id.is_not(None))["clicks"]
    found = {"by_intent": kinds, "opted_out": opted_out, "answered": answered, "complaint_cases": cases}
    said = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    say(
        f"[bold]10. Replies[/] {sum(kinds.values())} came in ({said}); {opted_out} opt-outs honoured "
        f"(suppressed, consent withdrawn, the reply kept as proof), {answered} answers sent, "
        f"{cases} complaint case(s) due within 24 h"
    )
    say(
        f"[bold]11. Clicks[/] {clicks['total']} by people on {clicks['unique']} messages' short links "
        f"({clicks['machine']} by machines — chat apps' previews, link scanners — not counted); forwarded: "
        f"{clicks['forward_coefficient']} more "
        "devices a clicked link"
    )
    return found | {"clicks": clicks}
