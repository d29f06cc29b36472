"""The jurisdictions' checks, switched on and parameterized by a preset's `[lint]` table: China's
【signature】 and 退订 text, the US's STOP/HELP wording and sender name. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from herald.content.lint.drafts import ERROR, Draft, Finding, Profile, at, is_marketing

SIGNATURE = re.compile(r"【([^【】]*)】")


def cn_signature(draft: Draft, profile: Profile, params: dict[str, Any]) -> list[Finding]:
    """China: one 【signature】 at the very start or end, 2-16 characters, not digits only."""
    if draft.channel != "sms":
        return []
    body = draft.fields.get("body", "")
    lo, hi = int(params.get("min", 2)), int(params.get("max", 16))
    marks = list(SIGNATURE.finditer(body))
    stripped = body.strip()
    edge = [m for m in marks if stripped.startswith(m.group(0)) or stripped.endswith(m.group(0))]
    if not edge:
        return [Finding(ERROR, "cn-signature", "Chinese SMS must start or end with a 【signature】 naming the sender")]
    sig, name = edge[0], edge[0].group(1)
    found = []
    if not lo <= len(name) <= hi:
        found.append(
            _marked(body, sig, "cn-signature", f"the signature has {len(name)} characters; {lo}-{hi} are allowed")
        )
    if name.isdigit():
        found.append(_marked(body, sig, "cn-signature", "the signature may not be digits only"))
    reserved = "【】 is reserved for the signature; use other brackets in the text"
    found += [_marked(body, other, "cn-brackets", reserved) for other in marks if other is not sig]
    return found


def _marked(body: str, mark: re.Match[str], code: str, message: str) -> Finding:
    """An error pointing at a 【…】 mark of the body."""
    return at(body, mark.start(), len(mark.group(0)), ERROR, code, message, "body")


def opt_out(draft: Draft, profile: Profile, params: dict[str, Any]) -> list[Finding]:
    """Marketing texts carry an opt-out phrase from the preset's list (e.g. 回T退订, Reply STOP)."""
    if draft.channel not in params.get("channels", ["sms"]) or not is_marketing(draft):
        return []
    phrases = list(params.get("phrases", []))
    body = draft.fields.get("body", "") or draft.fields.get("text", "")
    if any(_contains_phrase(body, p) for p in phrases):
        return []
    return [
        Finding(
            ERROR,
            "opt-out",
            f"marketing messages must tell how to opt out, e.g. {phrases[0]!r}"
            if phrases
            else "marketing messages must tell how to opt out",
        )
    ]


def _contains_phrase(text: str, phrase: str) -> bool:
    if phrase.isascii():
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(phrase)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None
    return phrase in text


def sender_id(draft: Draft, profile: Profile, params: dict[str, Any]) -> list[Finding]:
    """US: a marketing text names the business sending it."""
    if draft.channel != "sms" or not is_marketing(draft):
        return []
    if not profile.sender_names:
        return [
            Finding(
                ERROR,
                "sender-id",
                "marketing texts must identify the sender; set sender_name in herald.toml so lint can check it",
            )
        ]
    body = draft.fields.get("body", "")
    if any(n.lower() in body.lower() for n in profile.sender_names):
        return []
    return [Finding(ERROR, "sender-id", f"marketing texts must identify the sender ({profile.sender_names[0]})")]


def help_reply(draft: Draft, profile: Profile, params: dict[str, Any]) -> list[Finding]:
    """US: a reply to HELP must be configured before texting."""
    if draft.channel != "sms" or profile.help_reply:
        return []
    return [Finding(ERROR, "help-reply", "no reply to HELP is configured (setting help_reply)", "settings")]


JURISDICTION: dict[str, Callable[[Draft, Profile, dict[str, Any]], list[Finding]]] = {
    "cn_signature": cn_signature,
    "opt_out": opt_out,
    "sender_id": sender_id,
    "help_reply": help_reply,
}
