"""Contacts import from CSV/TSV or XLSX (`sources`): read, map headers, normalize, de-duplicate within the
file, then upsert in batches through the service (`batches`). Every row ends in exactly one bucket of the report,
and every problem names row and field."""

from __future__ import annotations

import gc
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from herald.access import Sealer, sealer_of
from herald.contacts import service
from herald.contacts.addresses import countries
from herald.contacts.addresses.mx import MailDomains
from herald.contacts.addresses.normalize import (
    NUMBER_CELL,
    Phone,
    Rejected,
    clean_region,
    normalize_email,
    phone_from_cell,
    spreadsheet_text,
)
from herald.contacts.importing import batches, consent_cells, parallel, sources
from herald.contacts.importing.headers import header_key, map_headers
from herald.contacts.importing.report import ImportReport
from herald.contacts.service import ContactInput
from herald.db import UnitOfWork
from herald.db.bulk import page_cache
from herald.errors import Invalid
from herald.storable import text_problem
from herald.types import FORMULA_STARTS, tag_names

T = TypeVar("T")
BATCH = 5000
CACHE_MB = 32  # SQLite's page cache while an import writes (see db.bulk.page_cache)
PREVIEW = 5
MAX_FIELD = 64 * 1024  # characters in one cell; longer is no contact data


FORMULA_MARKS = frozenset(FORMULA_STARTS)


