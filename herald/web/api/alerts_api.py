"""`/api/v1/alerts`: alerts raised by the rules (listed for the dashboard, acknowledged, resolved) and
`/api/v1/alert-rules`: the rules in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Query, Request

from herald import analytics
from herald.analytics import AlertOut, AlertRuleIn, AlertRuleOut, ResolveIn, rule_view
from herald.web.auth import need
from herald.web.deps import Unit

if TYPE_CHECKING:
    from herald.bootstrap import Container


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["alerts"])

    def who(request: Request) -> str:
        actor = getattr(request.state, "actor", None)
        return actor.label if actor is not None else "api"

    @api.get("/alerts", dependencies=[need("reports:read")])
    def list_alerts(
        unit: Unit, status: str | None = Query(None, description="open, acknowledged or resolved")
    ) -> list[AlertOut]:
        """Alerts, newest first."""
        return [AlertOut(**analytics.alert_view(a)) for a in analytics.list_alerts(unit, status)]

    @api.post("/alerts/{alert_id}/acknowledge", dependencies=[need("alerts:manage")])
    def acknowledge(unit: Unit, alert_id: int, request: Request) -> AlertOut:
        return AlertOut(
            **analytics.alert_view(analytics.acknowledge(unit, alert_id, who(request), container.clock.now()))
        )

    @api.post("/alerts/{alert_id}/resolve", dependencies=[need("alerts:manage")])
    def resolve(unit: Unit, alert_id: int, request: Request, body: ResolveIn | None = None) -> AlertOut:
        note = body.note if body else None
        done = analytics.resolve(unit, alert_id, who(request), container.clock.now(), note)
        return AlertOut(**analytics.alert_view(done))

    @api.get("/alert-rules", dependencies=[need("reports:read")])
    def list_rules(unit: Unit) -> list[AlertRuleOut]:
        return [AlertRuleOut(**rule_view(r, origin, active)) for r, origin, active in analytics.rules(unit)]

    @api.put("/alert-rules/{name}", dependencies=[need("alerts:manage")])
    def save_rule(unit: Unit, name: str, body: AlertRuleIn) -> AlertRuleOut:
        """Save a rule (a default's name replaces the default), checked."""
        table = body.model_dump(exclude_none=True)
        analytics.save_rule(unit, name, table, container.clock.now())
        found = next((r, o, a) for r, o, a in analytics.rules(unit) if r.name == name)
        return AlertRuleOut(**rule_view(*found))

    return api
