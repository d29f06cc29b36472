"""Workspaces and who belongs to them. The list lives in the control store; each workspace's data lives in
its own database or schema (`db.workspaces`), made and migrated by the caller."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from herald.access.actors import Actor
from herald.access.models import Membership, User, Workspace
from herald.access.permissions import catalog, may_grant
from herald.access.service.users import actor_of, user
from herald.db import UnitOfWork
from herald.db.workspaces import DEFAULT, checked_name
from herald.errors import Conflict, Forbidden, NotFound

EVERYWHERE = ("owner", "admin")  # the installation's owners and admins hold their role in every workspace


def create_workspace(uow: UnitOfWork, name: str, now: datetime, by: Actor, label: str | None = None) -> Workspace:
    """A new workspace in the list; its storage is made and migrated by the caller, in this order."""
    name = checked_name(name)
    if name == DEFAULT or uow.session.scalar(select(Workspace.id).where(Workspace.name == name)) is not None:
        raise Conflict(f"workspace {name!r} already exists")
    made = Workspace(name=name, label=label, created_at=now, created_by=by.label)
    uow.session.add(made)
    uow.session.flush()
    uow.note(workspace=name)
    return made


def workspace_names(uow: UnitOfWork) -> list[str]:
    """Every workspace: `default` first, then the others by name."""
    return [DEFAULT, *uow.session.scalars(select(Workspace.name).order_by(Workspace.name))]


def require_workspace(uow: UnitOfWork, name: str) -> str:
    """The workspace's checked name, or NotFound naming the ones there are."""
    name = checked_name(name)
    known = workspace_names(uow)
    if name not in known:
        raise NotFound(f"no workspace {name!r} (workspaces: {', '.join(known)})")
    return name


def add_member(uow: UnitOfWork, workspace: str, name: str, role: str, *, by: Actor | None = None) -> Membership:
    """Give a user a role in a workspace (a second call changes it)."""
    workspace, found, role = require_workspace(uow, workspace), user(uow, name), role.strip().lower()
    catalog().role(role)
    if by is not None and not may_grant(by.role if by.kind == "user" else None, role):
        raise Forbidden(f"{by.label} may not make an owner; only an owner may")
    if workspace == DEFAULT:
        raise Conflict("in the default workspace a user's role is their own (herald users set-role)")
    member = uow.session.scalar(
        select(Membership).where(Membership.user_id == found.id, Membership.workspace == workspace)
    )
    if member is None:
        member = Membership(user_id=found.id, workspace=workspace, role=role)
        uow.session.add(member)
    member.role = role
    uow.session.flush()
    uow.note(workspace=workspace, user=found.name, role=role)
    return member


def remove_member(uow: UnitOfWork, workspace: str, name: str) -> None:
    found = user(uow, name)
    uow.session.execute(delete(Membership).where(Membership.user_id == found.id, Membership.workspace == workspace))
    uow.note(workspace=workspace, user=found.name)


def role_in(uow: UnitOfWork, found: User, workspace: str) -> str | None:
    """The role a user acts with in a workspace: their own in `default` (and everywhere, for the
    installation's owners and admins), else their membership's; None when they do not belong."""
    if workspace == DEFAULT or found.role in EVERYWHERE:
        return found.role
    return uow.session.scalar(
        select(Membership.role).where(Membership.user_id == found.id, Membership.workspace == workspace)
    )


def members(uow: UnitOfWork, workspace: str) -> list[tuple[str, str]]:
    """(user, role) of everyone who acts in a workspace."""
    workspace = require_workspace(uow, workspace)
    everyone = uow.session.execute(select(User.name, User.role, User.id).order_by(User.name)).all()
    return [(n, r) for n, _, i in everyone if (r := role_in(uow, uow.session.get_one(User, i), workspace))]


def member_actor(uow: UnitOfWork, found: User, workspace: str, origin: str) -> Actor:
    """The actor a user is in a workspace, with their role there; Forbidden when they do not belong."""
    role = role_in(uow, found, workspace)
    if role is None:
        raise Forbidden(f"{found.name} is not a member of workspace {workspace!r}")
    return actor_of(found, origin, role)


def workspaces_of(uow: UnitOfWork, actor: Actor) -> list[str]:
    """The workspaces an actor may act in: a key its own, a user those they have a role in, the system all."""
    if actor.kind == "key":
        return [actor.workspace or DEFAULT]
    names = workspace_names(uow)
    if actor.kind != "user" or actor.user_id is None:
        return names
    found = uow.session.get_one(User, actor.user_id)
    return [n for n in names if role_in(uow, found, n) is not None]
