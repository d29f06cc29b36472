"""Who a command acts as, and whether they may run it.

`--as NAME` (or the `operator` setting) makes a command act as that Herald user, with their role's
permissions, each command needing the permission `access/commands.toml` gives it. Without one, the
command acts as the system user who runs it on the server — who holds the database itself — and is
recorded as `system:LOGIN`. Either way, every write the command makes is recorded in the audit log."""

from __future__ import annotations

import getpass
import socket
from typing import TYPE_CHECKING, Any

from typer._click.core import ParameterSource
from typer._click.globals import get_current_context

from herald import access
from herald.errors import Forbidden

if TYPE_CHECKING:
    from herald.bootstrap import Container

SUBJECTS = ("ref", "name", "campaign", "template", "contact_id", "keep", "job_id", "case_id")


def act(container: Container, name: str | None) -> None:
    """Resolve the actor of the running command, check its permission, and audit its writes."""
    ctx = get_current_context()
    path = ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ctx.command_path
    origin = f"cli {getpass.getuser()}@{socket.gethostname()}"
    if not name:
        actor = access.system_actor(getpass.getuser(), socket.gethostname())
    else:
        with container.control_uow() as uow:
            actor = access.member_actor(uow, access.user(uow, name), container.workspace, origin)
        _check(container, actor, path)
    subject = _subject(ctx.params, container.sealer.on)
    # The options given, not their values: values may be personal data the log must not outlive.
    given = sorted(k for k in ctx.params if ctx.get_parameter_source(k) == ParameterSource.COMMANDLINE)
    container.act_as(actor, f"cli {path}", subject, {"options": given})


def _check(container: Container, actor: access.Actor, path: str) -> None:
    needed = access.catalog().command(path)
    try:
        if needed is None:
            raise Forbidden(f"`herald {path}` runs only as the system user (it declares no permission)")
        actor.require(needed)
    except Forbidden as refused:
        with container.unaudited() as uow:
            access.append(uow, actor, f"cli {path}", container.clock.now(), outcome="refused", note=str(refused))
        raise


def _subject(params: dict[str, Any], sealed: bool = False) -> str | None:
    """What the command acts on, for the audit log; with personal data sealed at rest a contact named by
    phone or e-mail is not named there (the log outlives an erasure)."""
    for key in SUBJECTS:
        value = params.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            if sealed and key == "ref" and not (str(value).strip().isdigit() and len(str(value).strip()) <= 9):
                return "ref=(a phone or e-mail, sealed)"
            return f"{key}={value}"
    return None
