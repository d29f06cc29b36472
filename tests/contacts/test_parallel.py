"""A big import parsed in worker processes reports and stores exactly what a serial one does, on SQLite
and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
from datetime import timedelta
from multiprocessing.reduction import ForkingPickler

from sqlalchemy import select

from herald.cli.demo.sample import write_csv
from herald.contacts.addresses.normalize import normalize_phone
from herald.contacts.importing import importer, parallel
from herald.contacts.models import Consent, Contact
from herald.contacts.service import ContactInput
from tests.conftest import NOW


def run(container, path, processes: int, dry_run: bool):
    with container.uow(dry_run=dry_run) as uow:
        report = importer.import_file(
            uow, path, NOW, processes=processes, dry_run=dry_run, erasure_key=container.settings.secret_key
        )
        stored = [
            tuple(r)
            for r in uow.session.execute(
                select(Contact.phone, Contact.email, Contact.name, Contact.line_type, Contact.attributes).order_by(
                    Contact.id
                )
            )
        ]
        consents = uow.session.scalars(
            select(Consent.channel + Consent.status)
            .join(Contact)
            .order_by(Contact.phone, Contact.email, Consent.channel)
        ).all()
    found = report.as_dict()
    for problem in found["problems"]:  # contact ids differ between runs where sequences do not roll back
        problem["reason"] = re.sub(r"\d+(, \d+)*\)|contact \d+", "<id>", problem["reason"])
    return found, stored, consents


def test_workers_change_nothing_but_the_speed(container, tmp_path, monkeypatch) -> None:
    path = tmp_path / "big.csv"
    write_csv(str(path), 3000)  # mixed formats, duplicates, invalid numbers
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for at in (2500, 1200, 100):  # blank lines, here and in the workers' part, are no rows
        lines[at:at] = ["\n", ",,,,,,\n", " , ,\n"]
    path.write_text("".join(lines), encoding="utf-8")
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


def test_an_item_crosses_from_a_worker_whole() -> None:
    item = ContactInput(
        row=7,
        phone=normalize_phone("+9779841234567", None),
        email="sita@example.com",
        name="Sita",
        external_id="c-7",
        timezone="Asia/Kathmandu",
        attributes={"city": "Pokhara"},
        consents={"sms": "granted"},
        evidence="form v2",
        consent_at=NOW - timedelta(days=1),
        consent_ip="203.0.113.9",
        consent_source="form",
        extension="12",
    )
    keys = item.keys()
    again = pickle.loads(ForkingPickler.dumps(item))
    assert again == item and again.keys() == keys and again.phone == item.phone
    assert again.__dict__ == item.__dict__  # every field, the worked-out keys included
