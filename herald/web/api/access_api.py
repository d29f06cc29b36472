"""`/api/v1/me`, `/api/v1/keys`, `/api/v1/users` and `/api/v1/audit`: who is calling, the keys and users an
admin manages, and the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from herald import access
from herald.access import (
    AuditFilter,
    AuditOut,
    ChainOut,
    KeyIn,
    KeyOut,
    NewKeyOut,
    UserChange,
    UserIn,
    UserOut,
    audit_entries,
    entry_data,
    key_view,
    user_view,
)
from herald.types import MAX_ID
from herald.web.auth import need
from herald.web.deps import ControlUnit, Unit

if TYPE_CHECKING:
    from herald.bootstrap import Container

Name = Annotated[str, Query(min_length=1, max_length=64)]


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["access"])

    @api.get("/keys", dependencies=[need("keys:manage")])
    def list_keys(unit: ControlUnit) -> list[KeyOut]:
        return [key_view(k, container.clock.now()) for k in access.keys(unit, container.workspace)]

    @api.post("/keys", status_code=201, dependencies=[need("keys:manage")])
    def create_key(unit: ControlUnit, body: KeyIn, request: Request) -> NewKeyOut:
        now = container.clock.now()
        until = now + timedelta(days=body.expires_in_days) if body.expires_in_days else None
        made = access.create_key(
            unit, body.name, body.scopes, request.state.actor, now, expires_at=until, workspace=container.workspace
        )
        return NewKeyOut(key=made.key, **key_view(made.row, now).model_dump())

    @api.delete("/keys/{name}", dependencies=[need("keys:manage")])
    def revoke_key(unit: ControlUnit, name: str) -> KeyOut:
        return key_view(
            access.revoke_key(unit, name, container.clock.now(), container.workspace), container.clock.now()
        )

    @api.get("/users", dependencies=[need("users:manage")])
    def list_users(unit: ControlUnit) -> list[UserOut]:
        return [user_view(u) for u in access.users(unit)]

    @api.post("/users", status_code=201, dependencies=[need("users:manage")])
    def create_user(unit: ControlUnit, body: UserIn, request: Request) -> UserOut:
        made = access.create_user(
            unit, body.name, body.role, body.password, container.clock.now(), by=request.state.actor
        )
        made.display_name = body.display_name
        return user_view(made)

    @api.patch("/users/{name}", dependencies=[need("users:manage")])
    def change_user(unit: ControlUnit, name: str, body: UserChange, request: Request) -> UserOut:
        found = access.user(unit, name)
        if body.role is not None:
            found = access.set_role(unit, name, body.role, by=request.state.actor)
        if body.disabled is not None:
            found = access.set_disabled(unit, name, body.disabled, container.clock.now(), by=request.state.actor)
        return user_view(found)

    @api.get("/audit", dependencies=[need("audit:read")])
    def audit(
        unit: Unit,
        actor: str | None = Query(None, max_length=128),
        action: str | None = Query(None, max_length=96, description="Actions starting with this."),
        since: datetime | None = None,
        until: datetime | None = None,
        refused: bool = False,
        limit: int = Query(100, ge=1, le=1000),
        before: int | None = Query(None, ge=1, le=MAX_ID, description="Entries older than this id (paging)."),
    ) -> list[AuditOut]:
        where = AuditFilter(actor=actor, action=action, since=since, until=until, refused=refused)
        return [AuditOut(**entry_data(e)) for e in audit_entries(unit, where, limit, before)]

    @api.get(
        "/audit/export",
        dependencies=[need("audit:read")],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    )
    def export(
        format: str = Query("csv", pattern="^(csv|jsonl)$", description="csv (formula-safe) or jsonl"),
        actor: str | None = Query(None, max_length=128),
        action: str | None = Query(None, max_length=96),
        since: datetime | None = None,
        until: datetime | None = None,
        refused: bool = False,
    ) -> StreamingResponse:
        """Every entry matching, oldest first, as a file."""
        where = AuditFilter(actor=actor, action=action, since=since, until=until, refused=refused)
        lines = access.export_lines(format, access.matching(container.unaudited, where))
        kind = "text/csv" if format == "csv" else "application/x-ndjson"
        name = f'attachment; filename="audit.{format}"'
        return StreamingResponse(lines, media_type=kind, headers={"content-disposition": name})

    @api.get("/audit/verify", dependencies=[need("audit:read")])
    def verify(unit: Unit) -> ChainOut:
        found = access.verify(unit)
        return ChainOut(
            entries=found.entries,
            head=found.head,
            intact=found.broken_at is None,
            broken_at=found.broken_at,
            reason=found.reason,
        )

    return api
