"""Alert rules, pure: reading a rule (and refusing one that is wrong, with the reason), and judging what
was observed over its window."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from herald.analytics.alerting import rules as alerting
from herald.analytics.alerting.rules import Observed, read_rule
from herald.errors import Invalid

FAILURES = read_rule("failures", {"metric": "failure_rate", "threshold": 20, "window_minutes": 30, "min_volume": 10})


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"metric": "failure_rate", "threshold": "20%"}, ("campaign", 20.0, 60, 50, "notify")),
        (
            {"metric": "delivery_rate", "threshold": 80, "per": "account", "action": "pause_account"},
            ("account", 80.0, 60, 50, "pause_account"),
        ),
        (
            {"metric": "optout_rate", "threshold": 0.5, "window_minutes": 1, "min_volume": 0},
            ("campaign", 0.5, 1, 0, "notify"),
        ),
        ({"metric": "circuit_open"}, ("account", 0.0, 60, 50, "notify")),
        (
            {"metric": "whatsapp_quality", "threshold": "flagged", "action": "pause_account"},
            ("account", "FLAGGED", 60, 50, "pause_account"),
        ),
        ({"metric": "overdue_cases", "threshold": 3}, ("workspace", 3.0, 60, 50, "notify")),
    ],
)
def test_a_rule_reads_with_its_defaults(table, expected) -> None:
    rule = read_rule("r", table)
    assert (rule.per, rule.threshold, rule.window_minutes, rule.min_volume, rule.action) == expected
    assert rule.label == "r"


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ({"metric": "failure_rate", "threshold": 20, "colour": "red"}, "unknown field(s) colour"),
        ({"metric": "bounce_rate", "threshold": 20}, "metric: expected one of"),
        ({"metric": "failure_rate", "threshold": 120}, "a rate is a percentage from 0 to 100, got 120"),
        ({"metric": "failure_rate", "threshold": -1}, "a rate is a percentage from 0 to 100"),
        ({"metric": "failure_rate", "threshold": "lots"}, "threshold: expected a number, got 'lots'"),
        ({"metric": "failure_rate"}, "threshold: expected a number, got None"),
        (
            {"metric": "failure_rate", "threshold": 5, "window_minutes": 0},
            "window_minutes: expected a whole number from 1",
        ),
        ({"metric": "failure_rate", "threshold": 5, "window_minutes": 2.5}, "window_minutes"),
        ({"metric": "failure_rate", "threshold": 5, "window_minutes": True}, "window_minutes"),
        ({"metric": "failure_rate", "threshold": 5, "min_volume": -3}, "min_volume"),
        (
            {"metric": "failure_rate", "threshold": 5, "per": "workspace"},
            "failure_rate is watched per campaign or account",
        ),
        ({"metric": "circuit_open", "per": "campaign"}, "circuit_open is watched per account, not 'campaign'"),
        ({"metric": "failure_rate", "threshold": 5, "action": "email"}, "action: expected one of notify"),
        (
            {"metric": "failure_rate", "threshold": 5, "per": "account", "action": "pause_campaign"},
            "pause_campaign needs a rule watched per campaign",
        ),
        (
            {"metric": "failure_rate", "threshold": 5, "action": "pause_account"},
            "pause_account needs a rule watched per account",
        ),
        ({"metric": "whatsapp_quality", "threshold": "OK"}, "expected FLAGGED or DOWNGRADE"),
        ({"metric": "overdue_cases", "threshold": 1.5}, "a whole number of cases"),
        ({"metric": "overdue_cases", "threshold": -1}, "a whole number of cases"),
    ],
)
def test_a_wrong_rule_is_refused_naming_it_and_the_field(table, error) -> None:
    with pytest.raises(Invalid, match="alert rule 'r'") as refused:
        read_rule("r", table)
    assert error in str(refused.value)


@pytest.mark.parametrize(
    ("rule", "seen", "breach"),
    [
        (
            FAILURES,
            Observed("campaign 1", base=100, hits=25),
            "campaign 1: failure rate 25.0% (25 of 100) is above 20% over 30 min",
        ),
        (FAILURES, Observed("campaign 1", base=100, hits=20), None),  # at the threshold: holds
        (FAILURES, Observed("campaign 1", base=9, hits=9), None),  # too few to judge
        (FAILURES, Observed("campaign 1"), None),
        (
            read_rule("d", {"metric": "delivery_rate", "threshold": 80, "min_volume": 0}),
            Observed("account gw", base=10, hits=7),
            "account gw: delivery rate 70.0% (7 of 10) is below 80% over 60 min",
        ),
        (
            read_rule("d", {"metric": "delivery_rate", "threshold": 80, "min_volume": 0}),
            Observed("account gw", base=10, hits=8),
            None,
        ),
        (
            read_rule("c", {"metric": "circuit_open"}),
            Observed("account gw", state="open"),
            "account gw: circuit open — it keeps failing",
        ),
        (read_rule("c", {"metric": "circuit_open"}), Observed("account gw", state="closed"), None),
        (
            read_rule("q", {"metric": "whatsapp_quality", "threshold": "FLAGGED"}),
            Observed("account wa", state="DOWNGRADE"),
            "account wa: Meta says its messaging limit was lowered (DOWNGRADE)",
        ),
        (
            read_rule("q", {"metric": "whatsapp_quality", "threshold": "FLAGGED"}),
            Observed("account wa", state="FLAGGED"),
            "account wa: Meta says its quality is low (FLAGGED)",
        ),
        (
            read_rule("q", {"metric": "whatsapp_quality", "threshold": "DOWNGRADE"}),
            Observed("account wa", state="FLAGGED"),
            None,
        ),
        (
            read_rule("q", {"metric": "whatsapp_quality", "threshold": "FLAGGED"}),
            Observed("account wa", state="UPGRADE"),
            None,
        ),
        (
            read_rule("o", {"metric": "overdue_cases", "threshold": 0}),
            Observed("workspace", count=2),
            "2 complaint case(s) past their deadline",
        ),
        (read_rule("o", {"metric": "overdue_cases", "threshold": 2}), Observed("workspace", count=2), None),
    ],
)
def test_what_was_seen_breaks_a_rule_or_not(rule, seen, breach) -> None:
    found = alerting.judge(rule, seen)
    assert (found and found.reason) == breach
    if found:
        assert (found.rule, found.subject) == (rule.name, seen.subject)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            {"metric": "failure_rate", "threshold": 20, "window_minutes": 30},
            "failure rate above 20% over 30 min (at least 50 messages), per campaign, then notify",
        ),
        (
            {"metric": "optout_rate", "threshold": 2, "min_volume": 0},
            "optout rate above 2% over 60 min, per campaign, then notify",
        ),
        (
            {"metric": "whatsapp_quality", "threshold": "FLAGGED", "action": "pause_account"},
            "WhatsApp number FLAGGED or worse, per account, then pause account",
        ),
        (
            {"metric": "overdue_cases", "threshold": 0},
            "more than 0 complaint case(s) overdue, per workspace, then notify",
        ),
        ({"metric": "circuit_open"}, "circuit open, per account, then notify"),
    ],
)
def test_a_rule_says_what_it_watches(table, words) -> None:
    assert read_rule("r", table).describe() == words


def test_the_default_rules_read() -> None:
    tables = tomllib.loads((Path(alerting.__file__).parent / "alerts.toml").read_text(encoding="utf-8"))
    rules = [read_rule(name, table) for name, table in tables.items()]
    assert {r.metric for r in rules} == set(alerting.METRICS) - {"spend"}  # a budget is the workspace's own


def test_a_spend_budget_reads_and_is_refused_when_it_is_not_money() -> None:
    rule = read_rule("budget", {"metric": "spend", "threshold": "250.5", "action": "pause_campaign"})
    assert (rule.per, rule.threshold, rule.action) == ("campaign", 250.5, "pause_campaign")
    assert rule.describe() == "spend above 250.5 over 60 min, per campaign, then pause campaign"
    for wrong in (-5, "inf", "nan"):
        with pytest.raises(Invalid, match="an amount of money, 0 or more"):
            read_rule("budget", {"metric": "spend", "threshold": wrong})
    with pytest.raises(Invalid, match="spend is watched per campaign, not 'account'"):
        read_rule("budget", {"metric": "spend", "threshold": 5, "per": "account"})


@pytest.mark.parametrize(
    ("seen", "reason"),
    [
        (
            Observed("campaign Sale (1)", amount=12.345, state="USD"),
            "campaign Sale (1): spent 12.35 USD over 60 min, above 10",
        ),
        (Observed("campaign Sale (1)", amount=12.0), "campaign Sale (1): spent 12.00 over 60 min, above 10"),
        (Observed("campaign Sale (1)", amount=10.0), None),
    ],
)
def test_spending_over_the_budget_breaks_the_rule(seen, reason) -> None:
    found = alerting.judge(read_rule("budget", {"metric": "spend", "threshold": 10}), seen)
    assert (found and found.reason) == reason
