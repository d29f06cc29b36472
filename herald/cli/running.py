"""`herald worker` and `herald serve`: the two long-running processes, over one workspace or every one; and
`herald sandbox`, the vendors' stand-ins, which runs until stopped too."""

from __future__ import annotations

import asyncio
import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from herald.console import JsonFlag, app_context, emit, err, out
from herald.errors import Invalid

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


def sandbox(
    ctx: typer.Context,
    fail_rate: Annotated[float, typer.Option(min=0, max=1, help="Share of requests answered 5xx.")] = 0.0,
    throttle_rate: Annotated[float, typer.Option(min=0, max=1, help="Share answered 429 Retry-After.")] = 0.0,
    timeout_rate: Annotated[float, typer.Option(min=0, max=1, help="Share taken in and never answered.")] = 0.0,
    latency: Annotated[float, typer.Option(min=0, help="Seconds before every answer.")] = 0.0,
    gateway_port: Annotated[int, typer.Option(min=0, max=65535, help="0: any free port.")] = 8701,
    twilio_port: Annotated[int, typer.Option(min=0, max=65535, help="0: any free port.")] = 8702,
    aliyun_port: Annotated[int, typer.Option(min=0, max=65535, help="0: any free port.")] = 8703,
    whatsapp_port: Annotated[int, typer.Option(min=0, max=65535, help="0: any free port.")] = 8704,
    mail_port: Annotated[int, typer.Option(min=0, max=65535, help="SMTP; 0: any free port.")] = 8725,
    smpp_port: Annotated[int, typer.Option(min=0, max=65535, help="SMPP; 0: any free port.")] = 8775,
    herald_url: Annotated[
        str | None, typer.Option(help="Herald's public_url: where the WhatsApp and Aliyun stand-ins post receipts.")
    ] = None,
    replies_every: Annotated[
        int, typer.Option(min=0, help="One person in this many writes back (STOP, 退订, HELP, thanks…); 0: none.")
    ] = 0,
    clicks_every: Annotated[
        int, typer.Option(min=0, help="One message with a short link in this many has it followed; 0: none.")
    ] = 0,
    json_out: JsonFlag = False,
) -> None:
    """Local stand-ins for the vendors (a webhook gateway, Twilio, Aliyun, WhatsApp, a mail server, an SMSC)
    on 127.0.0.1, with faults on request; prints the herald.toml that points at them and serves until Ctrl-C."""
    from herald.sandbox import Faults, Ports, serve

    try:
        faults = Faults(fail_rate, throttle_rate, timeout_rate, latency)
    except ValueError as exc:
        raise Invalid(str(exc), where="sandbox") from None
    if herald_url is not None and not herald_url.startswith(("http://", "https://")):
        raise Invalid(
            f"expected an http(s) address like http://127.0.0.1:8000, got {herald_url!r}", where="--herald-url"
        )
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        ports = Ports(gateway_port, twilio_port, aliyun_port, whatsapp_port, mail_port, smpp_port)
        herald = herald_url.rstrip("/") if herald_url else None
        got = serve(faults, ports, stop, herald, replies_every, clicks_every)
    finally:
        signal.signal(signal.SIGTERM, previous)
    took = (
        f"Twilio took {got['twilio']}, Aliyun {got['aliyun']}, WhatsApp {got['whatsapp']}, the mail server "
        f"{got['mail']}, the SMSC {got['smpp']}, the gateway {got['gateway']}"
    )
    text = f"Sandbox stopped: {took}; {got['refused']} refused."
    emit(ctx, json_out, got, text)
