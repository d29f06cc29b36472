"""Users: created, given roles, reset, disabled; and who they are when they act."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from herald.access import secrets, totp
from herald.access.actors import Actor
from herald.access.limits import locked_until
from herald.access.models import User, WebSession
from herald.access.permissions import catalog, may_grant
from herald.db import UnitOfWork, rowcount
from herald.errors import Conflict, Forbidden, Invalid

NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


def create_user(
    uow: UnitOfWork, name: str, role: str, password: str, now: datetime, *, by: Actor | None = None
) -> User:
    """A new user with a role; names are lower case letters, digits and . _ @ -."""
    name = _name(name)
    catalog().role(role)
    _may_grant(by, role)
    if uow.session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(name=name, role=role.lower(), password_hash=secrets.hash_password(password, name), created_at=now)
    user.failures = 0
    uow.session.add(user)
    uow.session.flush()
    uow.note(user=name, role=user.role)
    return user


def user(uow: UnitOfWork, name: str) -> User:
    """The user of this name, or NotFound."""
    return uow.named(User, name.strip().lower(), f"no user {name!r} (see `herald users list`)")


def users(uow: UnitOfWork) -> list[User]:
    return list(uow.session.scalars(select(User).order_by(User.name)))


def has_users(uow: UnitOfWork) -> bool:
    return bool(uow.session.scalar(select(func.count(User.id))))


def set_role(uow: UnitOfWork, name: str, role: str, *, by: Actor | None = None) -> User:
    """Give a user another role; only an owner makes or unmakes an owner, and the last owner stays one."""
    found, role = user(uow, name), role.lower()
    catalog().role(role)
    _may_grant(by, found.role)
    _may_grant(by, role)
    if found.role == "owner" and role != "owner":
        _keep_an_owner(uow, found)
    found.role = role
    uow.note(user=found.name, role=role)
    return found


def reset_password(uow: UnitOfWork, name: str, password: str, now: datetime, *, by: Actor | None = None) -> User:
    """A new password; the user's sessions end and a lock-out is lifted."""
    found = user(uow, name)
    _may_grant(by, found.role)
    found.password_hash = secrets.hash_password(password, found.name)
    found.failures, found.last_failure_at = 0, None
    end_sessions(uow, found, now)
    uow.note(user=found.name)
    return found


def set_disabled(uow: UnitOfWork, name: str, disabled: bool, now: datetime, *, by: Actor | None = None) -> User:
    """Disable a user (their sessions end at once) or enable them again."""
    found = user(uow, name)
    _may_grant(by, found.role)
    if disabled and found.role == "owner":
        _keep_an_owner(uow, found)
    found.disabled_at = now if disabled else None
    if disabled:
        end_sessions(uow, found, now)
    uow.note(user=found.name, disabled=disabled)
    return found


def end_sessions(uow: UnitOfWork, found: User, now: datetime) -> int:
    """Sign a user out everywhere: every session of theirs ends."""
    live = (WebSession.user_id == found.id) & WebSession.ended_at.is_(None)
    return rowcount(uow.session.execute(update(WebSession).where(live).values(ended_at=now)))


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused. It is returned, not raised, so that the count of failures it made is
    committed with it."""

    reason: str


def check_password(uow: UnitOfWork, name: str, password: str, now: datetime) -> User | Refusal:
    """The user whose name and password these are, counting failures and locking out repeated ones. A wrong
    name and a wrong password get the same answer, in the same time."""
    found = uow.session.scalar(select(User).where(User.name == name.strip().lower()))
    locked = found and locked_until(found.failures, found.last_failure_at)
    if locked and locked > now:
        return Refusal(f"too many wrong passwords; try again after {locked:%H:%M:%S} UTC")
    if not secrets.password_matches(found.password_hash if found else None, password) or found is None:
        if found is not None:
            found.failures, found.last_failure_at = found.failures + 1, now
        return Refusal("wrong name or password")
    if found.disabled_at is not None:
        return Refusal(f"user {found.name!r} is disabled")
    if secrets.needs_rehash(found.password_hash):
        found.password_hash = secrets.hash_password(password, found.name)
    return found


def check_code(found: User, code: str, now: datetime) -> Refusal | None:
    """Accept a user's second-factor code (when they have one), once; a wrong one counts as a failure."""
    if found.totp_secret is None:
        return None
    step = totp.accepted_step(found.totp_secret, code, now, found.totp_last_step)
    if step is None:
        found.failures, found.last_failure_at = found.failures + 1, now
        return Refusal("wrong or already used code from the authenticator app")
    found.totp_last_step = step
    return None


