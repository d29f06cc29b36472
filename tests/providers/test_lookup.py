"""The Twilio Lookup v2 adapter against a stand-in that speaks Twilio's wire format."""

from __future__ import annotations

import asyncio

import pytest

from herald.providers import Permanent, Retryable
from herald.providers.lookup import Looked, TwilioLookup, answer
from tests.fakes.twilio_lookup import SID, TOKEN, FakeLookup, running

NCELL = {"type": "mobile", "carrier_name": "Ncell"}


def test_it_reads_line_type_carrier_and_validity() -> None:
    fake = FakeLookup(
        numbers={"+9779801234567": NCELL, "+9779841234567": {"type": "nonFixedVoip", "carrier_name": "Voxbone"}},
        busy={"+9779851234567"},
    )
    with running(fake):
        results = asyncio.run(
            TwilioLookup(SID, TOKEN, fake.url).lookup(
                ["+9779801234567", "+9779841234567", "+9779800000000", "+9779851234567"]
            )
        )
    assert results[0] == Looked("+9779801234567", True, "mobile", "Ncell", "NP")
    assert results[1].line_type == "voip"
    assert results[2] == Looked("+9779800000000", False, None, None, "NP", ("NOT_A_NUMBER",))
    assert results[3] == Retryable("Twilio 429 20429: Too Many Requests")
    assert sorted(fake.requests) == sorted(["+9779801234567", "+9779841234567", "+9779800000000", "+9779851234567"])


def test_wrong_credentials_are_a_permanent_refusal() -> None:
    with running(FakeLookup()) as fake:
        result = asyncio.run(TwilioLookup(SID, "wrong", fake.url).lookup(["+9779801234567"]))
    assert result == [Permanent("Twilio 401 20003: Authenticate")]


def test_an_unreachable_service_is_retried_later() -> None:
    result = asyncio.run(TwilioLookup(SID, TOKEN, "http://127.0.0.1:9", timeout=2).lookup(["+9779801234567"]))
    assert isinstance(result[0], Retryable) and "lookup failed" in result[0].reason


@pytest.mark.parametrize(
    ("status", "body", "retry_after", "expected"),
    [
        (
            404,
            {"code": 20404, "message": "Not found"},
            None,
            Looked("12", False, errors=("Twilio 404 20404: Not found",)),
        ),
        (503, "", "30", Retryable("Twilio 503", 30.0)),
        (500, None, "soon", Retryable("Twilio 500", None)),
        (400, {"code": 60600, "message": "Unprovisioned"}, None, Permanent("Twilio 400 60600: Unprovisioned")),
        (200, {"valid": True, "line_type_intelligence": {"type": "landline"}}, None, Looked("12", True, "fixed_line")),
        (200, {"valid": True, "line_type_intelligence": {"type": "satellite"}}, None, Looked("12", True, None)),
    ],
)
def test_answers_are_mapped_once(status, body, retry_after, expected) -> None:
    assert answer("12", status, body, retry_after) == expected