def _unquoted(text: str) -> str:
    """A cell as written before an export neutralized it (`'=cmd` → `=cmd`): a leading quote before a
    formula character is how spreadsheets, and Herald's exports, keep text from running as a formula."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_MARKS else text


def _full_name(first: str, last: str) -> str | None:
    """A name from separate first and last name columns: family name first and no space in Chinese,
    Japanese and Korean names (王 + 伟 is 王伟), given name first otherwise."""
    if not (first and last):
        return first or last or None
    if unicodedata.east_asian_width(first[0]) == "W" and unicodedata.east_asian_width(last[0]) == "W":
        return last + first
    return f"{first} {last}"


UNREAD = ""  # a country cell that could not be read: no region, and never the default in its place


class Importer:
    """Turns CSV rows into ContactInputs; the caller's unit of work holds the whole import."""

    def __init__(self, report: ImportReport, default_region: str | None, now: datetime) -> None:
        self.report, self.now = report, now
        self.default_region = default_region
        self.firsts = batches.FirstRows()
        self.unnamed: set[int] = set()  # columns without a header
        self.mail: MailDomains | None = None  # set to check that email domains take mail
        self.sealer: Sealer | None = None  # set when personal data is sealed at rest
        self.tags: tuple[str, ...] = ()  # given to every row's contact (`--tag`)

    def parse(
        self, row_no: int, cells: list[str], mapping: dict[int, str], width: int, marks: dict[int, str] | None = None
    ) -> ContactInput | None:
        if len(cells) > width or (len(cells) < width and marks is None):  # a sheet row stops at its last cell
            return self._invalid_row(row_no, "row", len(cells), f"has {len(cells)} fields, the header has {width}")
        big = next((i for i, c in enumerate(cells) if len(c) > MAX_FIELD), None)
        if big is not None:
            return self._invalid_row(
                row_no,
                "row",
                None,
                f"column {big + 1} holds {len(cells[big]):,} characters; a field may hold {MAX_FIELD:,}",
            )
        broken = next(((i, p) for i, c in enumerate(cells) if (p := text_problem(c))), None)
        if broken is not None:
            return self._invalid_row(row_no, "row", None, f"column {broken[0] + 1} {broken[1]}")
        values = {f: _unquoted(cells[i].strip()) if i < len(cells) else "" for i, f in mapping.items()}
        for i in self.unnamed:
            if i < len(cells) and cells[i].strip():
                self.report.problem(
                    row_no,
                    f"column {i + 1}",
                    cells[i],
                    "the column has no header, so this value was not imported; name the column",
                )
        marked = {mapping[i]: m for i, m in (marks or {}).items() if i in mapping}
        item = ContactInput(
            row=row_no,
            name=values.get("name") or _full_name(values.get("first_name", ""), values.get("last_name", "")),
            external_id=values.get("external_id") or None,
            provenance=f"{self.report.source} row {row_no}",
        )
        item.attributes = {k[5:]: v for k, v in values.items() if k.startswith("attr.") and v}
        region = self._region(row_no, values.get("country", ""))
        phone = self._phone(row_no, values.get("phone", ""), marked.get("phone"), region or None)
        if region == UNREAD and isinstance(phone, Rejected):
            phone = Rejected(phone.value, "not read: it has no country code and the row's country is unknown")
        item.phone = self._checked(row_no, "phone", phone)
        email = spreadsheet_text(values.get("email", ""), marked.get("email"))
        item.email = self._checked(row_no, "email", self._email(email) if isinstance(email, str) else email)
        item.timezone = self._timezone(row_no, values.get("timezone", ""))
        item.extension = self._extension(row_no, values.get("phone_extension", ""))
        item.consents = consent_cells.consents(self.report, row_no, values)
        item.tags = self._tags(row_no, values.get("tags", ""))
        if item.consents:
            consent_cells.proof(self.report, row_no, values, item, self.now)
        if item.phone is None and item.email is None:
            return self._invalid_row(row_no, "row", None, "no valid phone or email")
        if self.sealer is not None and self.sealer.on:
            e164 = item.phone.e164 if item.phone else None
            item.sealed = service.sealed_parts(self.sealer, e164, item.email, item.name, item.attributes)
        return item

    def _phone(self, row_no: int, raw: str, mark: str | None, region: str | None) -> Phone | Rejected | None:
        phone = phone_from_cell(raw, mark, region)
        if mark == NUMBER_CELL and raw.isdigit() and isinstance(phone, Phone):
            self.report.problem(
                row_no,
                "phone",
                raw,
                f"the spreadsheet stored this phone number as a number, which "
                f"drops a leading + or 0; read as {phone.e164} — check it",
            )
        return phone

    def _tags(self, row_no: int, raw: str) -> tuple[str, ...]:
        if not raw:
            return self.tags
        names, bad = tag_names(raw)
        for word in bad:
            reason = "not a valid tag name (letters, digits, _ : . - ; up to 64); left out"
            self.report.problem(row_no, "tags", word, reason)
        return tuple(dict.fromkeys((*self.tags, *names)))

    def _extension(self, row_no: int, raw: str) -> str | None:
        digits = raw.strip().removeprefix("ext.").removeprefix("x").strip()
        if digits and not (digits.isdigit() and len(digits) <= 16):
            self.report.problem(row_no, "phone_extension", raw, "expected up to 16 digits")
            return None
        return digits or None

    def _email(self, raw: str) -> str | Rejected | None:
        email = normalize_email(raw)
        if isinstance(email, str) and self.mail is not None and not self.mail.takes_mail(email.rpartition("@")[2]):
            return Rejected(raw, "the domain has no mail server (no MX record)")
        return email

    def _invalid_row(self, row_no: int, fld: str, value: object, reason: str) -> ContactInput | None:
        """Count the row invalid with its reason: nothing of it is imported (None)."""
        self.report.problem(row_no, fld, value, reason)
        self.report.counts["invalid"] += 1
        self.report.outcome(row_no, "invalid")
        return None

    def _checked(self, row_no: int, fld: str, result: T | Rejected | None) -> T | None:
        if isinstance(result, Rejected):
            self.report.problem(row_no, fld, result.value, result.reason)
            return None
        return result

    def _region(self, row_no: int, raw: str) -> str | None:  # or UNREAD
        """The country a row's phone is read in: its country cell (a calling code, an ISO code or a name)
        or, when the cell is empty, the default region. A cell that cannot be read gives no region at all:
        guessing another country would turn a French mobile into a German landline."""
        text = raw.strip()
        if not text:
            return self.default_region
        digits = text.lstrip("+")
        code = (
            phonenumbers.region_code_for_country_code(int(digits))
            if digits.isdigit() and len(digits) <= 3
            else countries.code_for(text)
        )
        if code in (None, "ZZ", "001"):
            self.report.problem(
                row_no,
                "country",
                raw,
                "not a country Herald can read (write its two-letter ISO code, e.g. FR, or its calling code, e.g. 33)",
            )
            return UNREAD
        return code

    def _timezone(self, row_no: int, raw: str) -> str | None:
        if not raw:
            return None
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            self.report.problem(row_no, "timezone", raw, "not a known IANA time zone")
            return None
        return raw


