"""`/api/v1/me…` and `/api/v1/workspaces`: who is calling, where they may act; a signed-in user's own
password and second factor; the workspaces an admin makes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from herald import access
from herald.errors import Forbidden, Invalid
from herald.shapes import Shape
from herald.types import MAX_ID
from herald.web.auth import need, session_limits
from herald.web.deps import ControlUnit

if TYPE_CHECKING:
    from herald.bootstrap import Container


class PasswordIn(BaseModel):
    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=1, max_length=1024)


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=12, description="The six digits the authenticator app shows.")


class SetUp(Shape):
    address: str = Field(description="The otpauth:// address for the app (show it as a QR code); shown once.")


class Done(Shape):
    done: bool


class SessionOut(Shape):
    id: int
    created_at: datetime
    last_seen_at: datetime
    origin: str | None = Field(description="The address it signed in from.")
    user_agent: str | None
    current: bool = Field(description="The session of this request.")


class WorkspaceIn(BaseModel):
    name: str = Field(min_length=1, max_length=32)
    label: str | None = Field(None, max_length=128)


class WorkspaceOut(Shape):
    name: str
    role: str | None = Field(description="The caller's role there (a key: None).")


SessionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The session's id (GET /api/v1/me/sessions).")]


def router(container: Container) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["access"])

    @api.get("/me", dependencies=[need(None)])
    def me(request: Request, unit: ControlUnit) -> access.Me:
        """Who this key or session is, where it may act, with what permissions (and a session's CSRF token)."""
        actor: access.Actor = request.state.actor
        return access.Me(
            name=actor.name,
            kind=actor.kind,
            workspace=container.workspace,
            workspaces=access.workspaces_of(unit, actor),
            role=actor.role,
            permissions=sorted(actor.permissions),
            csrf_token=getattr(request.state, "csrf", None),
        )

    @api.post("/me/password", dependencies=[need(None)])
    def change_password(request: Request, body: PasswordIn, unit: ControlUnit) -> Done:
        """A signed-in user's new password; their other sessions end, this one stays."""
        found = _checked(request, body.current)
        access.set_own_password(
            unit, unit.session.merge(found), body.new, container.clock.now(), request.state.session_id
        )
        return Done(done=True)

    @api.post("/me/second-factor", dependencies=[need(None)])
    def start_second_factor(request: Request, unit: ControlUnit) -> SetUp:
        """Set up a second factor: scan the address, then confirm with a code from the app."""
        return SetUp(address=access.start_totp(unit, _user_name(request)))

    @api.post("/me/second-factor/confirm", dependencies=[need(None)])
    def confirm_second_factor(request: Request, body: CodeIn, unit: ControlUnit) -> Done:
        """Turn the second factor on with a code the app shows."""
        access.confirm_totp(unit, _user_name(request), body.code, container.clock.now())
        return Done(done=True)

    @api.get("/me/sessions", dependencies=[need(None)])
    def sessions(request: Request, unit: ControlUnit) -> list[SessionOut]:
        """Where the signed-in user is signed in: each live session, this one marked."""
        found = access.user(unit, _user_name(request))
        live = access.live_sessions(unit, found.id, container.clock.now(), session_limits(container))
        here = getattr(request.state, "session_id", None)
        return [
            SessionOut(
                id=s.id,
                created_at=s.created_at,
                last_seen_at=s.last_seen_at,
                origin=s.origin,
                user_agent=s.user_agent,
                current=s.id == here,
            )
            for s in live
        ]

    @api.delete("/me/sessions/{session_id}", dependencies=[need(None)])
    def end_session(request: Request, session_id: SessionId, unit: ControlUnit) -> Done:
        """Sign out one of one's own sessions (a browser left signed in elsewhere)."""
        found = access.user(unit, _user_name(request))
        access.end_session(unit, found.id, session_id, container.clock.now())
        return Done(done=True)

    @api.get("/workspaces", dependencies=[need(None)])
    def workspaces(request: Request, unit: ControlUnit) -> list[WorkspaceOut]:
        """The workspaces the caller may act in, with their role in each."""
        actor: access.Actor = request.state.actor
        names = access.workspaces_of(unit, actor)
        if actor.kind != "user":
            return [WorkspaceOut(name=n, role=None) for n in names]
        found = access.user(unit, actor.name)
        return [WorkspaceOut(name=n, role=access.role_in(unit, found, n)) for n in names]

    @api.post("/workspaces", status_code=201, dependencies=[need("users:manage")])
    def create_workspace(request: Request, body: WorkspaceIn, unit: ControlUnit) -> WorkspaceOut:
        """A new workspace, its database or schema made and migrated."""
        made = access.create_workspace(unit, body.name, container.clock.now(), request.state.actor, body.label)
        other = container.for_workspace(made.name)
        try:
            other.migrate_own()
        finally:
            other.close()
        return WorkspaceOut(name=made.name, role=request.state.actor.role)

    def _checked(request: Request, password: str) -> access.User:
        # The current password is checked in a unit of work of its own, so that a wrong one is counted
        # (and locks the account out like a wrong sign-in) even though this request fails.
        with container.control_uow() as uow:
            outcome = access.check_password(uow, _user_name(request), password, container.clock.now())
        if isinstance(outcome, access.Refusal):
            raise Forbidden(outcome.reason)
        return outcome

    return api


def _user_name(request: Request) -> str:
    actor: access.Actor = request.state.actor
    if actor.kind != "user":
        raise Invalid("only a signed-in user has a password and a second factor", where="session")
    return actor.name
