"""The outbox as queue and ledger: idempotent enqueue, one-statement claims, leases, fencing, crashes."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from herald.contacts.models import Contact
from herald.outbox import service as outbox
from herald.outbox.models import Message
from tests.conftest import NOW

LEASE = timedelta(minutes=2)


def contacts(container, n: int) -> list[int]:
    with container.uow() as uow:
        rows = [
            Contact(name=f"c{i}", phone=f"+97798410000{i:02d}", attributes={}, created_at=NOW, updated_at=NOW)
            for i in range(n)
        ]
        uow.session.add_all(rows)
        uow.flush()
        return [r.id for r in rows]


def row(contact_id: int, key: str, due=NOW, status="queued") -> dict:
    return {
        "idempotency_key": key,
        "campaign_id": 1,
        "contact_id": contact_id,
        "template_id": 1,
        "purpose": "marketing",
        "channel": "sms",
        "address": "+9779841000000",
        "status": status,
        "planned_action": "send",
        "reason": None,
        "due_at": due,
        "attempts": 0,
        "created_at": NOW,
        "updated_at": NOW,
    }


def enqueue(container, rows) -> int:
    with container.uow() as uow:
        return outbox.enqueue(uow, rows)


def claim(container, n: int, at=NOW):
    with container.uow() as uow:
        return outbox.claim_batch(uow, n, at, LEASE)


def status_of(container, message_id: int) -> str:
    with container.uow() as uow:
        return uow.session.scalar(select(Message.status).where(Message.id == message_id))


def test_enqueue_is_idempotent_by_key(container) -> None:
    ids = contacts(container, 3)
    assert enqueue(container, [row(i, f"k{i}") for i in ids]) == 3
    assert enqueue(container, [row(i, f"k{i}") for i in ids] + [row(ids[0], "new")]) == 1


def test_only_due_queued_rows_are_claimed_in_id_order(container) -> None:
    ids = contacts(container, 4)
    enqueue(
        container,
        [
            row(ids[0], "a"),
            row(ids[1], "b", due=NOW + timedelta(minutes=1)),
            row(ids[2], "c", status="skipped"),
            row(ids[3], "d"),
        ],
    )
    claimed = claim(container, 10)
    assert [c.contact_id for c in claimed] == [ids[0], ids[3]]
    assert len({c.token for c in claimed}) == 1
    assert claim(container, 10) == []  # claimed rows are not claimed twice while the lease holds
    later = claim(container, 10, at=NOW + timedelta(minutes=1))  # the first leases still hold
    assert [c.contact_id for c in later] == [ids[1]]


def test_the_batch_size_is_respected(container) -> None:
    ids = contacts(container, 5)
    enqueue(container, [row(i, f"k{i}") for i in ids])
    assert len(claim(container, 2)) == 2 and len(claim(container, 2)) == 2 and len(claim(container, 2)) == 1


def test_an_expired_claim_is_claimed_again_and_the_old_token_is_fenced_off(container) -> None:
    ids = contacts(container, 1)
    enqueue(container, [row(ids[0], "a")])
    first = claim(container, 1)[0]
    second = claim(container, 1, at=NOW + LEASE + timedelta(seconds=1))[0]
    assert second.id == first.id and second.token != first.token
    with container.uow() as uow:
        assert not outbox.mark_inflight(uow, first.id, first.token, "sms", "+1", "file", NOW)
        assert outbox.mark_inflight(uow, second.id, second.token, "sms", "+1", "file", NOW)
        assert not outbox.mark_sent(uow, first.id, first.token, "p-1", NOW)
        assert outbox.mark_sent(uow, second.id, second.token, "p-2", NOW)
    with container.uow() as uow:
        message = uow.session.get(Message, first.id)
        assert (message.status, message.provider_message_id, message.attempts) == ("sent", "p-2", 1)
        assert message.lease_token is None


def test_results_need_the_right_state(container) -> None:
    ids = contacts(container, 1)
    enqueue(container, [row(ids[0], "a")])
    c = claim(container, 1)[0]
    with container.uow() as uow:
        assert not outbox.mark_sent(uow, c.id, c.token, "p", NOW)  # never sent without going inflight
        assert outbox.mark_skipped(uow, c.id, c.token, "consent", [{"rule": "consent"}], NOW)
    assert status_of(container, c.id) == "skipped"


def test_retry_puts_the_message_back_for_later(container) -> None:
    ids = contacts(container, 1)
    enqueue(container, [row(ids[0], "a")])
    c = claim(container, 1)[0]
    with container.uow() as uow:
        outbox.mark_inflight(uow, c.id, c.token, "sms", "+1", "file", NOW)
        assert outbox.mark_retry(uow, c.id, c.token, NOW + timedelta(minutes=5), "429", NOW)
    assert claim(container, 1, at=NOW + timedelta(minutes=4)) == []
    assert len(claim(container, 1, at=NOW + timedelta(minutes=5))) == 1


def test_a_crash_while_inflight_is_requeued_only_where_resending_is_safe(container) -> None:
    ids = contacts(container, 2)
    enqueue(container, [row(ids[0], "a"), row(ids[1], "b")])
    a, b = claim(container, 2)
    with container.uow() as uow:
        outbox.mark_inflight(uow, a.id, a.token, "sms", "+1", "file", NOW)
        outbox.mark_inflight(uow, b.id, b.token, "sms", "+1", "twilio", NOW)
    with container.uow() as uow:
        assert outbox.reconcile_expired(uow, NOW + timedelta(seconds=30), {"file"}) == 0  # leases still hold
    with container.uow() as uow:
        assert outbox.reconcile_expired(uow, NOW + LEASE + timedelta(seconds=1), {"file"}) == 2
    assert status_of(container, a.id) == "queued"
    assert status_of(container, b.id) == "unknown"  # no blind duplicate: parked for a person


def test_two_workers_claiming_at_once_never_share_a_message(container) -> None:
    ids = contacts(container, 40)
    enqueue(container, [row(i, f"k{i}") for i in ids] * 1 + [row(ids[0], f"x{j}") for j in range(160)])
    barrier = threading.Barrier(4)
    results: list[list[int]] = [[] for _ in range(4)]

    def work(slot: int) -> None:
        barrier.wait()
        while batch := claim(container, 7):
            results[slot].extend(c.id for c in batch)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [m for r in results for m in r]
    assert len(claimed) == 200 and len(set(claimed)) == 200
