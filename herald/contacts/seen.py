"""Which row first brought a key (a phone, an email, an id), for a file of millions of rows.

A dict of a million-row file's keys holds two or three Python ints per row, about 100 bytes each; this
table holds the 64-bit hash and the row number in two flat arrays, 12 bytes a slot at most three quarters
full (linear probing stays short there, and the table is a third smaller than at half full).
Keys are compared by hash: two different keys sharing all 64 bits would be taken for one (about one
chance in 10^7 for a file of ten million keys)."""

from __future__ import annotations

from array import array

EMPTY = 0


class SeenKeys:
    """An open-addressing table of 64-bit key hashes to the first row that brought them."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        self.size = 0
        self._reset(capacity)

    def _reset(self, capacity: int) -> None:
        self.mask = capacity - 1
        self.hashes = array("q", bytes(8 * capacity))
        self.rows = array("i", bytes(4 * capacity))  # row numbers: a file has fewer than 2^31 rows

    def first(self, key: int, row: int) -> int | None:
        """The row recorded for `key`, or None after recording `row` for it."""
        key = key or 1  # 0 marks an empty slot
        hashes, mask = self.hashes, self.mask
        slot = key & mask
        while True:
            found = hashes[slot]
            if found == key:
                return self.rows[slot]
            if found == EMPTY:
                break
            slot = (slot + 1) & mask
        hashes[slot], self.rows[slot] = key, row
        self.size += 1
        if self.size * 4 > mask * 3:
            self._grow()
        return None

    def _grow(self) -> None:
        hashes, rows = self.hashes, self.rows
        self.size = 0
        self._reset(2 * (self.mask + 1))
        for key, row in zip(hashes, rows, strict=True):
            if key != EMPTY:
                self.first(key, row)

    def __len__(self) -> int:
        return self.size
