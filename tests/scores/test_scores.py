"""RFM quintiles and lifecycle stages on SQLite and PostgreSQL, checked against a Python computation on
random purchases; and segments that use them."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from herald.contacts.models import Contact
from herald.contacts.service import ContactInput, upsert_contacts
from herald.errors import Invalid
from herald.events.service import EventIn, record_events
from herald.scores import service as scores
from herald.scores.models import ContactScore
from herald.segments import queries
from herald.segments.dsl import ScoreTerm, parse
from tests.conftest import NOW


def ntile(values: list[tuple], buckets: int = 5) -> dict:
    """SQL's NTILE over values sorted ascending: the first len % buckets tiles get one row more."""
    ordered, out, start = sorted(values), {}, 0
    size, extra = divmod(len(ordered), buckets)
    for tile in range(1, buckets + 1):
        count = size + (1 if tile <= extra else 0)
        for value in ordered[start : start + count]:
            out[value[-1]] = tile
        start += count
    return out


def test_scores_and_stages_agree_with_python(container) -> None:
    rng = random.Random(4)
    with container.uow() as uow:
        ids = [
            o.contact_id
            for o in upsert_contacts(
                uow,
                [ContactInput(row=i, email=f"u{i}@example.com") for i in range(40)],
                NOW - timedelta(days=400),
                "test",
            )
        ]
        uow.session.execute(update(Contact).where(Contact.id.in_(ids[:5])).values(created_at=NOW - timedelta(days=3)))
        bought: dict[int, list] = {}
        events = []
        for cid in ids[5:]:
            for _ in range(rng.choice([0, 1, 1, 2, 3, 6])):
                at, amount = NOW - timedelta(days=rng.randint(1, 300)), rng.randint(5, 500)
                bought.setdefault(cid, []).append((at, amount))
                events.append(EventIn("purchase", at, contact_id=cid, properties={"amount": amount}))
        record_events(uow, events, NOW)
        counts = scores.compute(uow, NOW)
        found = {s.contact_id: s for s in uow.session.scalars(select(ContactScore))}
    last = {c: max(a for a, _ in b) for c, b in bought.items()}
    r = ntile([(last[c], c) for c in bought])
    f = ntile([(len(b), c) for c, b in bought.items()])
    m = ntile([(float(sum(x for _, x in b)), c) for c, b in bought.items()])
    for cid in ids:
        got = found[cid]
        assert (got.r, got.f, got.m) == (r.get(cid), f.get(cid), m.get(cid)), cid
        days = (NOW - last[cid]).days if cid in last else None
        expected = (
            "new"
            if cid in ids[:5]
            else "potential"
            if days is None
            else "active"
            if days <= 90
            else "dormant"
            if days <= 180
            else "churned"
        )
        assert got.stage == expected, (cid, days)
    assert sum(counts.values()) == 40 and counts["new"] == 5
    with container.uow() as uow:
        for text in ("rfm.r >= 4", "rfm.m < 2 and stage:churned", "stage:active or rfm.f = 5", "not rfm.r >= 1"):
            node = parse(text)
            want = sorted(c for c in ids if _brute(node, found[c]))
            assert list(uow.session.scalars(queries.audience_select(uow.session, text, NOW))) == want, text
        assert sum(c["contacts"] for c in scores.rfm_grid(uow)) == len(bought)


def _brute(node, score: ContactScore) -> bool:
    from herald.segments.compile import COMPARE
    from herald.segments.dsl import And, Not, Or, Term

    if isinstance(node, ScoreTerm):
        value = getattr(score, node.score)
        return value is not None and COMPARE[node.op](value, node.value)
    if isinstance(node, Term):
        return score.stage == node.value
    if isinstance(node, Not):
        return not _brute(node.item, score)
    if isinstance(node, And):
        return all(_brute(i, score) for i in node.items)
    assert isinstance(node, Or)
    return any(_brute(i, score) for i in node.items)


def test_thresholds_must_make_sense() -> None:
    with pytest.raises(Invalid, match="active_days < churn_days"):
        scores.Thresholds(30, 200, 100)


def test_the_worker_recomputes_daily(container) -> None:
    with container.uow() as uow:
        upsert_contacts(uow, [ContactInput(row=1, email="a@example.com")], NOW, "test")
    worker = container.worker()
    worker.tick()
    assert any("scores recomputed: new 1" in e for e in worker.stats.events)
    worker.tick()  # not again within the day
    assert sum("scores recomputed" in e for e in worker.stats.events) == 1


def test_money_counts_numbers_and_numeric_text_only(container) -> None:
    """An amount that is not a number (a typo, a flag) adds nothing on either database, and breaks nothing."""
    with container.uow() as uow:
        (cid,) = [o.contact_id for o in upsert_contacts(uow, [ContactInput(row=0, email="m@example.com")], NOW, "t")]
        amounts = [12, 2.5, "250", "lots", True, None, "1,000", {"value": 3}]
        record_events(
            uow,
            [
                EventIn("purchase", NOW - timedelta(days=i + 1), contact_id=cid, properties={"amount": a})
                for i, a in enumerate(amounts)
            ],
            NOW,
        )
        scores.compute(uow, NOW)
        spent, n = uow.session.execute(select(ContactScore.spent, ContactScore.purchases)).one()
    assert (spent, n) == (264.5, len(amounts))
