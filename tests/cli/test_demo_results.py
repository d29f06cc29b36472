"""The demo's last word names every alert raised while it ran, also those the worker's beat raised before
the demo looked."""

from __future__ import annotations

from herald.analytics.models import Alert
from herald.cli.demo.results import results
from tests.conftest import NOW
from tests.scenario import setup


def _said(container) -> tuple[dict, list[str]]:
    lines: list[str] = []
    found = results(container, lambda text, **_: lines.append(text))
    return found, lines


def test_it_names_an_alert_the_worker_raised_before_it_looked(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.unaudited() as uow:
        alert = Alert(
            rule="optouts",
            metric="optout_rate",
            subject="campaign Sale (1)",
            subject_kind="campaign",
            subject_ref="1",
            value="0.021",
            reason="optout rate 2.1% is above 2% over 60 min",
            action="pause_campaign",
            done="campaign paused (3 messages held)",
            status="open",
            raised_at=NOW,
            seen_at=NOW,
        )
        uow.session.add(alert)
        uow.flush()
        number = alert.id
    found, lines = _said(container)
    named = f"alert {number} (optouts): optout rate 2.1% is above 2% over 60 min — campaign paused (3 messages held)"
    assert found["alerts"] == [named]
    assert lines[-1].endswith("alerts: " + named)


def test_it_says_every_rule_held_when_no_alert_is_open(container, tmp_path) -> None:
    setup(container, tmp_path)
    found, lines = _said(container)
    assert found["alerts"] == []
    assert lines[-1].endswith("every alert rule held")
