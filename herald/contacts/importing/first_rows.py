"""Which row of an import first brought each contact: a later row that comes to the same contact (by any
of its keys, once the earlier row's write made them the contact's) is reported as its duplicate.

Kept by contact id, in pages of 4,096 ids, each page an array of 32-bit row numbers: a million new
contacts (ids one after another) take 4 MB. A re-import of contacts whose ids lie scattered costs 16 KB a
page it touches. Asked after each write, so a row that was refused or conflicted brings nobody."""

from __future__ import annotations

from array import array

PAGE = 4096
EMPTY = bytes(4 * PAGE)


class FirstRows:
    """Contact id -> the first row of this import that came to it."""

    def __init__(self) -> None:
        self.pages: dict[int, array] = {}
        self.size = 0

    def first(self, contact_id: int, row: int) -> int | None:
        """The earlier row that came to this contact, or None, and then `row` is recorded as its first."""
        number, slot = divmod(contact_id, PAGE)
        page = self.pages.get(number)
        if page is None:
            page = self.pages[number] = array("i", EMPTY)
        found = page[slot]
        if found:
            return found - 1  # kept one up, so that 0 means nobody
        page[slot] = row + 1
        self.size += 1
        return None

    def __len__(self) -> int:
        return self.size
