"""The channels' own rules, always checked: WhatsApp's template rules, marketing mail's unsubscribe link
and postal address, vendors' approved templates, and advice on length and lead. Pure."""

from __future__ import annotations

import re

from herald.content import vendors, whatsapp
from herald.content.lint.drafts import ERROR, WARNING, Draft, Finding, Profile, at, is_marketing

UNSUBSCRIBE = re.compile(r"unsubscribe|opt[ -]?out|退订|取消订阅|unsubscribe_url", re.IGNORECASE)
MARKETING_WORDS = (
    "sale",
    "discount",
    "offer",
    "% off",
    "promo",
    "coupon",
    "deal",
    "limited time",
    "buy now",
    "free gift",
    "优惠",
    "折扣",
    "促销",
    "限时",
    "特价",
    "抢购",
    "优惠券",
    "满减",
)


def whatsapp_rules(draft: Draft, profile: Profile) -> list[Finding]:
    """Parameters match the body, none at its very start or end, no marketing wording in UTILITY."""
    if draft.channel != "whatsapp" or not draft.category:
        return []
    body = draft.fields.get("body", "")
    found = [
        at(body, start, length, ERROR, "wa-params", message, "body")
        for start, length, message in whatsapp.parameter_problems(body, draft.params)
    ]
    if draft.category.upper() == "UTILITY":
        for start, word in _marketing_words(body):
            found.append(
                at(
                    body,
                    start,
                    len(word),
                    WARNING,
                    "wa-category",
                    f"{word!r} reads as marketing; Meta may recategorize this UTILITY template",
                    "body",
                )
            )
    return found


def _marketing_words(text: str) -> list[tuple[int, str]]:
    lowered = text.lower()
    return [(i, w) for w in MARKETING_WORDS if (i := lowered.find(w)) >= 0]


def email_rules(draft: Draft, profile: Profile) -> list[Finding]:
    """Marketing email carries an unsubscribe link and the sender's postal address."""
    if draft.channel != "email" or not is_marketing(draft):
        return []
    content = " ".join(draft.fields.get(k, "") or "" for k in ("html", "text"))
    found = []
    if not UNSUBSCRIBE.search(content):
        found.append(Finding(ERROR, "email-unsubscribe", "marketing email needs an unsubscribe link", "html"))
    if not profile.postal_address:
        found.append(
            Finding(
                ERROR,
                "email-address",
                "marketing email must show a postal address; set postal_address in herald.toml",
                "settings",
            )
        )
    elif _squash(profile.postal_address) not in _squash(content):
        found.append(
            Finding(
                ERROR,
                "email-address",
                f"marketing email must show the postal address ({profile.postal_address})",
                "html",
            )
        )
    return found


def _squash(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split()).lower()


def advice(draft: Draft, profile: Profile) -> list[Finding]:
    """Length and lead advice that costs money or attention when ignored."""
    found = []
    body = draft.fields.get("body", "")
    if draft.channel == "sms" and len(body) > 320:
        found.append(
            Finding(WARNING, "length", f"{len(body)} characters; texts over 320 are often cut or cost many segments")
        )
    if draft.channel in ("sms", "whatsapp") and body.lstrip().startswith("{{"):
        found.append(
            at(
                body,
                body.find("{{"),
                2,
                WARNING,
                "lead",
                "the message opens with a variable; a lock-screen preview shows only the first words",
                "body",
            )
        )
    subject = draft.fields.get("subject", "")
    if draft.channel == "email" and len(subject) > 78:
        found.append(
            Finding(
                WARNING,
                "subject-length",
                f"the subject has {len(subject)} characters; inboxes show about 60",
                "subject",
            )
        )
    if draft.channel == "email" and is_marketing(draft) and not draft.fields.get("preheader"):
        found.append(
            Finding(
                WARNING, "preheader", "no preheader; inboxes will show the first text of the body instead", "preheader"
            )
        )
    return found


def routes(draft: Draft, profile: Profile) -> list[Finding]:
    """A route some account of which sends only its vendor's approved templates, and this version names
    none: an error when no account of the route could carry it."""
    found = vendors.route_findings(draft.channel, draft.vendor_codes, profile.template_routes)
    return [Finding(severity, "vendor-template", message, "aliyun") for severity, message in found]
