"""Importing the files businesses really have, on SQLite and PostgreSQL: every common encoding and
separator, XLSX with the damage spreadsheets do to numbers, and broken files — each a clear error or a
reason per row, and nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from herald.contacts.importing import importer, sources, workbook
from herald.contacts.models import Contact
from herald.errors import Invalid
from tests.conftest import NOW
from tests.contacts import corpus


def run(container, path, map_=None, **kw):
    if map_:
        kw["mapping"] = map_
    with container.uow(dry_run=kw.get("dry_run", False)) as uow:
        return importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key, **kw)


def names(container) -> dict[str, str]:
    with container.uow() as uow:
        return dict(uow.session.execute(select(Contact.phone, Contact.name)).all())


def count(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Contact))


@pytest.mark.parametrize(
    ("encoding", "sep", "read_as"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ";", "utf-8-sig"),
        ("gbk", ",", "gb18030"),
        ("gb18030", "\t", "gb18030"),
        ("utf-16", ",", "utf-16"),  # Python writes the byte-order mark
    ],
)
def test_chinese_names_survive_every_common_encoding(container, tmp_path, encoding, sep, read_as) -> None:
    report = run(container, corpus.chinese(tmp_path, encoding, sep), default_region="CN")
    assert report.counts["imported"] == 4
    assert (report.read_as["encoding"], report.read_as["delimiter"]) == (read_as, sep)
    assert names(container)["+8613800138000"] == "张伟"


def test_a_big5_file_is_read_as_big5_and_says_it_guessed(container, tmp_path) -> None:
    report = run(container, corpus.taiwanese(tmp_path), default_region="TW")
    assert report.read_as == {"kind": "csv", "encoding": "big5", "encoding_guessed": True, "delimiter": ","}
    assert names(container)["+886912345678"] == "陳大文"


def test_the_operator_overrides_a_guess(container, tmp_path) -> None:
    path = corpus.chinese(tmp_path, "gbk")
    with pytest.raises(Invalid, match="read as big5: if the names look garbled, pass --encoding"):
        run(container, path, default_region="CN", encoding="big5")
    report = run(
        container, path, default_region="CN", encoding="big5", map_={"忒儂瘍": "phone", "俷靡": "name"}, dry_run=True
    )
    assert report.read_as["encoding"] == "big5" and not report.read_as["encoding_guessed"]
    assert report.preview[0]["name"] != "张伟"  # garbled, which the preview shows before anything is written
    with pytest.raises(Invalid, match="not a text encoding"):
        run(container, path, encoding="klingon")


def test_a_dry_run_previews_normalized_rows_and_writes_nothing(container, tmp_path) -> None:
    report = run(container, corpus.chinese(tmp_path, "gbk"), default_region="CN", dry_run=True)
    assert report.mapping == {"手机号": "phone", "姓名": "name"}
    assert report.preview[0] == {
        "row": 2,
        "name": "张伟",
        "phone": "+8613800138000",
        "region": "CN",
        "phone_timezones": "Asia/Shanghai",
        "carrier": "China Mobile",
        "line_type": "mobile",
    }
    assert report.counts["imported"] == 4 and count(container) == 0


def test_a_workbook_imports_with_spreadsheet_damage_flagged(container, tmp_path) -> None:
    report = run(container, corpus.workbook(tmp_path), sheet="Contacts", default_region="NP", unknown="attribute")
    assert report.read_as == {"kind": "xlsx", "sheet": "Contacts"}
    assert report.rows == 4 and report.counts["imported"] == 3 and report.counts["invalid"] == 1
    problems: dict[int, str] = {}
    for p in report.problems:
        problems[p["row"]] = problems.get(p["row"], "") + p["reason"] + "; "
    assert "stored this phone number as a number" in problems[4] and "+8613800138000" in problems[4]
    assert "formula" in problems[5]  # its cached value is not trusted as a phone number
    assert "read as +9779841234568" in problems[7]  # no country code in the cell: read in NP
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact).where(Contact.phone == "+9779841234567"))
        assert sita.attributes == {"spent": "12.5"}


@pytest.mark.parametrize("sheet", [None, "Branch"])
def test_a_sheet_row_that_stops_early_has_empty_cells_not_missing_fields(container, tmp_path, sheet) -> None:
    report = run(container, corpus.member_list(tmp_path), sheet=sheet)
    people = names(container)
    assert report.counts["invalid"] == 0 and report.problems == []
    assert people["+9779841234568"] == "Ram" and people["+9779841234569"] == "Gita"
    assert people["+9779841234570"] is None  # a row holding nothing but a phone
    if sheet == "Branch":  # a merged cell's value belongs to its first row; the second is empty, not broken
        assert people["+9779841234571"] == "Twins" and people["+9779841234572"] is None
    assert report.counts["imported"] == len(people) == (6 if sheet else 4)


def test_a_text_row_that_stops_early_is_still_refused(container, write_csv) -> None:
    report = run(container, write_csv("phone,name,email\n+9779841234567,Sita\n"))
    assert report.counts["invalid"] == 1 and "has 2 fields, the header has 3" in report.problems[0]["reason"]


def test_a_workbook_reads_its_first_sheet_unless_told(tmp_path) -> None:
    source, rows = sources.open_rows(corpus.workbook(tmp_path))
    assert source.sheet == "Notes" and next(rows)[1] == ["read me"]
    with pytest.raises(Invalid, match="no sheet 'People'.*'Notes', 'Contacts'"):
        sources.open_rows(corpus.workbook(tmp_path), sheet="People")
    with pytest.raises(Invalid, match="--sheet applies to .xlsx"):
        sources.open_rows(corpus.chinese(tmp_path, "utf-8"), sheet="Contacts")


def test_oversized_and_unreadable_workbooks_are_refused(tmp_path, monkeypatch) -> None:
    with pytest.raises(Invalid, match="unpacks to 3 MB"):
        monkeypatch.setattr(workbook, "MAX_UNPACKED", 1 << 20)
        sources.open_rows(corpus.zip_bomb_like(tmp_path))
    monkeypatch.setattr(sources, "MAX_XLSX_BYTES", 100)
    with pytest.raises(Invalid, match="the limit is 0 MB"):
        sources.open_rows(corpus.workbook(tmp_path))
    garbage = tmp_path / "fake.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(Invalid, match="not a readable .xlsx"):
        sources.open_rows(garbage)


@pytest.mark.parametrize(
    ("content", "name", "sep"),
    [
        ("phone;name\n+9779841234567;Sita\n", "a.csv", ";"),
        ("phone\tname\n+9779841234567\tSita\n", "a.txt", "\t"),
        ("phone|name\n+9779841234567|Sita\n", "a.csv", "|"),
        ("phone\n+9779841234567\n", "a.tsv", "\t"),
        ("phone\n+9779841234567\n", "a.csv", ","),  # nothing to sniff: a comma
    ],
)
def test_the_separator_is_sniffed(tmp_path, content, name, sep) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    source, _ = sources.open_rows(path)
    assert source.delimiter == sep
    with pytest.raises(Invalid, match="one character"):
        sources.open_rows(path, delimiter=";;")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "NUL bytes"),
        (b'phone,name\n+9779841234567,"Sita\n+9779841234568,Ram\n', "line 2: a quote opened .* is never closed"),
    ],
)
def test_broken_files_are_refused_and_nothing_is_written(container, write_csv, content, message) -> None:
    path = write_csv(content)
    with pytest.raises(Invalid, match=message) as refused:
        run(container, path)
    assert count(container) == 0
    assert path.name in refused.value.where  # the error names the file


def test_cells_no_contact_has_are_refused_per_row(container, write_csv) -> None:
    huge = "x" * (10 << 20)
    path = write_csv(
        f'phone,name,email\n+9779841234567,{huge},\n=HYPERLINK("x"),Ram,\n8.6138E+12,Wei,\n="+9779841234568",Gita,=A1\n'
    )
    report = run(container, path)
    assert report.rows == 4 and report.counts["imported"] == 1 and report.counts["invalid"] == 3
    problems = {(p["row"], p["field"]): p["reason"] for p in report.problems}
    assert "10,485,760 characters" in problems[(2, "row")]
    assert "formula" in problems[(3, "phone")] and "scientific notation" in problems[(4, "phone")]
    assert "formula" in problems[(5, "email")]  # the phone's ="…" idiom was unwrapped; the email's formula not
    assert names(container) == {"+9779841234568": "Gita"}


def test_two_hundred_unknown_columns_are_named_briefly(container, write_csv) -> None:
    header = ",".join(["phone", *(f"c{i}" for i in range(199))])
    with pytest.raises(Invalid, match=r"'c9' and 189 more"):
        run(container, write_csv(header + "\n" + "+9779841234567" + "," * 199 + "\n"))
    report = run(container, write_csv(header + "\n" + "+9779841234567" + ",v" * 199 + "\n"), unknown="attribute")
    assert report.counts["imported"] == 1


def test_a_sheet_whose_cells_reach_far_is_refused_before_it_is_read(container, tmp_path) -> None:
    import xlsxwriter

    path = tmp_path / "far.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Contacts")
    sheet.write_row(0, 0, ["phone", "name"])
    sheet.write_row(1, 0, ["+9779841234567", "Sita"])
    sheet.write_string(1048575, 16383, "x")  # XFD1048576: a 9 KB file the reader would make 17 billion cells of
    book.close()
    with pytest.raises(
        Invalid,
        match=r"reach XFD1048576: 17,179,869,184 cells from A1; Herald reads at most "
        r"20,000,000 — delete the far-away cells or save the sheet as CSV",
    ):
        run(container, path)
    assert count(container) == 0


@pytest.mark.parametrize(
    ("ref", "position"),
    [("A1", (1, 0)), ("Z9", (9, 25)), ("AA10", (10, 26)), ("XFD1048576", (1048576, 16383)), ("bad", (0, -1))],
)
def test_cell_references_and_back(ref, position) -> None:
    assert workbook._position(ref) == position
    if position[1] >= 0:
        assert workbook._ref(position) == ref


def test_a_file_that_mixes_encodings_is_refused_not_stored_garbled(container, tmp_path) -> None:
    path = tmp_path / "pieced.csv"
    path.write_bytes(
        b"name,phone\n"
        + "José,+9779841234567\n".encode()
        + "王伟,+8613800138000\n".encode("gbk")
        + "Zoë,+442079460018\n".encode("latin-1")
    )
    with pytest.raises(
        Invalid, match="line 2: this line is UTF-8 while the file reads as cp1252: the file mixes encodings"
    ) as refused:
        run(container, path)
    assert "save it in one encoding" in str(refused.value) and count(container) == 0
