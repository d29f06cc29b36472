"""File imports started through the API run in a process of their own: whatever a file does to the
reader — a spreadsheet library that aborts, memory it exhausts — ends that process, never the server.
The server's job thread follows the child's progress through a queue and reports how it ended."""

from __future__ import annotations

import logging
import multiprocessing
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING, Any

from herald.config import Settings
from herald.errors import Conflict, Invalid, NotFound

if TYPE_CHECKING:
    from herald.bootstrap import Container

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
            container.tag_imported(uow, report, now)
        queue.put(("done", report.as_dict()))
    except (Invalid, Conflict, NotFound) as exc:
        queue.put(("failed", str(exc)))
    except Exception as exc:  # reported by kind; the import was one transaction, so nothing was written
        log.exception("import of %s failed", path)
        queue.put(("failed", f"{type(exc).__name__}: the import stopped and wrote nothing"))
    finally:
        container.close()


class Jobs:
    """Imports started by this server, each run in a process of its own (`imports.run_isolated`): each is
    one transaction, so a job the server never finished wrote nothing and can simply be started again."""

    def __init__(self) -> None:
        # Random numbers, not 1, 2, 3…: a client still asking after a restart about a job of the server
        # before must get "not known", never a newer job that took the same number.
        self.ids = iter(lambda: secrets.randbelow(1 << 53) + 1, None)  # exact in a JavaScript number too
        self.state: dict[int, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def start(self, filename: str) -> int:
        job = next(self.ids)
        with self.lock:
            self.state[job] = {
                "id": job,
                "file": filename,
                "status": "queued",
                "rows_done": 0,
                "report": None,
                "error": None,
            }
        return job

    def get(self, job: int) -> dict[str, Any]:
        with self.lock:
            found = self.state.get(job)
            if found is None:
                raise NotFound(
                    f"import {job} is not known to this server (imports are all or nothing: if the "
                    "server restarted, nothing of it was written; start it again)"
                )
            return dict(found)

    def _set(self, job: int, **values: Any) -> None:
        with self.lock:
            self.state[job].update(values)

    def spawn(self, job: int, container: Container, path: Path, options: dict[str, Any], audit: dict[str, Any]) -> None:
        """Run the job in a thread of the server (the import itself in a process of its own)."""
        threading.Thread(target=self.run, args=(job, container, path, options, audit), daemon=True).start()

    def run(self, job: int, container: Container, path: Path, options: dict[str, Any], audit: dict[str, Any]) -> None:
        self._set(job, status="running")

        def advance(rows: int) -> None:
            with self.lock:
                self.state[job]["rows_done"] += rows

        try:
            kind, value = run_isolated(container.settings, path, container.clock.now(), options, advance, audit=audit)
        finally:
            path.unlink(missing_ok=True)
            if path.parent.is_dir() and not any(path.parent.iterdir()):
                path.parent.rmdir()  # the upload's own folder, empty once its file is read
        if kind == "done":
            self._set(job, status="done", report=value)
        else:
            self._set(job, status="failed", error=value)
