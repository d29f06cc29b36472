"""`herald demo --serve`: the UI kept up over the demo's data, with a worker, until Ctrl-C."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import ExitStack

from herald import bootstrap
from herald.web import serving_api


def keep_serving(container: bootstrap.Container, herald: str, port: int, own_server: bool, say) -> None:
    """Keep the UI up over the demo's data, with a worker sending what is started from it, until Ctrl-C."""
    with ExitStack() as stack:
        if own_server:  # the installation's own providers: nothing was served during the demo
            stack.enter_context(serving_api(container, port))
        loop, worker = asyncio.new_event_loop(), container.worker()
        task = loop.create_task(worker.run(until_idle=False))  # hands back what it holds when cancelled
        thread = threading.Thread(target=run_until_cancelled, args=(loop, task), name="herald-worker", daemon=True)
        thread.start()
        say(
            f"\n[bold]The UI is up:[/] {herald}/signin — sign in as maya (marketer), li (approver) or ada "
            "(owner) with the password of step 0; in Chinese at "
            f"{herald}/signin?lang=zh-CN. A worker sends what you start. Ctrl-C stops."
        )
        try:
            while thread.is_alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            loop.call_soon_threadsafe(task.cancel)
            thread.join(10)


def run_until_cancelled(loop: asyncio.AbstractEventLoop, task: asyncio.Task) -> None:
    """Run the worker's task on its own loop, in this thread, until it ends or is cancelled."""
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass
    finally:
        loop.close()
