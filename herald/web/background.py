"""The API served in a thread of this process, for as long as a block runs: the demo hears the stand-ins'
receipts through it, as an installation hears its vendors' through `herald serve`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn

from herald.web.server import create_server

if TYPE_CHECKING:
    from herald.bootstrap import Container


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving_api(container: Container, port: int) -> Iterator[str]:
    """Serve the API on 127.0.0.1:`port` until the block ends; yields its address."""
    server = uvicorn.Server(uvicorn.Config(create_server(container), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="herald-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError(f"the API could not be served on 127.0.0.1:{port}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
