"""The audience report on SQLite and PostgreSQL: tags, lifecycle, the RFM grid, regions and carriers."""

from __future__ import annotations

from datetime import timedelta

from herald.analytics.reports.audience import audience_report
from herald.events.service import EventIn, record_events
from herald.scores import service as scores
from herald.tags import service as tags
from tests.conftest import NOW
from tests.scenario import contact_id, setup

SITA = "+9779841234567"


def test_the_audience_in_figures(container, tmp_path, capsys) -> None:
    setup(container, tmp_path)
    sita = contact_id(container, SITA)
    with container.uow() as uow:
        tags.create_category(uow, "tier", NOW)
        tags.create_tag(uow, "gold", NOW, category="tier")
        tags.tag_contacts(uow, "gold", [sita], "ana", NOW)
        tags.tag_contacts(uow, "vip", [sita], "ana", NOW, NOW + timedelta(days=1))
        record_events(
            uow, [EventIn("purchase", NOW - timedelta(days=2), contact_id=sita, properties={"amount": 10})], NOW
        )
        scores.compute(uow, NOW + timedelta(days=60))
        report = audience_report(uow.session, NOW + timedelta(days=60))
    assert report["contacts"] == 6
    assert report["tags"] == [
        {"tag": "gold", "category": "tier", "contacts": 1},
        {"tag": "vip", "category": None, "contacts": 0},
    ]  # vip expired
    assert report["lifecycle"] == {"new": 0, "active": 1, "dormant": 0, "churned": 0, "potential": 5}
    assert report["rfm_grid"] == [{"r": 1, "f": 1, "contacts": 1}]
    assert report["by_region"] == {"NP": 3, "CN": 1, "NA": 1, "US": 1}
