"""What a workbook holds before anyone reads it whole: the sheet's XML is streamed once to find its formula
cells (calamine gives a formula's cached result, not that it was one) and how far its cells reach.

Reading a sheet builds every cell of the rectangle its cells span: one cell at XFD1048576 in a 9 KB file
asks for seventeen billion, and a zip bomb unpacks to gigabytes. Both are refused here, with what to do,
before the reader is called."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from herald.errors import Invalid

MAX_UNPACKED = 1 << 30  # bytes a workbook may unpack to; Excel's largest real sheets stay well under it
MAX_CELLS = 20_000_000  # the rectangle a sheet's cells span: a million rows of twenty columns
CELL_REF = re.compile(r"([A-Z]+)(\d+)")
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


@dataclass
class Scan:
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column index) of formula cells
    first: tuple[int, int] | None = None  # (row, column) of the top-left used cell
    last: tuple[int, int] | None = None  # of the bottom-right one

    def add(self, position: tuple[int, int]) -> None:
        row, col = position
        if self.first is None or self.last is None:
            self.first = self.last = position
            return
        self.first = (min(self.first[0], row), min(self.first[1], col))
        self.last = (max(self.last[0], row), max(self.last[1], col))

    @property
    def cells(self) -> int:
        if self.first is None or self.last is None:
            return 0
        return (self.last[0] - self.first[0] + 1) * (self.last[1] - self.first[1] + 1)


def scan(path: Path, sheet: str | None) -> Scan:
    """The sheet's formula cells and extent; Invalid for a zip bomb or a sheet too large to read."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
            if unpacked > MAX_UNPACKED:
                raise Invalid(
                    f"the workbook unpacks to {unpacked >> 20:,} MB; Herald reads workbooks up to "
                    f"{MAX_UNPACKED >> 20:,} MB unpacked — save the sheet as CSV",
                    where=path.name,
                )
            member = _sheet_member(archive, sheet)
            found = _cells(archive, member) if member else Scan()
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError) as exc:
        raise Invalid(f"not a readable .xlsx workbook ({exc})", where=path.name) from None
    if found.cells > MAX_CELLS:
        raise Invalid(
            f"the sheet's cells reach {_ref(found.last)}: {found.cells:,} cells from {_ref(found.first)}; "
            f"Herald reads at most {MAX_CELLS:,} — delete the far-away cells or save the sheet as CSV",
            where=path.name,
        )
    return found


def _cells(archive: zipfile.ZipFile, member: str) -> Scan:
    found = Scan()
    with archive.open(member) as xml:
        for _, element in ElementTree.iterparse(xml):
            if element.tag.endswith("}c"):
                position = _position(element.get("r", ""))
                if position[1] >= 0:
                    found.add(position)
                if any(child.tag.endswith("}f") for child in element):
                    found.formulas.add(position)
                element.clear()
            elif element.tag.endswith("}row"):
                element.clear()  # its cells were read; a long sheet is streamed, not kept
    return found


def _sheet_member(archive: zipfile.ZipFile, sheet: str | None) -> str | None:
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = book.findall("m:sheets/m:sheet", NS)
    chosen = next((s for s in sheets if sheet is None or s.get("name") == sheet), None)
    if chosen is None:
        return None
    rid = chosen.get(f"{{{NS['r']}}}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _position(ref: str) -> tuple[int, int]:
    match = CELL_REF.fullmatch(ref)
    if not match:
        return (0, -1)
    letters, row = match.groups()
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(row), col - 1


def _ref(position: tuple[int, int] | None) -> str:
    row, col = position or (1, 0)
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"
