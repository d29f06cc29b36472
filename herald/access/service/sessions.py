"""Sign-in sessions: a random token in an HTTP-only cookie, its hash and a CSRF token kept here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from herald.access import secrets
from herald.access.actors import Actor
from herald.access.limits import SessionLimits, session_ended
from herald.access.models import User, WebSession
from herald.access.service.users import Refusal, check_code, check_password
from herald.access.service.workspaces import member_actor
from herald.db import UnitOfWork
from herald.db.workspaces import DEFAULT
from herald.errors import NotFound, Unauthorized

SEEN_GRANULARITY = timedelta(minutes=1)  # last seen is written at most once a minute per session


@dataclass(frozen=True)
class Started:
    token: str  # for the cookie, never stored
    csrf: str
    user: User


@dataclass(frozen=True)
class Signed:
    actor: Actor
    csrf: str
    session_id: int


def sign_in(
    uow: UnitOfWork, name: str, password: str, code: str, now: datetime, origin: str, user_agent: str = ""
) -> Started | Refusal:
    """Check name, password and (when the user has one) the second factor; start a session. A refusal is
    returned (its failure count to be committed), not raised."""
    found = check_password(uow, name, password, now)
    if isinstance(found, Refusal):
        return found
    refused = check_code(found, code, now)
    if refused is not None:
        return refused
    found.failures, found.last_failure_at, found.signed_in_at = 0, None, now
    token, csrf = secrets.random_text(43), secrets.random_text(43)
    uow.session.add(
        WebSession(
            token_hash=secrets.digest(token),
            user_id=found.id,
            csrf_token=csrf,
            origin=origin[:128],
            user_agent=user_agent[:255] or None,
            created_at=now,
            last_seen_at=now,
        )
    )
    uow.note(user=found.name)
    return Started(token, csrf, found)


def session_actor(
    uow: UnitOfWork, token: str, now: datetime, limits: SessionLimits, origin: str, workspace: str = DEFAULT
) -> Signed:
    """Who a session cookie signs in, with their role in the workspace; Unauthorized saying why it no longer
    does, Forbidden when they do not belong to the workspace."""
    row = uow.session.scalar(select(WebSession).where(WebSession.token_hash == secrets.digest(token)))
    if row is None or row.ended_at is not None:
        raise Unauthorized("not signed in")
    ended = session_ended(row.created_at, row.last_seen_at, now, limits)
    if ended:  # over by its own times: refused on each use (nothing to write, the refusal rolls back)
        raise Unauthorized(ended)
    found = uow.session.get(User, row.user_id)
    if found is None or found.disabled_at is not None:
        raise Unauthorized("this user is disabled")
    if now - row.last_seen_at >= SEEN_GRANULARITY:
        row.last_seen_at = now
    return Signed(member_actor(uow, found, workspace, origin), row.csrf_token, row.id)


def sign_out(uow: UnitOfWork, token: str, now: datetime) -> None:
    row = uow.session.scalar(select(WebSession).where(WebSession.token_hash == secrets.digest(token)))
    if row is not None and row.ended_at is None:
        row.ended_at = now


def live_sessions(uow: UnitOfWork, user_id: int, now: datetime, limits: SessionLimits) -> list[WebSession]:
    """A user's sessions that still last, newest first: where and with what they signed in."""
    rows = uow.session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .order_by(WebSession.id.desc())
    )
    return [r for r in rows if session_ended(r.created_at, r.last_seen_at, now, limits) is None]


def end_session(uow: UnitOfWork, user_id: int, session_id: int, now: datetime) -> None:
    """End one of a user's own sessions (a browser left signed in elsewhere)."""
    row = uow.session.get(WebSession, session_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"no session {session_id} of yours")
    if row.ended_at is None:
        row.ended_at = now
    uow.note(session=session_id)
