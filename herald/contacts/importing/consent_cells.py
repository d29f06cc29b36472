"""A row's consent columns read: yes or no per channel, in English and Chinese, and the proof the row gives
of them (when, where from, the evidence, the address they were given from)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from herald.contacts import service
from herald.contacts.service import ContactInput
from herald.errors import Invalid
from herald.types import parse_utc

if TYPE_CHECKING:
    from herald.contacts.importing.report import ImportReport

YES = {"yes", "y", "true", "1", "granted", "opt_in", "optin", "是", "同意"}
NO = {"no", "n", "false", "0", "revoked", "opt_out", "optout", "否", "拒绝"}
SOURCE = re.compile(r"[^\W\d_][\w-]{0,31}")  # a word in any script: form, keyword, 门店登记


def consents(report: ImportReport, row_no: int, values: dict[str, str]) -> dict[str, str]:
    """The row's consent per channel: granted, revoked, or a problem for a cell that is neither."""
    found = {}
    for fld in ("consent_sms", "consent_whatsapp", "consent_email"):
        raw = values.get(fld, "").strip().lower()
        if raw in YES:
            found[fld[8:]] = "granted"
        elif raw in NO:
            found[fld[8:]] = "revoked"
        elif raw:
            report.problem(row_no, fld, values[fld], "expected yes or no")
    return found


def proof(report: ImportReport, row_no: int, values: dict[str, str], item: ContactInput, now: datetime) -> None:
    """When, where from and how the row's consents were given, from its consent_* columns."""
    item.evidence = values.get("consent_evidence") or None
    source = values.get("consent_source", "").lower()
    if source and not SOURCE.fullmatch(source):
        report.problem(
            row_no,
            "consent_source",
            source,
            "expected a short word such as form, keyword or 门店登记 (up to 32 letters, digits, - or _)",
        )
    elif source:
        item.consent_source = source
    if values.get("consent_ip"):
        try:
            item.consent_ip = service.check_ip(values["consent_ip"])
        except Invalid as exc:
            report.problem(row_no, "consent_ip", values["consent_ip"], exc.reason)
    if values.get("consent_at"):
        item.consent_at = _moment(report, row_no, values["consent_at"], now)


def _moment(report: ImportReport, row_no: int, raw: str, now: datetime) -> datetime | None:
    try:
        moment = parse_utc(raw, "consent_at")
    except Invalid as exc:
        report.problem(row_no, "consent_at", raw, exc.reason)
        return None
    if moment > now:
        report.problem(row_no, "consent_at", raw, "is in the future")
        return None
    return moment
