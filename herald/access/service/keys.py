"""API keys: created with scopes (printed once), listed with their last use, revoked at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from herald.access import secrets
from herald.access.actors import Actor
from herald.access.models import ApiKey
from herald.access.permissions import catalog
from herald.db import UnitOfWork
from herald.db.workspaces import DEFAULT
from herald.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized

USE_GRANULARITY = timedelta(minutes=1)  # last use is written at most once a minute per key


@dataclass(frozen=True)
class NewKey:
    key: str  # shown once, never stored
    row: ApiKey


def create_key(
    uow: UnitOfWork,
    name: str,
    scopes: list[str],
    by: Actor,
    now: datetime,
    *,
    expires_at: datetime | None = None,
    workspace: str = DEFAULT,
) -> NewKey:
    """A new key of one workspace, with scopes the creator holds themselves; the whole key is returned this
    once."""
    name = name.strip()
    if not name or len(name) > 64:
        raise Invalid("name the key in 1 to 64 characters (what uses it: 'shop-sync')", where="name")
    checked = catalog().scopes(scopes)
    beyond = [s for s in checked if not by.may(s)]
    if beyond:
        raise Forbidden(f"{by.label} may not give a key the {beyond[0]!r} scope they do not hold")
    if expires_at is not None and expires_at <= now:
        raise Invalid("the expiry must be in the future", where="expires")
    if uow.session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise Conflict(f"a key named {name!r} exists; revoke it or choose another name")
    key, prefix, digest = secrets.new_key()
    row = ApiKey(
        name=name,
        workspace=workspace,
        prefix=prefix,
        secret_hash=digest,
        scopes=list(checked),
        created_by=by.label,
        created_at=now,
    )
    row.expires_at = expires_at
    uow.session.add(row)
    uow.session.flush()
    uow.note(key=name, scopes=list(checked), workspace=workspace)
    return NewKey(key, row)


def keys(uow: UnitOfWork, workspace: str = DEFAULT) -> list[ApiKey]:
    """The keys of one workspace, by name."""
    return list(uow.session.scalars(select(ApiKey).where(ApiKey.workspace == workspace).order_by(ApiKey.name)))


def revoke_key(uow: UnitOfWork, name: str, now: datetime, workspace: str = DEFAULT) -> ApiKey:
    """Revoke a key of the workspace: the next request with it is refused."""
    row = uow.named(ApiKey, name.strip(), f"no API key {name!r} (see `herald keys list`)")
    if row.workspace != workspace:
        raise NotFound(f"no API key {name!r} in workspace {workspace!r}")
    if row.revoked_at is None:
        row.revoked_at = now
    uow.note(key=row.name)
    return row


def key_workspace(uow: UnitOfWork, prefix: str) -> str | None:
    """The workspace of the key with this prefix (None: no such key)."""
    return uow.session.scalar(select(ApiKey.workspace).where(ApiKey.prefix == prefix))


def key_actor(uow: UnitOfWork, presented: str, origin: str, now: datetime) -> Actor:
    """The actor a request's key stands for (with its workspace, which the caller holds it to);
    Unauthorized, saying why, for a key that is not good."""
    parts = secrets.split_key(presented)
    row = uow.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0])) if parts else None
    if row is None or parts is None or not secrets.same(secrets.digest(parts[1]), row.secret_hash):
        raise Unauthorized("the API key is not one Herald issued")
    if row.revoked_at is not None:
        raise Unauthorized(f"the API key {row.name!r} was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized(f"the API key {row.name!r} expired")
    if row.last_used_at is None or now - row.last_used_at >= USE_GRANULARITY:
        uow.session.execute(
            update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now, last_used_from=origin[:128])
        )
    return Actor("key", row.name, frozenset(row.scopes), origin, key_id=row.id, workspace=row.workspace)
