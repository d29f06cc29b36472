"""What Meta says of a WhatsApp account itself, in the same webhook as its messages: the phone number's
quality and messaging limit (`phone_number_quality_update`) and the account's standing (`account_update`:
a restriction, a ban, a policy violation). Pure: the body in, notices out. A restriction on
business-initiated messages or a ban pauses the account's sending — until the restriction's expiry, or
for a week for a ban, when the circuit tries again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from herald.providers.incoming.receipts import dicts_in, json_object

BAN_PAUSE = timedelta(days=7)
RESTRICTION_PAUSE = timedelta(hours=24)  # when Meta gives no expiry
STOPS_SENDING = "RESTRICTED_BIZ_INITIATED_MESSAGING"
BANNED = ("DISABLE", "SCHEDULE_FOR_DISABLE")


@dataclass(frozen=True)
class AccountNotice:
    """One thing Meta said of the account, and how long sending must pause for it (None: it need not)."""

    field: str
    event: str
    detail: str
    pause: timedelta | None = None


def meta_notices(body: bytes, now: datetime) -> list[AccountNotice]:
    """The quality and account updates in a WhatsApp webhook (messages and statuses are read elsewhere)."""
    data = json_object(body)
    changes = [c for e in dicts_in(data, "entry") for c in dicts_in(e, "changes")]
    found = []
    for change in changes:
        value = _table(change, "value")
        if change.get("field") == "phone_number_quality_update":
            found.append(_quality(value))
        elif change.get("field") == "account_update":
            found.append(_account(value, now))
    return found


def _quality(value: dict[str, Any]) -> AccountNotice:
    event = str(value.get("event") or "")
    limit = value.get("max_daily_conversations_per_business") or value.get("current_limit") or "unchanged"
    number = value.get("display_phone_number") or "the number"
    said = {
        "FLAGGED": f"{number}'s quality is low: Meta lowers its messaging limit if it stays so",
        "UNFLAGGED": f"{number}'s quality recovered",
        "DOWNGRADE": f"{number}'s messaging limit was lowered to {limit}",
        "UPGRADE": f"{number}'s messaging limit was raised to {limit}",
    }
    return AccountNotice("phone_number_quality_update", event, said.get(event, f"{number}: {event}, limit {limit}"))


def _account(value: dict[str, Any], now: datetime) -> AccountNotice:
    event = str(value.get("event") or "")
    ban = _table(value, "ban_info")
    if str(ban.get("waba_ban_state") or "") in BANNED:
        return AccountNotice("account_update", event, f"Meta banned the account ({ban['waba_ban_state']})", BAN_PAUSE)
    for restriction in dicts_in(value, "restriction_info"):
        if restriction.get("restriction_type") == STOPS_SENDING:
            return AccountNotice("account_update", event, _restricted(restriction), _until(restriction, now))
    violation = _table(value, "violation_info")
    detail = f"policy violation: {violation['violation_type']}" if violation.get("violation_type") else event
    return AccountNotice("account_update", event, detail)


def _table(value: dict[str, Any], key: str) -> dict[str, Any]:
    found = value.get(key)
    return found if isinstance(found, dict) else {}


def _restricted(restriction: dict[str, Any]) -> str:
    until = restriction.get("expiration")
    return "Meta restricted business-initiated messages" + (f" until {until}" if until else "")


def _until(restriction: dict[str, Any], now: datetime) -> timedelta:
    stamp = restriction.get("expiration")
    if isinstance(stamp, int) and not isinstance(stamp, bool):
        return max(datetime.fromtimestamp(stamp, UTC) - now, timedelta(minutes=1))
    return RESTRICTION_PAUSE
