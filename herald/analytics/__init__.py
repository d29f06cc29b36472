"""Analytics room: the read side, and alerts that act. Reads campaigns and the outbox ledger to report
what was planned, sent, deferred and skipped, and why; owns `alert_rules` and `alerts`, raised by
`watch` from what the ledger shows and acted on through the campaigns and dispatch rooms' services; and
`tally_groups`, `tallied`, `tally_marks`: campaigns' figures kept per group as messages change."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.analytics.abtests.winners import judge_tests, test_verdict
    from herald.analytics.alerting.alerts import (
        acknowledge,
        alert_view,
        default_rules,
        list_alerts,
        remove_rule,
        resolve,
        rule_view,
        rules,
        save_rule,
        switch_rule,
        watch,
    )
    from herald.analytics.alerting.notices import Notices
    from herald.analytics.alerting.rules import ACTIONS as ALERT_ACTIONS
    from herald.analytics.alerting.rules import METRICS as ALERT_METRICS
    from herald.analytics.alerting.schemas import AlertOut, AlertRuleIn, AlertRuleOut, ResolveIn
    from herald.analytics.cli import quality_command
    from herald.analytics.models import Alert, AlertRuleRow
    from herald.analytics.reports.dashboard import overview, recent_sends, running
    from herald.analytics.reports.funnel import results
    from herald.analytics.reports.queries import campaign_report
    from herald.analytics.reviewing import review
    from herald.analytics.tallies.folding import fold_tallies

__all__ = [
    "ALERT_ACTIONS",
    "ALERT_METRICS",
    "acknowledge",
    "Alert",
    "AlertOut",
    "AlertRuleIn",
    "AlertRuleOut",
    "ResolveIn",
    "rule_view",
    "alert_view",
    "AlertRuleRow",
    "campaign_report",
    "default_rules",
    "list_alerts",
    "quality_command",
    "remove_rule",
    "resolve",
    "results",
    "review",
    "Notices",
    "fold_tallies",
    "overview",
    "recent_sends",
    "running",
    "judge_tests",
    "test_verdict",
    "rules",
    "save_rule",
    "switch_rule",
    "watch",
]
__getattr__ = open_door(__name__, __file__)
