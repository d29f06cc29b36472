"""`herald worker` and `herald serve`: the two long-running processes, over one workspace or every one."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, Annotated

import typer

from herald.console import JsonFlag, app_context, emit, err, out

if TYPE_CHECKING:
    from herald import bootstrap


def worker(
    ctx: typer.Context,
    until_idle: Annotated[bool, typer.Option("--until-idle", help="Exit when nothing is due.")] = False,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Messages per batch.")] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=1000, help="Requests in flight to each HTTP vendor at once.")
    ] = 64,
    all_workspaces: Annotated[
        bool, typer.Option("--all-workspaces", help="Serve every workspace (else the one --workspace names).")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Send due messages: claim, re-check the rules, render, send, record."""
    container = app_context(ctx).container
    served = _served(container, all_workspaces)
    workers = [c.worker(batch_size, concurrency) for c in served]
    if not until_idle:
        err.print(f"Worker running for {', '.join(c.workspace for c in served)}; Ctrl-C or SIGTERM to stop.")
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop is a Ctrl-C
    try:
        asyncio.run(_run_all(workers, until_idle))
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        for other in served[1:]:
            other.close()
    stats = workers[0].stats
    for more in workers[1:]:
        stats = stats.plus(more.stats)
    emit(ctx, json_out, stats.as_dict(), lambda: _print_worker(stats))


def _served(container: bootstrap.Container, every: bool) -> list[bootstrap.Container]:
    """This workspace's container, and with --all-workspaces every other one's."""
    from herald import access

    if not every:
        return [container]
    with container.control_uow() as uow:
        names = [n for n in access.workspace_names(uow) if n != container.workspace]
    others = [container.for_workspace(n) for n in names]
    for other in others:
        other.check_sealing()  # each workspace with its own key file, or none
    return [container, *others]


async def _run_all(workers: list, until_idle: bool) -> None:
    await asyncio.gather(*(w.run(until_idle=until_idle) for w in workers))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _print_worker(stats) -> None:
    out.print(
        f"Worker: {stats.sent} sent, {stats.skipped} skipped at send time, {stats.deferred} deferred again, "
        f"{stats.retried} to retry, {stats.failed} failed."
    )
    if stats.settled:
        out.print(f"Settled: {stats.settled} left unknown were settled by asking the vendor's records.")
    if stats.fell_back:
        out.print(
            f"Fell back: {stats.fell_back} could not be reached on one channel and were decided again without it."
        )
    if stats.receipts:
        out.print(f"Receipts: {stats.receipts} read on a carrier's bind moved their messages forward.")
    if stats.paced:
        out.print(f"Paced: {stats.paced} held back for their accounts' rate or daily limit, queued for their moment.")
    if stats.handed_back:
        out.print(f"Stopped: {stats.handed_back} claimed messages were handed back to the queue unsent.")
    if stats.waiting_on_lease:
        out.print(
            f"{stats.waiting_on_lease} messages are held by another worker (or one that was killed) until "
            f"{stats.lease_until:%Y-%m-%d %H:%M:%S} UTC; they are retried when the lease runs out."
        )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="The interface to listen on: 0.0.0.0 for every one.")] = "127.0.0.1",
    port: int = 8000,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Proxies trusted to say the client's address and https (X-Forwarded-For/-Proto), comma-separated; "
            "set it to the TLS-terminating proxy's address."
        ),
    ] = None,
) -> None:
    """Serve the API, the sign-in page and the public endpoints (migrating an empty database first)."""
    # Imported here so that every other command starts without loading the web stack.
    import uvicorn

    from herald import access
    from herald.web import create_server

    container = app_context(ctx).container
    container.migrate()
    with container.control_uow() as uow:
        if not access.has_users(uow):
            err.print("No users yet: create the owner with `herald users create NAME --role owner`.")
    server = create_server(container)
    uvicorn.run(server, host=host, port=port, proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips)
