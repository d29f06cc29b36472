"""Serve a stand-in's aiohttp routes on a free loopback port, in a thread of its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from aiohttp import web


@contextmanager
def serving(add_routes: Callable[[web.Application], object], port: int = 0) -> Iterator[str]:
    """The base URL of an application with these routes, served until the block ends (on a free port
    unless one is named)."""
    loop = asyncio.new_event_loop()
    app = web.Application()
    add_routes(app)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", port)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]  # the port the system gave, when asked for any
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()
