"""Pure normalization of phone numbers and email addresses. No database, no clock.

A phone becomes E.164 plus what the number itself tells: region, candidate time zones, original
carrier and line type. Every refusal carries a reason a marketer can act on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult
from phonenumbers import timezone as pn_timezone

from herald.contacts.addresses import numbertype, plainparse, prefixes

LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    # US and Canada cannot be told apart: such a number may still be a mobile.
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
# phonenumbers still ships a few pre-2000s names for zones.
TZ_ALIASES = {"Asia/Katmandu": "Asia/Kathmandu", "Asia/Calcutta": "Asia/Kolkata", "Asia/Saigon": "Asia/Ho_Chi_Minh"}
PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "invalid country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
POSSIBLE_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: "invalid country code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong length",
}
CARRIER_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.PAGER)
# Plain ASCII addresses this strict pattern accepts are certainly valid; everything else (IDN, quoted
# local parts, odd dots) goes through email-validator.
_SIMPLE_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#|转|分机)\s*(\d{1,7})\s*$", re.IGNORECASE)


class Phone(NamedTuple):
    """A number as E.164 with what it tells. A tuple: parsing workers hand a million of them to the writer,
    and a tuple crosses in half the time a frozen dataclass takes to be rebuilt."""

    e164: str
    region: str | None
    timezones: tuple[str, ...]
    carrier: str | None
    line_type: str
    extension: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    value: str
    reason: str


def clean_region(region: str | None) -> str | None:
    """An ISO country code in upper case, or None; a name that is no code is refused."""
    if region is None or not region.strip():
        return None
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{region!r} is not a two-letter country code")
    return code


def normalize_phone(raw: str, region: str | None) -> Phone | Rejected | None:
    """E.164 and number facts for `raw`, read in `region` when it has no country code."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    extension = None
    if match := _EXTENSION.search(text):
        extension, text = match.group(1), text[: match.start()]
    number = _parse(text, region)
    if isinstance(number, str):
        return Rejected(raw, number)
    # The type is the costly lookup; worked out once, it also answers validity.
    kind, home = numbertype.kind_and_region(number)
    if kind == PhoneNumberType.UNKNOWN:
        return Rejected(raw, f"not a valid number for {home or region}")
    return _facts(number, kind, home, extension)


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | str:
    """A parsed number, or the reason it could not be read."""
    candidates = [text]
    if text.startswith("00"):
        # "00" means "+" in most of the world even where the row's country dials 011 or 0011.
        candidates.append("+" + text[2:])
    if not region and not text.startswith(("+", "00")):
        return "no country code: add a country column or give a default region"
    reason = "not a phone number"
    for candidate in candidates:
        try:
            number = plainparse.parse(candidate, region)
        except NumberParseException as exc:
            reason = PARSE_REASONS.get(exc.error_type, "not a phone number")
            continue
        possible = phonenumbers.is_possible_number_with_reason(number)
        if possible in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
            if candidate is candidates[-1] or phonenumbers.is_valid_number(number):
                return number
        reason = POSSIBLE_REASONS.get(possible, "not a phone number")
    return reason


def _facts(number: phonenumbers.PhoneNumber, kind: int, home: str | None, extension: str | None) -> Phone:
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    code = _calling_code(number)
    zones = (
        prefixes.zones(e164[1:], code)
        if phonenumbers.is_number_type_geographical(kind, code)
        else _country_zones(number)
    )
    # The same rule as carrier.name_for_number, without recomputing the type.
    carrier = prefixes.carrier(e164[1:], code) if kind in CARRIER_TYPES else ""
    return Phone(
        e164=e164,
        region=home,
        timezones=tuple(TZ_ALIASES.get(z, z) for z in zones if z != "Etc/Unknown"),
        carrier=carrier or None,
        line_type=LINE_TYPES.get(kind, "unknown"),
        extension=extension or (number.extension or None),
    )


_COUNTRY_ZONES: dict[int, tuple[str, ...]] = {}


def _country_zones(number: phonenumbers.PhoneNumber) -> tuple[str, ...]:
    """The zones of a number whose type says nothing of place: its country's, which depend on the country
    code alone (asked once per code; the library's own call works the type out again every time)."""
    code = _calling_code(number)
    zones = _COUNTRY_ZONES.get(code)
    if zones is None:
        zones = _COUNTRY_ZONES[code] = tuple(pn_timezone.time_zones_for_number(number))
    return zones


def _calling_code(number: phonenumbers.PhoneNumber) -> int:
    """The calling code of a parsed number (parsing always sets it; the type says it may be absent)."""
    return number.country_code or 0


def normalize_email(raw: str) -> str | Rejected | None:
    """The lower-cased, IDN-normalized address, or the reason it is not one."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    if len(text) <= 254 and _SIMPLE_EMAIL.fullmatch(text) and len(text.partition("@")[0]) <= 64:
        return text.lower()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return Rejected(raw, f"not a valid email address: {exc}")
    return result.normalized.lower()


# What spreadsheets do to phone numbers: a number cell drops the "+" and leading zeros, an exported
# number may be in scientific notation (its last digits gone), and a formula is no value at all, except
# the ="0981234567" idiom people use to keep a leading zero.
SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
CONSTANT_FORMULA = re.compile(r'=\s*"([^"]*)"')
NUMBER_CELL = "number"
FORMULA_CELL = "formula"


def spreadsheet_text(text: str, mark: str | None) -> str | Rejected:
    """A cell's text as typed, undoing what a spreadsheet did where it can; a refusal says what it did."""
    if mark == FORMULA_CELL:
        return Rejected(text, "a formula cell, not a value: replace the formula with the number itself")
    if text.startswith("="):
        constant = CONSTANT_FORMULA.fullmatch(text)
        if constant:
            return constant.group(1)
        return Rejected(text, "a spreadsheet formula, not a value: replace the formula with the number itself")
    if SCIENTIFIC.fullmatch(text.strip()):
        return Rejected(
            text,
            "written in scientific notation, which drops the last digits: format the column "
            "as text in the spreadsheet and export again",
        )
    return text


def phone_from_cell(raw: str, mark: str | None, region: str | None) -> Phone | Rejected | None:
    """A phone number from a cell, undoing what a spreadsheet did to it where that can be done."""
    text = spreadsheet_text(raw, mark)
    if isinstance(text, Rejected):
        return text
    return numeric_phone(text, region) if mark == NUMBER_CELL and text.isdigit() else normalize_phone(text, region)


def numeric_phone(digits: str, region: str | None) -> Phone | Rejected | None:
    """A phone number a spreadsheet stored as a number: its "+" is gone (and maybe a leading 0), so it is
    read as international when that makes a valid number, else in `region`."""
    international = normalize_phone("+" + digits, None)
    if isinstance(international, Phone):
        return international
    return normalize_phone(digits, region)