def enroll_totp(uow: UnitOfWork, name: str) -> str:
    """Turn on a second factor for a user: the otpauth:// address to show them once."""
    found = user(uow, name)
    found.totp_secret, found.totp_last_step = totp.new_secret(), None
    uow.note(user=found.name, second_factor=True)
    return totp.address(found.totp_secret, found.name)


def start_totp(uow: UnitOfWork, name: str) -> str:
    """Set up a second factor that takes effect once a code from it is shown (`confirm_totp`): the
    otpauth:// address for the user's app. Until then sign-in goes on as before."""
    found = user(uow, name)
    found.totp_pending = totp.new_secret()
    return totp.address(found.totp_pending, found.name)


def confirm_totp(uow: UnitOfWork, name: str, code: str, now: datetime) -> None:
    """Turn on the second factor set up, when the code shows the app holds it."""
    found = user(uow, name)
    if found.totp_pending is None:
        raise Conflict("no second factor is being set up; start again")
    step = totp.accepted_step(found.totp_pending, code, now, None)
    if step is None:
        raise Invalid("the code does not match; check the app's clock and try the next code", where="code")
    found.totp_secret, found.totp_pending, found.totp_last_step = found.totp_pending, None, step
    uow.note(user=found.name, second_factor=True)


def set_own_password(uow: UnitOfWork, found: User, password: str, now: datetime, keep: int | None) -> None:
    """A user's new password, chosen by themselves; their other sessions end (`keep`: this one stays)."""
    found.password_hash = secrets.hash_password(password, found.name)
    live = (WebSession.user_id == found.id) & WebSession.ended_at.is_(None)
    if keep is not None:
        live &= WebSession.id != keep
    uow.session.execute(update(WebSession).where(live).values(ended_at=now))
    uow.note(user=found.name)


def drop_totp(uow: UnitOfWork, name: str) -> None:
    found = user(uow, name)
    found.totp_secret = found.totp_last_step = None
    uow.note(user=found.name, second_factor=False)


def actor_of(found: User, origin: str, role: str | None = None) -> Actor:
    """The actor a signed-in or named user acts as: with their own role, or the one given (a workspace's)."""
    if found.disabled_at is not None:
        raise Forbidden(f"user {found.name!r} is disabled")
    role = role or found.role
    return Actor("user", found.name, catalog().role(role), origin, role=role, user_id=found.id)


def _name(name: str) -> str:
    cleaned = name.strip().lower()
    if not NAME.match(cleaned):
        raise Invalid("use 1 to 64 lower-case letters, digits and . _ @ - (a letter or digit first)", where="name")
    return cleaned


def _may_grant(by: Actor | None, role: str) -> None:
    if by is not None and not may_grant(by.role if by.kind == "user" else None, role):
        raise Forbidden(f"{by.label} may not make, change or disable an owner; only an owner may")


def _keep_an_owner(uow: UnitOfWork, found: User) -> None:
    owners = uow.session.scalar(
        select(func.count(User.id)).where(User.role == "owner", User.disabled_at.is_(None), User.id != found.id)
    )
    if not owners:
        raise Conflict(f"{found.name} is the last owner; make someone else an owner first")
