"""A contacts file as rows of text cells: CSV, TSV or semicolon-separated text in any common encoding
(see `encoding`), and XLSX read with calamine. Every row comes with its line (or sheet row) number and
the columns whose cell a spreadsheet stored as a number or as a formula, for the importer to flag."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from herald.contacts.importing import encoding as encodings
from herald.contacts.importing import workbook
from herald.errors import Invalid

SAMPLE = 1 << 20  # bytes read to settle the encoding and the delimiter
DELIMITERS = ",;\t|"
MAX_XLSX_BYTES = 200 << 20
MAX_CELL = 10 << 20  # csv's own default is 128 KiB; a 10 MB cell is refused by the importer with its row
NUMBER, FORMULA = "number", "formula"
# (row number, cells, column -> NUMBER | FORMULA). The marks are None for a text file and a dict, possibly
# empty, for a spreadsheet row: a sheet does not store a row's empty trailing cells, so only a text row that
# comes up short is a broken row.
Row = tuple[int, list[str], dict[int, str] | None]


@dataclass
class Source:
    """How the file was read; shown in the preview and the report."""

    kind: str  # csv | xlsx
    encoding: str | None = None
    guessed: bool = False
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        if self.kind == "xlsx":
            return {"kind": self.kind, "sheet": self.sheet}
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "encoding_guessed": self.guessed,
            "delimiter": self.delimiter,
        }


def open_rows(
    path: Path, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None
) -> tuple[Source, Iterator[Row]]:
    """How the file reads, and its rows (header first)."""
    if not path.is_file():
        raise Invalid("file not found", where=str(path))
    with path.open("rb") as handle:
        head = handle.read(SAMPLE)
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx(path, sheet)
    if sheet:
        raise Invalid("--sheet applies to .xlsx workbooks only", where="--sheet")
    complete = len(head) < SAMPLE
    try:
        found = encodings.Encoding(encoding, False) if encoding else encodings.detect(head, complete)
    except Invalid as exc:
        raise Invalid(exc.reason, where=path.name) from None
    _check_encoding(found.name)
    text = encodings.decoded(head, found.name, complete) or ""
    sep = delimiter or _sniff(text, path)
    if len(sep) != 1:
        raise Invalid(f"expected one character, got {sep!r}", where="--delimiter")
    source = Source("csv", found.name, found.guessed, sep)
    return source, _csv_rows(path, found.name, sep)


def _check_encoding(name: str) -> None:
    try:
        "".encode(name)
    except LookupError:
        raise Invalid(
            f"{name!r} is not a text encoding Python knows (try utf-8, gb18030, big5, utf-16)", where="--encoding"
        ) from None


def _sniff(text: str, path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _csv_rows(path: Path, name: str, sep: str) -> Iterator[Row]:
    csv.field_size_limit(MAX_CELL + 1)
    started = 1  # the line the record being read began on
    with path.open("rb") as handle:
        reader = csv.reader(_lines(handle, name, path), delimiter=sep, strict=True)
        try:
            for cells in reader:
                yield started, cells, None
                started = reader.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise Invalid(
                    f"a quote opened in the record starting on line {started} is never closed",
                    where=f"{path.name} line {started}",
                ) from None
            raise Invalid(f"malformed CSV: {exc}", where=f"{path.name} line {reader.line_num}") from None


def _lines(handle, name: str, path: Path) -> Iterator[str]:
    """The file's lines as text. In every encoding but UTF-16 a newline byte is always a newline (no
    multi-byte character holds one), so each line is decoded on its own and a bad byte names its line."""
    if codecs.lookup(name).name.startswith("utf-16"):
        try:
            yield from io.TextIOWrapper(handle, encoding=name, newline="")
        except UnicodeDecodeError as exc:
            raise Invalid(f"not valid {name} text ({exc.reason}; pass --encoding)", where=path.name) from None
        return
    decoder = codecs.getincrementaldecoder(name)(errors="strict")
    for number, raw in enumerate(handle, start=1):
        try:
            text = decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise Invalid(
                f"not valid {name} text near column {exc.start + 1} (pass --encoding)",
                where=f"{path.name} line {number}",
            ) from None
        foreign = encodings.foreign_line(raw, text, name)
        if foreign:
            raise Invalid(
                f"{foreign}: the file mixes encodings, and its names would be stored garbled; save it "
                "in one encoding (UTF-8) and import it again",
                where=f"{path.name} line {number}",
            )
        yield text


def _xlsx(path: Path, sheet: str | None) -> tuple[Source, Iterator[Row]]:
    from python_calamine import CalamineError, CalamineWorkbook

    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise Invalid(
            f"the workbook is {size >> 20} MB; the limit is {MAX_XLSX_BYTES >> 20} MB — save the sheet as CSV instead",
            where=path.name,
        )
    formulas = workbook.scan(path, sheet).formulas
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        chosen = sheet or names[0]
        if chosen not in names:
            raise Invalid(f"no sheet {chosen!r}; the workbook has {', '.join(map(repr, names))}", where="--sheet")
        data = book.get_sheet_by_name(chosen)
    except CalamineError as exc:
        raise Invalid(f"not a readable .xlsx workbook ({exc})", where=path.name) from None
    return Source("xlsx", sheet=chosen, sheets=names), _sheet_rows(data, formulas)


def _sheet_rows(data, formulas: set[tuple[int, int]]) -> Iterator[Row]:
    # calamine's rows start at the sheet's first row but at its first used column.
    skipped = data.start[1] if data.start else 0
    for number, values in enumerate(data.iter_rows(), start=1):
        cells, marks = [""] * skipped, {}
        for col, value in enumerate(values, start=skipped):
            text, numeric = cell_text(value)
            cells.append(text)
            if (number, col) in formulas:
                marks[col] = FORMULA
            elif numeric:
                marks[col] = NUMBER
        while cells and not cells[-1]:
            cells.pop()  # trailing empty cells of a wide sheet are not fields
        yield number, cells, marks


def cell_text(value: object) -> tuple[str, bool]:
    """A spreadsheet value as the text a person typed (as near as can be told), and whether it was a number."""
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)), True
    if isinstance(value, datetime | date | time):
        return value.isoformat(), False
    return ("" if value is None else str(value)), False
