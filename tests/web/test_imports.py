"""An import started through the API runs in a process of its own: a reader that aborts ends that process,
and the server reports it."""

from __future__ import annotations

import os
from pathlib import Path

from herald import access
from herald.access import Actor
from herald.web.imports import run_isolated
from tests.conftest import NOW


def aborting_reader(settings, path, now, options, queue, audit) -> None:
    queue.put(("rows", 5))
    queue.close()
    queue.join_thread()  # the progress is out before the process dies
    os.abort()  # as a spreadsheet library does when it cannot allocate what a file asks for


def test_a_reader_that_aborts_ends_its_own_process_not_the_server(container, tmp_path: Path) -> None:
    seen: list[int] = []
    kind, reason = run_isolated(container.settings, tmp_path / "x.xlsx", NOW, {}, seen.append, target=aborting_reader)
    assert kind == "failed" and "exit code -6" in reason and "nothing was written" in reason
    assert seen == [5]  # progress came through before it died


def test_an_import_in_its_own_process_reports_what_it_did(container, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("phone,name\n+9779841234567,Sita\n+9779841234568,Ram\n", encoding="utf-8")
    rows: list[int] = []
    ada = Actor("user", "ada", frozenset(), "10.0.0.1", role="marketer")
    audit = {"actor": ada, "action": "api contacts.start_import", "subject": "file=c.csv"}
    kind, report = run_isolated(container.settings, path, NOW, {"default_region": None}, rows.append, audit=audit)
    assert kind == "done" and report["imported"] == 2 and sum(rows) == 2
    with container.unaudited() as uow:
        [entry] = access.entries(uow)
    assert (entry.actor, entry.action, entry.subject) == ("ada", "api contacts.start_import", "file=c.csv")


def test_uploads_never_imported_are_removed_after_a_day(tmp_path: Path) -> None:
    from herald.web.ui.importing import UPLOAD_KEPT, sweep

    now = 1_800_000_000.0
    for name, age in (("old", UPLOAD_KEPT + 60), ("fresh", UPLOAD_KEPT - 60)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "people.csv").write_text("phone\n+9779841234567\n")
        os.utime(folder, (now - age, now - age))
    assert sweep(tmp_path, now) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh"]
    assert sweep(tmp_path / "none", now) == 0  # no uploads yet
