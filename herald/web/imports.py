"""File imports started through the API run in a process of their own: whatever a file does to the
reader — a spreadsheet library that aborts, memory it exhausts — ends that process, never the server.
The server's job thread follows the child's progress through a queue and reports how it ended."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from queue import Empty
from typing import Any

from herald.config import Settings
from herald.errors import Conflict, Invalid, NotFound

log = logging.getLogger("herald.imports")
POLL = 0.2  # seconds between looks at a child that sends nothing


def run_isolated(
    settings: Settings,
    path: Path,
    now: datetime,
    options: dict[str, Any],
    advance: Callable[[int], None],
    target: Callable[..., None] | None = None,
    audit: dict[str, Any] | None = None,
) -> tuple[str, Any]:
    """("done", the report as a dict) or ("failed", the reason); the import is one transaction in the child,
    so a child that dies wrote nothing. `audit` (actor, action, subject) records it in the audit log."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(
        target=target or _child, args=(settings, str(path), now, options, queue, audit or {}), daemon=True
    )
    child.start()
    try:
        while True:
            try:
                kind, value = queue.get(timeout=POLL)
            except Empty:
                if child.is_alive():
                    continue
                break
            if kind == "rows":
                advance(value)
            else:
                return kind, value
    finally:
        child.join(5)
    return "failed", (
        f"the import process stopped (exit code {child.exitcode}) while reading the file; nothing "
        "was written — check the file, or save it as CSV"
    )


def _child(settings: Settings, path: str, now: datetime, options: dict[str, Any], queue, audit: dict[str, Any]) -> None:
    from herald import bootstrap, contacts

    container = bootstrap.build(settings)
    try:
        with container.uow(**audit) as uow:
            report = contacts.import_file(
                uow,
                Path(path),
                now,
                progress=lambda n: queue.put(("rows", n)),
                erasure_key=settings.erasure_keys,
                **options,
            )
        queue.put(("done", report.as_dict()))
    except (Invalid, Conflict, NotFound) as exc:
        queue.put(("failed", str(exc)))
    except Exception as exc:  # reported by kind; the import was one transaction, so nothing was written
        log.exception("import of %s failed", path)
        queue.put(("failed", f"{type(exc).__name__}: the import stopped and wrote nothing"))
    finally:
        container.close()
