"""An import's row problems, handed back in row order. A million-row file can bring a hundred thousand of
them (every duplicate row is one), so past `LIMIT` they are sorted and spilled to temporary files, and
reading them merges those runs: memory stays flat however big the file."""

from __future__ import annotations

import heapq
import io
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from operator import itemgetter
from typing import IO, Any

LIMIT = 10_000
_row = itemgetter("row")


class Problems:
    """Problems ({row, field, value, reason}) as they are found; iterating gives them by row, those of one
    row in the order they were found."""

    def __init__(self, items: Iterable[dict[str, Any]] = (), limit: int = LIMIT) -> None:
        self.limit = limit
        self._held: list[dict[str, Any]] = []
        self._runs: list[IO[bytes]] = []
        self._count = 0
        self.extend(items)

    def append(self, problem: dict[str, Any]) -> None:
        self._held.append(problem)
        self._count += 1
        if len(self._held) >= self.limit:
            self._spill()

    def extend(self, problems: Iterable[dict[str, Any]]) -> None:
        for problem in problems:
            self.append(problem)

    def _spill(self) -> None:
        run = tempfile.TemporaryFile(prefix="herald-problems-")
        pickler = pickle.Pickler(run, protocol=pickle.HIGHEST_PROTOCOL)
        for problem in sorted(self._held, key=_row):
            pickler.dump(problem)
            pickler.clear_memo()
        run.flush()  # read back by pread, beneath the file object's buffer
        self._runs.append(run)
        self._held = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # Runs in the order they were spilled, the held ones last: heapq.merge keeps that order for a tie.
        return heapq.merge(*(_read(run) for run in self._runs), sorted(self._held, key=_row), key=_row)

    def __getitem__(self, index: int | slice):
        """The problem at a position by row (or a list of them, for a slice from the start onwards)."""
        if isinstance(index, slice):
            return list(islice(self, index.start, index.stop, index.step))
        if not 0 <= index < self._count:
            raise IndexError(f"problem {index} of {self._count}")
        return next(islice(self, index, None))

    def close(self) -> None:
        """Remove the spilled runs (they go anyway when the report is collected)."""
        for run in self._runs:
            run.close()
        self._runs, self._held, self._count = [], [], 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Problems | list):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Problems({self._count} found, {len(self._runs)} runs spilled)"


def _read(run: IO[bytes]) -> Iterator[dict[str, Any]]:
    """One spilled run from its start, streamed; each reading keeps its own position in the file, so runs
    can be read side by side and read again."""
    unpickler = pickle.Unpickler(io.BufferedReader(_Cursor(run.fileno())))
    while True:
        try:
            yield unpickler.load()
        except EOFError:
            return


class _Cursor(io.RawIOBase):
    """Reads a file from its own offset (pread), leaving the file's shared position alone."""

    def __init__(self, fd: int) -> None:
        self.fd, self.at = fd, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = os.pread(self.fd, len(buffer), self.at)
        buffer[: len(data)] = data
        self.at += len(data)
        return len(data)
