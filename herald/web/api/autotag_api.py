"""`/api/v1/tag-rules`: automatic tag rules — save (a new version each change), dry run, back-fill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body

from herald import autotag
from herald.autotag import (
    DEFINITION,
    Applied,
    Definition,
    DryRun,
    RuleDeleted,
    RuleDetail,
    RuleOut,
    SavedRule,
    TagRule,
    VersionOut,
)
from herald.web.auth import need
from herald.web.deps import Unit

if TYPE_CHECKING:
    from herald.bootstrap import Container


def _rule(rule: TagRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "version": rule.version,
        "enabled": rule.enabled,
        "definition": rule.definition,
        "updated_at": rule.updated_at,
        "updated_by": rule.updated_by,
    }


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1/tag-rules", tags=["tag rules"])

    @api.get("", dependencies=[need("tags:read")])
    def list_rules(unit: Unit) -> list[RuleOut]:
        return [RuleOut(**_rule(r)) for r in autotag.list_rules(unit)]

    @api.post("/dry-run", dependencies=[need("tags:read")])
    def dry_run(unit: Unit, definition: Annotated[Definition, Body(description=DEFINITION.description)]) -> DryRun:
        """What a definition would change over history, writing nothing."""
        return DryRun(**autotag.dry_run(unit, definition, container.clock.now()))

    @api.put("/{name}", dependencies=[need("tags:write")])
    def save(
        unit: Unit,
        name: str,
        definition: Annotated[Definition, Body(description=DEFINITION.description)],
        by: str = "api",
        backfill: bool = False,
    ) -> SavedRule:
        """Create or change a rule (a changed definition is a new version); `backfill` applies it over history."""
        now = container.clock.now()
        saved = _rule(autotag.save_rule(unit, name, definition, by, now))
        applied = Applied.model_validate(autotag.backfill(unit, name, now)) if backfill else None
        return SavedRule(**saved, backfill=applied)

    @api.get("/{name}", dependencies=[need("tags:read")])
    def show(unit: Unit, name: str) -> RuleDetail:
        versions = [
            VersionOut(version=v.version, definition=v.definition, saved_at=v.saved_at, saved_by=v.saved_by)
            for v in autotag.history(unit, name)
        ]
        return RuleDetail(**_rule(autotag.get_rule(unit, name)), versions=versions)

    @api.post("/{name}/backfill", dependencies=[need("tags:write")])
    def backfill(unit: Unit, name: str) -> Applied:
        return Applied(**autotag.backfill(unit, name, container.clock.now()))

    @api.post("/{name}/enabled", dependencies=[need("tags:write")])
    def enable(unit: Unit, name: str, enabled: Annotated[bool, Body(embed=True)]) -> RuleOut:
        return RuleOut(**_rule(autotag.set_enabled(unit, name, enabled)))

    @api.delete("/{name}", dependencies=[need("tags:write")])
    def delete(unit: Unit, name: str) -> RuleDeleted:
        autotag.delete_rule(unit, name)
        return RuleDeleted(name=name, deleted=True)

    return api
