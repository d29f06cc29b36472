"""k-means clusters over RFM and engagement become computed tags, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from herald.contacts.service import ContactInput, upsert_contacts
from herald.errors import Invalid
from herald.events.service import EventIn, record_events
from herald.scores import clusters
from herald.scores import service as scores
from herald.scores.models import ContactScore
from herald.tags.models import ContactTag, Tag
from tests.conftest import NOW

DAY = timedelta(days=1)


def seed(container) -> dict[str, set[int]]:
    """Four unmistakable groups of 12: loyal big spenders, lapsed one-timers, engaged and quiet non-buyers."""
    groups: dict[str, set[int]] = {}
    with container.uow() as uow:
        items = [ContactInput(row=i, email=f"c{i}@example.com") for i in range(48)]
        ids = [o.contact_id for o in upsert_contacts(uow, items, NOW - 400 * DAY, "test")]
        events = []
        for i, cid in enumerate(ids):
            kind = ("loyal", "lapsed", "engaged", "quiet")[i % 4]
            groups.setdefault(kind, set()).add(cid)
            if kind == "loyal":
                events += [
                    EventIn("purchase", NOW - (d * 7 + i % 3) * DAY, contact_id=cid, properties={"amount": 800 + i})
                    for d in range(1, 7)
                ]
            elif kind == "lapsed":
                events.append(EventIn("purchase", NOW - (250 + i) * DAY, contact_id=cid, properties={"amount": 20}))
            elif kind == "engaged":
                events += [EventIn("message.clicked", NOW - d * DAY, contact_id=cid) for d in range(1, 6)]
        record_events(uow, events, NOW)
        scores.compute(uow, NOW)
    return groups


def test_clusters_find_the_groups_and_name_them(container) -> None:
    groups = seed(container)
    with container.uow() as uow:
        found = {c["tag"]: c for c in clusters.cluster(uow, NOW, k=4)}
        members: dict[str, set[int]] = {}
        for name, cid in uow.session.execute(select(Tag.name, ContactTag.contact_id).join(ContactTag)):
            members.setdefault(name, set()).add(cid)
    expected = {
        "cluster:recent-repeat-high-value-buyers": groups["loyal"],
        "cluster:lapsed-one-time-low-value-buyers": groups["lapsed"],
        "cluster:engaged-non-buyers": groups["engaged"],
        "cluster:quiet-non-buyers": groups["quiet"],
    }
    assert members == expected
    assert found["cluster:engaged-non-buyers"]["profile"]["engagement"] == 5.0


def test_a_new_run_replaces_the_previous_clusters(container) -> None:
    seed(container)
    with container.uow() as uow:
        clusters.cluster(uow, NOW, k=4)
        again = clusters.cluster(uow, NOW, k=2)
        names = set(uow.session.scalars(select(Tag.name).where(Tag.kind == "computed")))
    assert names == {c["tag"] for c in again} and len(names) == 2


def test_clusters_need_scores_and_a_sensible_k(container) -> None:
    with container.uow() as uow, pytest.raises(Invalid, match="run `herald scores compute` first"):
        clusters.cluster(uow, NOW)
    with container.uow() as uow, pytest.raises(Invalid, match="k: expected 2 to 12"):
        clusters.cluster(uow, NOW, k=1)


def test_clusters_from_the_command_line(capsys, db_url, container) -> None:
    from tests.cli.test_cli import as_json

    seed(container)
    found = as_json(capsys, "--db", db_url, "--json", "scores", "cluster", "--k", "4")
    assert len(found) == 4 and sum(c["contacts"] for c in found) == 48  # the CLI's clock is today's
    for c in found:
        counted = as_json(capsys, "--db", db_url, "--json", "segments", "count", f'tag:"{c["tag"]}"')
        assert counted["count"] == c["contacts"]


def test_the_worker_redraws_clusters_after_the_daily_scores(container) -> None:
    seed(container)
    with container.uow() as uow:  # as if never scored: the worker's daily recompute is due
        uow.session.execute(delete(ContactScore))
    worker = container.worker()
    worker.clusters = 4
    worker.tick()
    assert any(e.startswith("clusters redrawn: cluster:") for e in worker.stats.events)
    with container.uow() as uow:
        assert len(list(uow.session.scalars(select(Tag.name).where(Tag.kind == "computed")))) == 4
