"""`herald providers status`: each account's circuit as the workers see it (it joins the providers group)."""

from __future__ import annotations

from typing import Any

import typer

from herald.console import JsonFlag, app_context, emit, table


def status_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Each provider account's health: closed, open (its traffic goes to the next account of its route)
    or trying again, with its faults in a row and the last one."""
    from herald.dispatch.circuit import Health
    from herald.dispatch.service import health_of

    container = app_context(ctx).container
    now = container.clock.now()
    with container.uow() as uow:
        found = health_of(uow.session)
    data: list[dict[str, Any]] = []
    for name, account in container.accounts.items():
        health = found.get(name, Health(name))
        data.append(
            {
                "account": name,
                "kind": account.kind,
                "state": health.state(now),
                "faults_in_a_row": health.failures,
                "open_until": health.open_until,
                "last_fault": health.reason,
            }
        )
    emit(ctx, json_out, data, lambda: _print(data))


def _print(data: list[dict[str, Any]]) -> None:
    rows = [
        [
            d["account"],
            d["kind"],
            d["state"],
            d["faults_in_a_row"],
            f"{d['open_until']:%Y-%m-%d %H:%M:%S} UTC" if d["open_until"] else "",
            d["last_fault"] or "",
        ]
        for d in data
    ]
    table(None, ["account", "kind", "circuit", "faults in a row", "open until", "last fault"], rows)


# The circuits are the dispatcher's, so this lives above the providers room and joins `herald providers`.
JOINS = {"providers": {"status": status_command}}