def import_file(
    uow: UnitOfWork,
    path: Path,
    now: datetime,
    *,
    default_region: str | None = None,
    mapping: dict[str, str] | None = None,
    unknown: str = "error",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    merge: str = "fill-empty",
    check_mx: MailDomains | bool = False,
    processes: int | None = None,
    erasure_key: str | tuple[str, ...],
    tags: Sequence[str] = (),
) -> ImportReport:
    """Import contacts from a CSV/TSV or XLSX file into the caller's unit of work; report on every row.
    People erased at their request (found by `erasure_key`, the installation's secret) are refused. A big
    file is parsed in `processes` worker processes (default: one per core; 0: none). The tags a `tags`
    column names, and `tags` for every row, are gathered by contact in `report.tags` for the tags room."""
    report = ImportReport(source=path.name, dry_run=dry_run)
    every_row = _every_row(tags)
    if merge not in service.MERGE_POLICIES:
        raise Invalid(f"expected one of {', '.join(service.MERGE_POLICIES)}, got {merge!r}", where="merge policy")
    try:
        region = clean_region(default_region)
    except ValueError as exc:
        raise Invalid(str(exc), where="--default-region") from None
    source, rows = sources.open_rows(path, encoding, delimiter, sheet)
    report.read_as = source.as_dict()
    header = next((cells for _, cells, _ in rows if any(c.strip() for c in cells)), None)
    if header is None:
        raise Invalid("the file is empty", where=str(path))
    columns = _columns(header, mapping or {}, unknown, source)
    report.mapping = {header[i]: f for i, f in columns.items()}
    importer = Importer(report, region, now)
    importer.mail = (check_mx if isinstance(check_mx, MailDomains) else MailDomains()) if check_mx else None
    importer.unnamed = {i for i, h in enumerate(header) if not header_key(h)}
    importer.sealer = sealer_of(uow.session)
    importer.tags = every_row
    parsed: list[ContactInput] = []
    with page_cache(uow, CACHE_MB), fewer_collections():
        for _, item in parallel.parse_rows(importer, rows, columns, len(header), processes):
            if item is not None:
                parsed.append(item)
                if len(report.preview) < PREVIEW:
                    report.preview.append(item.preview())
            if len(parsed) >= BATCH:
                batches.flush(uow, parsed, report, importer.firsts, now, progress, erasure_key, merge)
        batches.flush(uow, parsed, report, importer.firsts, now, progress, erasure_key, merge)
    return report


def _every_row(tags: Sequence[str]) -> tuple[str, ...]:
    names, bad = tag_names(" ".join(tags))
    if bad:
        raise Invalid(f"{bad[0]!r} is not a valid tag name (letters, digits, _ : . - ; up to 64)", where="--tag")
    return tuple(names)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often for the block (and in the workers it forks). An import makes
    millions of short-lived tuples and dicts; at Python's default thresholds the collector ran every 700
    of them and walked the number metadata and the ORM's each time it reached the oldest generation: a
    quarter of the import's time, and at a hundred thousand a batch's own rows still set it off twice a
    batch (3-8% of the writer's time). Nothing an import keeps forms cycles worth collecting sooner, and
    the peak memory did not move."""
    before = gc.get_threshold()
    gc.set_threshold(1_000_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _columns(header: list[str], mapping: dict[str, str], unknown: str, source: sources.Source) -> dict[int, str]:
    try:
        return map_headers(header, mapping, unknown)
    except Invalid as exc:
        if source.kind != "csv" or "unknown column" not in exc.reason:
            raise
        # Garbled column names are the first sign of a file read in the wrong encoding.
        raise Invalid(
            f"{exc.reason} (the file was read as {source.encoding}: if the names look garbled, pass --encoding)",
            where=exc.where,
        ) from None
