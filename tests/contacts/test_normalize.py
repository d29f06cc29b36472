"""Phone and email normalization, table by table."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import timezone as pn_timezone

from herald.contacts.addresses.normalize import (
    TZ_ALIASES,
    Phone,
    Rejected,
    clean_region,
    normalize_email,
    normalize_phone,
    numeric_phone,
    phone_from_cell,
    spreadsheet_text,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164", "line", "zones"),
    [
        ("+977 9841234567", None, "+9779841234567", "mobile", ("Asia/Kathmandu",)),  # alias Katmandu fixed
        ("9841234567", "NP", "+9779841234567", "mobile", ("Asia/Kathmandu",)),
        ("00977 9841-234567", None, "+9779841234567", "mobile", ("Asia/Kathmandu",)),
        ("00977 9841-234567", "US", "+9779841234567", "mobile", ("Asia/Kathmandu",)),  # US dials 011, still +
        ("１３８００１３８０００", "CN", "+8613800138000", "mobile", ("Asia/Shanghai",)),  # full-width digits
        ("138 0013 8000", "CN", "+8613800138000", "mobile", ("Asia/Shanghai",)),
        ("(415) 555-2671", "US", "+14155552671", "fixed_line_or_mobile", ("America/Los_Angeles",)),
        ("081 123 4567", "NA", "+264811234567", "mobile", ("Africa/Windhoek",)),
        ("+55 (11) 91234-5678", None, "+5511912345678", "mobile", ("America/Sao_Paulo",)),
        ("098123.45678", "IN", "+919812345678", "mobile", ("Asia/Kolkata",)),
        ("+91 98123 45678", "NP", "+919812345678", "mobile", ("Asia/Kolkata",)),  # the + wins over the region
        ("020 7946 0018", "GB", "+442079460018", "fixed_line", ("Europe/London",)),
    ],
)
def test_valid_numbers(raw, region, e164, line, zones) -> None:
    phone = normalize_phone(raw, region)
    assert isinstance(phone, Phone), phone
    assert (phone.e164, phone.line_type, phone.timezones) == (e164, line, zones)


def test_number_facts_include_carrier_and_extension() -> None:
    phone = normalize_phone("+1 415 555 2671 ext. 12", None)
    assert isinstance(phone, Phone) and phone.extension == "12" and phone.e164 == "+14155552671"
    np = normalize_phone("+977 9841234567", None)
    assert np.carrier == "Nepal Telecom" and np.region == "NP"


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("12345", "NA", "too short"),
        ("abc", "US", "not a phone number"),
        ("+999 1234567", None, "invalid country code"),
        ("5551234", None, "no country code"),
        ("9841234567891234567", "NP", "too long"),
        ("138001380", "CN", "not a valid number for CN"),
        ("+1 555", None, "too short"),
    ],
)
def test_rejected_numbers_say_why(raw, region, reason) -> None:
    result = normalize_phone(raw, region)
    assert isinstance(result, Rejected) and result.value == raw
    assert reason in result.reason


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_phone_is_no_phone(raw) -> None:
    assert normalize_phone(raw, "NP") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Foo.Bar@Example.COM", "foo.bar@example.com"),
        (" sita@Bücher.de ", "sita@bücher.de"),
        ("", None),
        ("ＡＢＣ@example.com", "abc@example.com"),
    ],
)
def test_emails_are_normalized(raw, expected) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["user@", "@example.com", "first last@example.com", "no-email"])
def test_bad_emails_are_rejected_with_a_reason(raw) -> None:
    result = normalize_email(raw)
    assert isinstance(result, Rejected) and result.reason.startswith("not a valid email address")


@pytest.mark.parametrize(("raw", "code"), [("np", "NP"), (" us ", "US"), ("", None), (None, None)])
def test_regions(raw, code) -> None:
    assert clean_region(raw) == code


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="two-letter country code"):
        clean_region("Nepal")


@pytest.mark.parametrize(
    "raw",
    [
        "+447812345678",
        "+447911123456",
        "+919812345678",
        "+918123456789",
        "+18005550199",
        "+18885550123",
        "+264811234567",
        "+8613800138000",
    ],
)
def test_zones_are_the_librarys_own_for_every_kind_of_number(raw) -> None:
    # Numbers whose type says nothing of place get their country's zones from memory after the first.
    phone = normalize_phone(raw, None)
    expected = tuple(TZ_ALIASES.get(z, z) for z in pn_timezone.time_zones_for_number(phonenumbers.parse(raw)))
    assert isinstance(phone, Phone) and phone.timezones == expected


def test_a_00_prefix_means_plus_even_where_the_country_dials_otherwise() -> None:
    # Japan dials 010 abroad: read in Japan, "0044…" is a possible but invalid Japanese number.
    phone = normalize_phone("0044 7812 345678", "JP")
    assert isinstance(phone, Phone) and (phone.e164, phone.region, phone.line_type) == ("+447812345678", "GB", "mobile")
    assert "Europe/London" in phone.timezones


@pytest.mark.parametrize(
    ("text", "mark", "expected"),
    [
        ("+9779841234567", None, "+9779841234567"),
        ('="0981234567"', None, "0981234567"),  # the idiom that keeps a leading zero
        (
            "=A2*1",
            None,
            Rejected("=A2*1", "a spreadsheet formula, not a value: replace the formula with the number itself"),
        ),
        (
            "8613800138000",
            "formula",
            Rejected("8613800138000", "a formula cell, not a value: replace the formula with the number itself"),
        ),
        (
            "8.6138E+12",
            None,
            Rejected(
                "8.6138E+12",
                "written in scientific notation, which drops the last digits: "
                "format the column as text in the spreadsheet and export again",
            ),
        ),
        ("8613800138000", "number", "8613800138000"),
    ],
)
def test_spreadsheet_text(text, mark, expected) -> None:
    assert spreadsheet_text(text, mark) == expected


@pytest.mark.parametrize(
    ("digits", "region", "e164"),
    [
        ("8613800138000", "NP", "+8613800138000"),  # the "+" a number cell dropped
        ("9841234567", "NP", "+9779841234567"),  # no country code: read in the region
    ],
)
def test_numeric_phone(digits, region, e164) -> None:
    assert numeric_phone(digits, region).e164 == e164


@pytest.mark.parametrize(
    ("raw", "mark", "expected"),
    [
        ("8613800138000", "number", "+8613800138000"),  # a number cell lost its "+"
        ("9841234567", None, "+9779841234567"),
        ("=A1", None, None),  # refused
    ],
)
def test_phone_from_cell(raw, mark, expected) -> None:
    found = phone_from_cell(raw, mark, "NP")
    assert (found.e164 if isinstance(found, Phone) else None) == expected
    assert expected is not None or isinstance(found, Rejected)
