"""Which row first brought a key (a phone, an email, an id), for a file of millions of rows.

Kept on disk, not in memory: a million-row file brings about 1.5 million keys, and even as flat arrays of
hashes they made the import's memory grow with the file. Each import has a private temporary SQLite
database (deleted when closed) holding each key's 64-bit hash as the row id of one table, with the row
number beside it; a batch of rows is answered with one lookup and one insert. Keys are compared by hash:
two different keys sharing all 64 bits would be taken for one (about one chance in 10^7 for a file of ten
million keys)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

LOOKUP = 5_000  # hashes a query (SQLite takes up to 32,766 parameters)


class SeenKeys:
    """Key hashes to the first row that brought them, for a file read from top to bottom."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self.size = 0

    @property
    def db(self) -> sqlite3.Connection:
        # Opened on first use; "" is SQLite's private temporary database, removed when it is closed.
        if self._db is None:
            # Two prepared statements kept, not the driver's 128: each batch's lookup has its own number of
            # placeholders, and a statement of thousands of them holds hundreds of KB inside SQLite.
            self._db = sqlite3.connect("", isolation_level=None, cached_statements=2)
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE seen (hash INTEGER PRIMARY KEY, row INTEGER NOT NULL)")
        return self._db

    def firsts(self, rows: Sequence[tuple[int, Sequence[int]]]) -> list[int | None]:
        """For each (row, key hashes) in file order: the earlier row that brought one of its keys (the first
        such key's), or None; every key not seen before is recorded for its row."""
        known = self._known({h for _, hashes in rows for h in hashes})
        fresh: dict[int, int] = {}
        answers: list[int | None] = []
        for row, hashes in rows:
            earlier = None
            for h in hashes:
                found = known.get(h)
                if found is None:
                    known[h] = fresh[h] = row
                elif earlier is None:
                    earlier = found
            answers.append(earlier)
        self.db.executemany("INSERT INTO seen (hash, row) VALUES (?, ?)", fresh.items())
        self.size += len(fresh)
        return answers

    def _known(self, hashes: set[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        if not self.size:
            return found
        wanted = list(hashes)
        for start in range(0, len(wanted), LOOKUP):
            chunk = wanted[start:start + LOOKUP]
            marks = ", ".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT hash, row FROM seen WHERE hash IN ({marks})", chunk))  # noqa: S608
        return found

    def __len__(self) -> int:
        return self.size

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
