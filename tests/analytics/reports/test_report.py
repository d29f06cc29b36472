"""The campaign report adds up to what the ledger holds."""

from __future__ import annotations

import asyncio

from herald.analytics.reports.queries import campaign_report
from herald.campaigns.service import get_campaign
from tests.conftest import NOW
from tests.scenario import plan, setup


def test_the_report_counts_audience_planned_sent_deferred_and_skipped(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    asyncio.run(container.worker().run(until_idle=True))
    with container.uow() as uow:
        report = campaign_report(uow.session, get_campaign(uow, cid), NOW)
    assert report["audience"] == 6
    assert report["planned"] == {"send_now": 2, "deferred": 2, "skipped": 2}
    assert report["sent"] == 2
    # 08:00 in Los Angeles (PDT since 8 March) and 08:00 in Shanghai.
    assert report["deferred"] == {
        "count": 2,
        "next": [
            {"until": "2026-03-10T15:00:00+00:00", "count": 1},
            {"until": "2026-03-11T00:00:00+00:00", "count": 1},
        ],
    }
    assert report["skipped_by_reason"] == {"consent": 2}
    assert report["failed_by_reason"] == {}
    assert sum(report["status"].values()) == report["audience"]
