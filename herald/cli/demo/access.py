"""The demo's people: an owner, a marketer who writes the template and an approver who approves it (no one
approves their own words), and a key for a shop's system; at the end, the audit log of what they did."""

from __future__ import annotations

import secrets
from collections import Counter
from typing import TYPE_CHECKING, Any

from herald import access
from herald.errors import Invalid

if TYPE_CHECKING:
    from herald.bootstrap import Container

PEOPLE = (("ada", "owner"), ("maya", "marketer"), ("li", "approver"))


def people(container: Container, say) -> dict[str, access.Actor]:
    """Create the demo's users and a key; from here on the demo acts as the owner unless told."""
    now = container.clock.now()
    password = secrets.token_urlsafe(12)
    with container.uow() as uow:
        if access.has_users(uow):
            raise Invalid("the demo needs an empty database", where=container.settings.database_url)
        made = {name: access.create_user(uow, name, role, password, now) for name, role in PEOPLE}
        uow.flush()
        actors = {name: access.actor_of(user, "cli demo") for name, user in made.items()}
        access.create_key(uow, "shop-sync", ["events:write", "contacts:write"], actors["ada"], now)
    container.act_as(actors["ada"], "cli demo")
    say(
        "[bold]0. People[/] owner ada, marketer maya, approver li (password for all three: "
        f"{password}); API key shop-sync (events:write, contacts:write)"
    )
    return actors


def audit(container: Container, say) -> dict[str, Any]:
    """What the audit log holds after the demo, and whether its chain is whole."""
    with container.unaudited() as uow:
        entries = list(access.entries(uow))
        whole = access.verify(uow)
    by_actor = dict(Counter(e.actor for e in entries))
    say(
        f"[bold]12. Audit[/] {len(entries)} entries ("
        + ", ".join(f"{a}: {n}" for a, n in by_actor.items())
        + f"); hash chain {'intact' if whole.broken_at is None else 'BROKEN'}"
    )
    return {"entries": len(entries), "by_actor": by_actor, "intact": whole.broken_at is None}
