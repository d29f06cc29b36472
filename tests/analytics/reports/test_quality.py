"""The data quality report, on SQLite and PostgreSQL, against a list whose every figure is known."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from herald import people
from herald.analytics.reports.quality import quality
from herald.contacts import service
from herald.contacts.models import Contact
from herald.outbox.models import Message
from herald.types import Channel
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup

SITA, RAM, GITA, WEI = "+9779841234567", "+9779851234567", "+9779861234567", "+8613800138000"


def test_every_figure_of_the_report(container, tmp_path) -> None:
    cid = setup(container, tmp_path)  # six contacts: three in Nepal, four with SMS consent, Gita's withdrawn
    plan(container, cid)
    sita, ram, gita, wei = (contact_id(container, p) for p in (SITA, RAM, GITA, WEI))
    later = NOW + timedelta(days=120)
    with container.uow() as uow:
        service.suppress(uow, Channel.SMS, GITA, "opt-out", NOW)
        people.erase_person(uow, ram, NOW, container.settings.secret_key)
        uow.session.execute(
            update(Message)
            .where(Message.contact_id == sita, Message.campaign_id == cid)
            .values(status="failed", reason="rejected")
        )
        for n in range(2):
            uow.session.add(
                Message(
                    idempotency_key=f"x{n}",
                    contact_id=sita,
                    purpose="marketing",
                    channel="sms",
                    address=SITA,
                    status="failed",
                    reason="rejected",
                    planned_action="send",
                    due_at=NOW,
                    attempts=1,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        uow.session.execute(
            update(Message)
            .where(Message.contact_id == wei, Message.campaign_id == cid)
            .values(status="sent", sent_at=later - timedelta(days=5))
        )
        uow.session.execute(update(Contact).where(Contact.id == gita).values(updated_at=later))
    with container.uow() as uow:
        report = quality(uow.session, later, failures=3)
    assert (report["contacts"], report["erased"], report["with_phone"], report["with_email"]) == (5, 1, 5, 1)
    assert report["reachable_share"] == 1.0
    assert report["by_region"] == {"NP": 2, "CN": 1, "NA": 1, "US": 1}
    assert report["by_line_type"] == {"mobile": 4, "fixed_line_or_mobile": 1}
    assert report["by_carrier"]["unknown"] == 1  # a US number names no carrier
    assert report["without_consent"] == {"sms": 1, "whatsapp": 5, "email": 1}  # Gita withdrew; nobody opted in
    assert report["suppressed"] == {"opt-out": 1, "erased": 2}  # Ram's number on SMS and WhatsApp
    # Everyone was added 120 days ago: Wei was reached lately and Gita was changed; the rest are stale.
    assert report["stale"] == {"days": 90, "contacts": 3}
    assert report["failing_repeatedly"] == {
        "at_least": 3,
        "addresses": 1,
        "worst": [{"channel": "sms", "address": SITA, "refused": 3, "suppressed": False}],
    }


def test_an_empty_list_has_no_share(container) -> None:
    with container.uow() as uow:
        report = quality(uow.session, NOW)
    assert report["contacts"] == 0 and report["reachable_share"] is None
