"""A big import parsed in worker processes reports and stores exactly what a serial one does, on SQLite
and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import re

from sqlalchemy import select

from herald.cli.sample import write_csv
from herald.contacts import importer, parallel
from herald.contacts.models import Consent, Contact
from tests.conftest import NOW


def run(container, path, processes: int, dry_run: bool):
    with container.uow(dry_run=dry_run) as uow:
        report = importer.import_file(uow, path, NOW, processes=processes, dry_run=dry_run,
                                      erasure_key=container.settings.secret_key)
        stored = [tuple(r) for r in uow.session.execute(select(Contact.phone, Contact.email, Contact.name,
                                                               Contact.line_type, Contact.attributes)
                                                        .order_by(Contact.id))]
        consents = uow.session.scalars(select(Consent.channel + Consent.status).join(Contact)
                                       .order_by(Contact.phone, Contact.email, Consent.channel)).all()
    found = report.as_dict()
    for problem in found["problems"]:  # contact ids differ between runs where sequences do not roll back
        problem["reason"] = re.sub(r"\d+(, \d+)*\)|contact \d+", "<id>", problem["reason"])
    return found, stored, consents


def test_workers_change_nothing_but_the_speed(container, tmp_path, monkeypatch) -> None:
    path = tmp_path / "big.csv"
    write_csv(str(path), 3000)  # mixed formats, duplicates, invalid numbers
    monkeypatch.setattr(parallel, "SERIAL", 500)
    monkeypatch.setattr(parallel, "CHUNK", 300)
    serial = run(container, path, processes=0, dry_run=True)
    in_workers = run(container, path, processes=2, dry_run=True)
    assert serial == in_workers
    report = serial[0]
    assert report["rows"] == 3000 and report["invalid"] > 0 and report["duplicate"] > 0 and report["problems"]
    assert [p["row"] for p in report["problems"]] == sorted(p["row"] for p in report["problems"])


def test_a_machine_without_fork_parses_here(monkeypatch) -> None:
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert parallel.workers() == 0


def test_workers_give_way_to_the_writer() -> None:
    with multiprocessing.get_context("fork").Pool(1, initializer=parallel._start, initargs=(None, {}, 0)) as pool:
        worker = pool.apply(os.nice, (0,))
    assert worker == min(19, os.nice(0) + parallel.NICENESS)
