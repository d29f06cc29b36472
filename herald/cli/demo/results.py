"""The demo's last word: what the campaign achieved, as `herald reports results` shows it, and whether
any alert rule broke while it ran."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herald import analytics
from herald.campaigns import get_campaign

if TYPE_CHECKING:
    from herald.bootstrap import Container

STAGES = ("planned", "sent", "delivered", "clicked", "converted")


def results(container: Container, say) -> dict[str, Any]:
    """The demo campaign's funnel, its estimated cost, and the alerts the rules raised while it ran."""
    now = container.clock.now()
    with container.unaudited() as uow:
        found = analytics.results(uow.session, get_campaign(uow, 1), prices=container.prices())
        analytics.watch(uow, now, container.prices())
        # Every alert open now was raised while the demo ran (its database starts empty): by this look, or by
        # the worker's beat a moment before, while it sent the answers owed.
        raised = [f"alert {a.id} ({a.rule}): {a.reason} — {a.done}" for a in analytics.list_alerts(uow, "open")]
    funnel, cost = found["funnel"], found["cost"]
    say(
        "[bold]13. Results[/] "
        + " → ".join(f"{stage} {funnel[stage]}" for stage in STAGES)
        + f"; cost {cost['total']} {cost['currency']} by the example price table; "
        + (f"alerts: {'; '.join(raised)}" if raised else "every alert rule held")
    )
    return {"funnel": {s: funnel[s] for s in STAGES}, "cost": cost["total"], "alerts": raised}
