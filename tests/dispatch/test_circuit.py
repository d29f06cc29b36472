"""The circuit per provider account (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from herald.dispatch.circuit import CircuitPolicy, Health, after_batch

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
POLICY = CircuitPolicy(failures=5, open_for=timedelta(seconds=60), fatal_open_for=timedelta(minutes=15))
GW = Health("gateway")


@pytest.mark.parametrize(
    ("health", "accepted", "faults", "fatal", "expected"),
    [
        (GW, 10, 0, None, GW),  # all well
        (Health("gateway", 3, None, "HTTP 503"), 1, 2, None, GW),  # one got through: closed again
        (GW, 0, 0, None, GW),  # only recipients' refusals or slow-downs: nothing changes
        (GW, 0, 3, None, Health("gateway", 3, None, "HTTP 503")),
        (Health("gateway", 3, None, "x"), 0, 2, None, Health("gateway", 5, NOW + timedelta(seconds=60), "HTTP 503")),
        (GW, 4, 0, "20003: Authenticate", Health("gateway", 0, NOW + timedelta(minutes=15), "20003: Authenticate")),
    ],
)
def test_the_health_of_an_account_after_a_batch(health, accepted, faults, fatal, expected) -> None:
    assert after_batch(POLICY, health, accepted, faults, fatal, "HTTP 503", NOW) == expected


def test_an_open_circuit_is_tried_again_once_its_time_is_up() -> None:
    opened = Health("gateway", 5, NOW + timedelta(seconds=60), "HTTP 503")
    assert not opened.usable(NOW) and opened.state(NOW) == "open"
    later = NOW + timedelta(seconds=60)
    assert opened.usable(later) and opened.state(later) == "trying again"
    assert GW.usable(NOW) and GW.state(NOW) == "closed"
