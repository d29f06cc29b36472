"""A corpus of messy contact files, built on demand: the encodings, separators and spreadsheets businesses
really send, and the broken ones."""

from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter

PEOPLE = [("张伟", "13800138000"), ("李娜", "13900139000"), ("王芳", "13700137000"), ("刘洋", "13600136000")]
TAIWAN = [("陳大文", "0912345678"), ("林美玲", "0922345678"), ("黃志明", "0933345678")]


def text_file(folder: Path, name: str, rows: list[list[str]], encoding: str, sep: str = ",") -> Path:
    path = folder / name
    body = "".join(sep.join(r) + "\r\n" for r in rows)
    path.write_bytes(body.encode(encoding))
    return path


def chinese(folder: Path, encoding: str, sep: str = ",", name: str = "contacts.csv") -> Path:
    """Four mainland contacts with a Chinese header, in `encoding`."""
    return text_file(folder, name, [["手机号", "姓名"], *[[p, n] for n, p in PEOPLE]], encoding, sep)


def taiwanese(folder: Path) -> Path:
    return text_file(folder, "tw.csv", [["手機號碼", "姓名"], *[[p, n] for n, p in TAIWAN]], "big5")


def workbook(folder: Path, name: str = "contacts.xlsx") -> Path:
    """A workbook whose data starts at B3 on its second sheet: a phone typed as a number, one computed by a
    formula, one kept as text, a leading-zero number, and an empty trailing column."""
    path = folder / name
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Notes").write_string(0, 0, "read me")
    sheet = book.add_worksheet("Contacts")
    for col, title in enumerate(["phone", "name", "country", "spent"]):
        sheet.write_string(2, 1 + col, title)
    sheet.write_number(3, 1, 8613800138000)
    sheet.write_string(3, 2, "张伟")
    sheet.write_formula(4, 1, "=8613900139000", None, 8613900139000)
    sheet.write_string(4, 2, "李娜")
    sheet.write_string(5, 1, "+9779841234567")
    sheet.write_string(5, 2, "Sita")
    sheet.write_number(5, 4, 12.5)
    sheet.write_number(6, 1, 9841234568)  # a Nepali mobile without its country code
    sheet.write_string(6, 2, "Ram")
    sheet.write_string(6, 3, "NP")
    book.close()
    return path


def member_list(folder: Path, name: str = "members.xlsx") -> Path:
    """A member list as spreadsheets store it: people without an e-mail or a country stop early (a sheet keeps
    no empty trailing cells), one cell holds an empty string, the header has a gap, and a merged cell spans
    two rows of the second sheet."""
    path = folder / name
    book = xlsxwriter.Workbook(str(path))
    for title in ("Members", "Branch"):
        sheet = book.add_worksheet(title)
        for col, text in enumerate(["name", "phone", "", "email", "country"]):
            if text:
                sheet.write_string(0, col, text)
        sheet.write_row(1, 0, ["Sita", "+9779841234567", "", "sita@example.com", "NP"])
        sheet.write_row(2, 0, ["Ram", "+9779841234568"])  # no e-mail, no country: the row stops at the phone
        sheet.write_row(3, 0, ["Gita", "+9779841234569", "", ""])  # an empty string in the e-mail cell
        sheet.write_string(4, 1, "+9779841234570")  # no name either
    book.worksheets()[1].merge_range(5, 0, 6, 0, "Twins", None)
    book.worksheets()[1].write_string(5, 1, "+9779841234571")
    book.worksheets()[1].write_string(6, 1, "+9779841234572")
    book.close()
    return path


def zip_bomb_like(folder: Path) -> Path:
    """An .xlsx whose parts claim far more unpacked bytes than any workbook has."""
    path = folder / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 << 20))
    return path
