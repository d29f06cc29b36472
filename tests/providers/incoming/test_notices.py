"""What Meta says of a WhatsApp account itself: quality, limits, restrictions and bans (pure)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from herald.providers.incoming.notices import BAN_PAUSE, RESTRICTION_PAUSE, meta_notices

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def body(*changes: tuple[str, object]) -> bytes:
    return json.dumps({"entry": [{"changes": [{"field": f, "value": v} for f, v in changes]}]}).encode()


@pytest.mark.parametrize(
    ("value", "event", "detail"),
    [
        ({"event": "FLAGGED", "display_phone_number": "15550001111"}, "FLAGGED", "15550001111's quality is low"),
        ({"event": "UNFLAGGED"}, "UNFLAGGED", "the number's quality recovered"),
        ({"event": "DOWNGRADE", "current_limit": "TIER_250"}, "DOWNGRADE", "lowered to TIER_250"),
        ({"event": "UPGRADE", "max_daily_conversations_per_business": "TIER_10K"}, "UPGRADE", "raised to TIER_10K"),
        ({"event": "ONBOARDING"}, "ONBOARDING", "the number: ONBOARDING, limit unchanged"),
    ],
)
def test_quality_and_limits_are_said_and_pause_nothing(value, event, detail):
    (notice,) = meta_notices(body(("phone_number_quality_update", value)), NOW)
    assert (notice.event, notice.pause) == (event, None) and detail in notice.detail


def test_a_ban_pauses_the_account_for_a_week():
    value = {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "2026-12-06"}}
    (notice,) = meta_notices(body(("account_update", value)), NOW)
    assert (notice.pause, notice.detail) == (BAN_PAUSE, "Meta banned the account (DISABLE)")


def test_a_restriction_on_business_messages_pauses_until_it_ends():
    ends = int((NOW + timedelta(hours=3)).timestamp())
    restriction = {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": ends}
    (notice,) = meta_notices(
        body(("account_update", {"event": "ACCOUNT_RESTRICTION", "restriction_info": [restriction]})), NOW
    )
    assert notice.pause == timedelta(hours=3) and notice.detail.endswith(f"until {ends}")
    open_ended = {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING"}
    (again,) = meta_notices(
        body(("account_update", {"event": "ACCOUNT_RESTRICTION", "restriction_info": [open_ended]})), NOW
    )
    assert again.pause == RESTRICTION_PAUSE and again.detail == "Meta restricted business-initiated messages"
    past = {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": int(NOW.timestamp()) - 60}
    (late,) = meta_notices(body(("account_update", {"restriction_info": [past]})), NOW)
    assert late.pause == timedelta(minutes=1)


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ({"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "SCAM"}}, "policy violation: SCAM"),
        (
            {
                "event": "ACCOUNT_RESTRICTION",
                "restriction_info": [{"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION"}],
            },
            "ACCOUNT_RESTRICTION",
        ),
        ({"event": "VERIFIED_ACCOUNT"}, "VERIFIED_ACCOUNT"),
    ],
)
def test_other_account_news_is_said_and_pauses_nothing(value, detail):
    (notice,) = meta_notices(body(("account_update", value)), NOW)
    assert (notice.detail, notice.pause) == (detail, None)


def test_messages_statuses_and_misshapen_changes_are_no_notices():
    assert meta_notices(body(("messages", {"messages": []}), ("account_update", "not a table")), NOW)[0].event == ""
    assert meta_notices(body(("messages", {})), NOW) == []
