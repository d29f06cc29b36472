"""Parsing an import's rows on every core. Normalizing a phone number costs more than writing it, so once
a file proves big (SERIAL rows), chunks of rows go to worker processes while this one writes the batches
before them. Results come back in row order, and each chunk's problems join the report in that order, so
a parallel import reports exactly what a serial one does."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from herald.contacts.service import ContactInput

SERIAL = 20_000  # rows parsed here before workers pay for their start
CHUNK = 2_000
NICENESS = 10  # how much lower a worker's scheduling priority is than the writer's
IN_FLIGHT = 3  # chunks queued per worker: enough to keep them busy, few enough to keep memory flat
Parsed = tuple[int, ContactInput | None]

_worker: Any = None  # the Importer a worker parses with (set once per process)


def workers() -> int:
    """How many processes to parse in: every core, none where processes cannot be forked."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(1, min(8, os.cpu_count() or 1))


def parse_rows(
    importer: Any,
    rows: Iterable[tuple[int, list[str], dict | None]],
    columns: dict[int, str],
    width: int,
    processes: int | None = None,
    serial: int = SERIAL,
) -> Iterator[Parsed]:
    """(row number, item or None) for every non-blank row, counting rows and problems into the importer's
    report."""
    processes = workers() if processes is None else processes
    rows = iter(rows)
    done = 0
    for number, cells, marks in rows:
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        importer.report.rows += 1
        yield number, importer.parse(number, cells, columns, width, marks)
        done += 1
        if processes and done >= serial:
            yield from _in_workers(importer, rows, columns, width, processes)
            return


def _in_workers(importer: Any, rows: Iterator, columns: dict[int, str], width: int, processes: int) -> Iterator[Parsed]:
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_start, initargs=(importer, columns, width)) as pool:
        pending: deque = deque()
        for chunk in _chunks(rows):
            pending.append(pool.apply_async(_parse_chunk, (chunk,)))
            if len(pending) >= processes * IN_FLIGHT:
                yield from _merge(importer.report, pending.popleft().get())
        while pending:
            yield from _merge(importer.report, pending.popleft().get())


def _chunks(rows: Iterator) -> Iterator[list]:
    # Blank lines are left for the workers to skip and rows for them to count: this process paces an import.
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _start(importer: Any, columns: dict[int, str], width: int) -> None:
    global _worker
    _worker = (importer, columns, width)
    # The writer is what paces an import: where the workers and it share too few cores, the workers give
    # way (measured on two cores: a fifth more rows a second), and they still run ahead into the queue.
    os.nice(NICENESS)


def _parse_chunk(chunk: list) -> tuple[list[Parsed], list[dict], int]:
    """In a worker: the items of the chunk's rows (blank lines are no rows), with the problems and invalid
    rows found on the way."""
    importer, columns, width = _worker
    report = importer.report
    report.problems, report.counts["invalid"] = [], 0
    parsed = [
        (number, importer.parse(number, cells, columns, width, marks))
        for number, cells, marks in chunk
        if any(c.strip() for c in cells)
    ]
    return parsed, report.problems, report.counts["invalid"]


def _merge(report: Any, result: tuple[list[Parsed], list[dict], int]) -> list[Parsed]:
    parsed, problems, invalid = result
    report.rows += len(parsed)
    report.problems.extend(problems)
    report.counts["invalid"] += invalid
    return parsed
