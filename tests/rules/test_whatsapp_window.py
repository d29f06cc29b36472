"""WhatsApp's customer-service window, Meta's template approval and the +1 marketing block."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from herald.rules.builtin import RULES
from herald.rules.decision import Verdict
from herald.types import Channel
from tests.builders import SMS, WA, intent, params, recipient
from tests.conftest import NOW

RULE = RULES["whatsapp_window"]
US = {WA: "+14155552671"}


def judge(r, category=None, status=None, channel=WA, **overrides):
    it = replace(intent(channel), template_category=category, template_status=status)
    return RULE.evaluate(r, it, channel, params("whatsapp_window", **overrides), NOW)


@pytest.mark.parametrize(
    ("last_inbound_hours", "category", "status", "addresses", "verdict", "detail"),
    [
        (2, None, None, None, Verdict.PASS, "inside the customer-service window"),
        (23.9, None, None, None, Verdict.PASS, "inside"),
        (24, None, None, None, Verdict.SKIP, "free-form WhatsApp text needs the customer-service window"),
        (None, None, None, None, Verdict.SKIP, "no message from the customer"),
        (30, "UTILITY", "APPROVED", None, Verdict.PASS, "Meta-approved UTILITY template"),
        (None, "UTILITY", "PAUSED", None, Verdict.SKIP, "this one is PAUSED"),
        (None, "MARKETING", None, None, Verdict.SKIP, "this one is not submitted"),
        (None, "MARKETING", "APPROVED", US, Verdict.SKIP, "+1 (US) numbers"),
        (1, "MARKETING", "APPROVED", US, Verdict.SKIP, "+1 (US) numbers"),
        (None, "UTILITY", "approved", US, Verdict.PASS, "Meta-approved"),
    ],
)
def test_the_window_and_templates(last_inbound_hours, category, status, addresses, verdict, detail) -> None:
    kw = {}
    if last_inbound_hours is not None:
        kw["last_inbound"] = {Channel.WHATSAPP: NOW - timedelta(hours=last_inbound_hours)}
    if addresses:
        kw["addresses"] = addresses
    outcome = judge(recipient(**kw), category, status)
    assert outcome.verdict is verdict and detail in outcome.detail


def test_other_channels_pass_and_the_us_block_can_be_lifted() -> None:
    assert judge(recipient(), channel=SMS).detail == "applies to WhatsApp only"
    lifted = judge(recipient(addresses=US), "MARKETING", "APPROVED", block_us_marketing=False)
    assert lifted.verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"window_hours": 0}, "window_hours"),
        ({"window_hours": True}, "window_hours"),
        ({"block_us_marketing": "yes"}, "block_us_marketing"),
    ],
)
def test_bad_parameters_are_named(overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        RULE.check({**RULE.defaults, **overrides})
