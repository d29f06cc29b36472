"""Compliance lint: what a template breaks before anyone sends it. Pure.

Jurisdiction checks (China's 【signature】 and 退订 text, the US's STOP/HELP and sender name) are switched on
and parameterized by the `[lint]` table of the same presets the rules engine reads; channel checks
(WhatsApp's template rules, marketing email's unsubscribe link and postal address), banned words, link
domains and advice always run. Errors block approval; warnings inform.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ahocorasick

from herald.content import vendors, whatsapp
from herald.content.channels import lint_fields
from herald.content.vendors import TemplateRoute

ERROR, WARNING = "error", "warning"
URL = re.compile(r"""(?:https?://|www\.)[^\s<>"'{}]+""", re.IGNORECASE)
SHORTENERS = frozenset({"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "t.cn", "dwz.cn"})
UNSUBSCRIBE = re.compile(r"unsubscribe|opt[ -]?out|退订|取消订阅|unsubscribe_url", re.IGNORECASE)
SIGNATURE = re.compile(r"【([^【】]*)】")
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


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    code: str
    message: str
    field: str = "body"
    line: int | None = None
    column: int | None = None
    length: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Draft:
    """What lint reads of a template version: its channel, purpose and each text field as written."""

    channel: str
    purpose: str
    fields: Mapping[str, str]
    category: str | None = None  # WhatsApp
    params: Mapping[str, str] = field(default_factory=dict)  # WhatsApp {{n}} -> Herald expression
    vendor_codes: frozenset[str] = frozenset()  # vendors whose approved template the version names (aliyun)


@dataclass(frozen=True)
class Profile:
    """The sender's settings and the preset's `[lint]` table."""

    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sender_names: tuple[str, ...] = ()
    postal_address: str | None = None
    help_reply: str | None = None
    link_domains: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    template_routes: tuple[TemplateRoute, ...] = ()  # routes with accounts that send only approved templates


def at(source: str, start: int, length: int, severity: str, code: str, message: str, name: str) -> Finding:
    """A finding pointing at `length` characters from `start` in one field."""
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1) + 1
    return Finding(severity, code, message, name, line, column, length)


def lint(draft: Draft, profile: Profile) -> list[Finding]:
    """Every finding for one template version, errors first."""
    found: list[Finding] = []
    for name, check in JURISDICTION.items():
        if name in profile.checks:
            found += check(draft, profile, dict(profile.checks[name]))
    for always in ALWAYS:
        found += always(draft, profile)
    return sorted(found, key=lambda f: (f.severity != ERROR, f.field, f.line or 0, f.column or 0))


def unknown_checks(checks: Iterable[str]) -> list[str]:
    """Names in a preset's `[lint]` table that no check answers to."""
    return sorted(set(checks) - set(JURISDICTION))


def _texts(draft: Draft) -> list[tuple[str, str]]:
    return [(k, v) for k, v in draft.fields.items() if v]


def _marketing(draft: Draft) -> bool:
    return draft.purpose == "marketing" or (draft.category or "").upper() == "MARKETING"


# --- jurisdiction checks (switched on by presets) ---------------------------------------------------


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
    sig = edge[0]
    found = []
    name = sig.group(1)
    if not lo <= len(name) <= hi:
        found.append(
            at(
                body,
                sig.start(),
                len(sig.group(0)),
                ERROR,
                "cn-signature",
                f"the signature has {len(name)} characters; {lo}-{hi} are allowed",
                "body",
            )
        )
    if name.isdigit():
        found.append(
            at(
                body,
                sig.start(),
                len(sig.group(0)),
                ERROR,
                "cn-signature",
                "the signature may not be digits only",
                "body",
            )
        )
    for other in marks:
        if other is not sig:
            found.append(
                at(
                    body,
                    other.start(),
                    len(other.group(0)),
                    ERROR,
                    "cn-brackets",
                    "【】 is reserved for the signature; use other brackets in the text",
                    "body",
                )
            )
    return found


def opt_out(draft: Draft, profile: Profile, params: dict[str, Any]) -> list[Finding]:
    """Marketing texts carry an opt-out phrase from the preset's list (e.g. 回T退订, Reply STOP)."""
    if draft.channel not in params.get("channels", ["sms"]) or not _marketing(draft):
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
    if draft.channel != "sms" or not _marketing(draft):
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


# --- channel checks, banned words, links and advice (always) ----------------------------------------


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
    if draft.channel != "email" or not _marketing(draft):
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


def banned_words(draft: Draft, profile: Profile) -> list[Finding]:
    """Words from the banned list, in any text field."""
    if not profile.banned_words:
        return []
    found = []
    for name, source in _texts(draft):
        for start, word in find_words(source, profile.banned_words):
            found.append(
                at(source, start, len(word), ERROR, "banned-word", f"{word!r} is on the banned-words list", name)
            )
    return found


@lru_cache(maxsize=32)
def _automaton(words: tuple[str, ...]) -> ahocorasick.Automaton:
    machine = ahocorasick.Automaton()
    for word in words:
        machine.add_word(word.lower(), word)
    machine.make_automaton()
    return machine


def find_words(text: str, words: tuple[str, ...]) -> list[tuple[int, str]]:
    """(offset, word) of each listed word in text: one pass, case-insensitive, whole words for Latin script."""
    words = tuple(sorted({w for w in words if w.strip()}))
    if not words:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):
        # Lower-casing changed the length (e.g. 'İ'), so offsets would drift; scan the original instead.
        lowered = text
    hits = []
    for end, word in _automaton(words).iter(lowered):
        start = end - len(word) + 1
        if not word.isascii() or _whole_word(lowered, start, end + 1):
            hits.append((start, word))
    return hits


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def links(draft: Draft, profile: Profile) -> list[Finding]:
    """Links only to allowed domains; public shorteners are filtered by carriers."""
    found = []
    for name, source in _texts(draft):
        for match in URL.finditer(source):
            host = _host(match.group(0))
            if host in SHORTENERS:
                found.append(
                    at(
                        source,
                        match.start(),
                        len(match.group(0)),
                        WARNING,
                        "link-shortener",
                        f"{host} is a public link shortener; carriers often filter these",
                        name,
                    )
                )
            elif profile.link_domains and not any(host == d or host.endswith("." + d) for d in profile.link_domains):
                found.append(
                    at(
                        source,
                        match.start(),
                        len(match.group(0)),
                        ERROR,
                        "link-domain",
                        f"{host} is not an allowed link domain ({', '.join(profile.link_domains)})",
                        name,
                    )
                )
    return found


def _host(url: str) -> str:
    rest = re.sub(r"^(https?://)?", "", url, flags=re.IGNORECASE)
    return re.split(r"[/:?#]", rest, maxsplit=1)[0].lower().removeprefix("www.")


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
    if draft.channel == "email" and _marketing(draft) and not draft.fields.get("preheader"):
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


ALWAYS: tuple[Callable[[Draft, Profile], list[Finding]], ...] = (
    whatsapp_rules,
    routes,
    email_rules,
    banned_words,
    links,
    advice,
)


def lint_content(channel: str, purpose: str, content: Mapping[str, Any], profile: Profile) -> list[Finding]:
    """Lint one version's stored content."""
    params = dict(content.get("params", {})) if channel == "whatsapp" else {}
    fields, codes = lint_fields(channel, content), vendors.codes(content)
    return lint(Draft(channel, purpose, fields, content.get("category"), params, codes), profile)
