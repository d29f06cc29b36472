"""Automatic tag rules as data: read a stored or submitted definition into a checked rule. Pure.

    {"kind": "event", "event": "page_view", "where": "category = \"shoes\"", "count": 3, "within": "7d",
     "tag": "interested:{category}", "expires": "30d"}
    {"kind": "keyword", "keywords": ["price", "价格"], "synonyms": {"price": ["cost", "多少钱"]},
     "tag": "asked:price", "expires": "90d"}

A `{property}` in an event rule's tag names a tag per value: `bought:{product}` gives `bought:A`,
`bought:B`…, counting each product's events apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from herald.errors import Invalid

# A pure module imports pure modules by their own names, so that the purity contract can follow them.
from herald.segments.dsl import Node, parse_conditions
from herald.segments.tokens import EVENT_TYPE, NAME
from herald.types import span

KINDS = ("event", "keyword")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
TAG_TEXT = re.compile(r"[\w:.\-]+")
RULE_NAME = re.compile(r"[\w][\w:.\-]{0,63}")
_UNSAFE = re.compile(r"[^\w.\-]+")
FIELDS = {
    "event": ("kind", "event", "where", "count", "within", "tag", "expires", "category", "description"),
    "keyword": (
        "kind",
        "keywords",
        "synonyms",
        "tag",
        "expires",
        "within",
        "event",
        "field",
        "category",
        "description",
    ),
}


@dataclass(frozen=True)
class EventRule:
    """Tag contacts with at least `count` events of a type whose properties pass `where`, in `within`."""

    event: str
    tag: str
    where: Node | None = None
    count: int = 1
    within: timedelta | None = None
    expires: timedelta | None = None
    groups: tuple[str, ...] = ()  # the properties the tag's {placeholders} name


@dataclass(frozen=True)
class KeywordRule:
    """Tag contacts whose text (`field` of `event` events: inbound replies) says a keyword or a synonym."""

    keywords: tuple[str, ...]
    tag: str
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    expires: timedelta | None = None
    within: timedelta | None = None
    event: str = "message.replied"
    field: str = "text"

    def words(self) -> tuple[str, ...]:
        """Every keyword and synonym: saying any of them is a match."""
        return self.keywords + tuple(s for _, group in self.synonyms for s in group)


Rule = EventRule | KeywordRule


def read_rule(definition: Mapping[str, Any]) -> Rule:
    """A checked rule from its definition; errors name the field and the reason."""
    if not isinstance(definition, Mapping):
        raise Invalid("expected an object with kind, tag and the rule's fields", where="rule")
    kind = definition.get("kind")
    if kind not in KINDS:
        raise Invalid(f"expected event or keyword, got {kind!r}", where="rule kind")
    unknown = sorted(set(definition) - set(FIELDS[kind]))
    if unknown:
        raise Invalid(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(FIELDS[kind])})", where="rule")
    return _event_rule(definition) if kind == "event" else _keyword_rule(definition)


def _event_rule(d: Mapping[str, Any]) -> EventRule:
    event = _text(d, "event")
    if not EVENT_TYPE.fullmatch(event):
        raise Invalid(f"{event!r} is not an event type such as purchase", where="rule event")
    where = None
    if d.get("where") not in (None, ""):
        try:
            where = parse_conditions(_text(d, "where"))
        except Invalid as err:
            raise Invalid(err.reason, where=f"rule where ({(err.where or '').split(' at ')[-1]})") from None
    count = d.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100_000:
        raise Invalid(f"expected a whole number from 1 to 100000, got {count!r}", where="rule count")
    tag = _text(d, "tag")
    groups = tuple(PLACEHOLDER.findall(tag))
    for name in groups:
        if not NAME.fullmatch(name):
            raise Invalid(f"{{{name}}} is not a property name", where="rule tag")
    _check_tag(PLACEHOLDER.sub("x", tag))
    return EventRule(event, tag, where, count, _span(d, "within"), _span(d, "expires"), tuple(dict.fromkeys(groups)))


def _keyword_rule(d: Mapping[str, Any]) -> KeywordRule:
    keywords = d.get("keywords")
    if not isinstance(keywords, list | tuple) or not keywords:
        raise Invalid("give at least one keyword", where="rule keywords")
    words = tuple(_word(k, "rule keywords") for k in keywords)
    synonyms = d.get("synonyms") or {}
    if not isinstance(synonyms, Mapping):
        raise Invalid("expected an object of keyword: [synonyms]", where="rule synonyms")
    groups = []
    for key, group in synonyms.items():
        if key not in words:
            raise Invalid(f"{key!r} is not one of the rule's keywords", where="rule synonyms")
        if not isinstance(group, list | tuple) or not group:
            raise Invalid(f"expected a list of synonyms for {key!r}", where="rule synonyms")
        groups.append((key, tuple(_word(s, f"rule synonyms of {key!r}") for s in group)))
    tag = _text(d, "tag")
    if PLACEHOLDER.search(tag):
        raise Invalid("a keyword rule names one tag; {placeholders} are for event rules", where="rule tag")
    _check_tag(tag)
    event = d.get("event") or "message.replied"
    if not isinstance(event, str) or not EVENT_TYPE.fullmatch(event):
        raise Invalid(f"{event!r} is not an event type such as message.replied", where="rule event")
    field = d.get("field") or "text"
    if not isinstance(field, str) or not NAME.fullmatch(field):
        raise Invalid(f"{field!r} is not a property name", where="rule field")
    return KeywordRule(words, tag, tuple(groups), _span(d, "expires"), _span(d, "within"), event, field)


def _text(d: Mapping[str, Any], key: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid("required: give a text", where=f"rule {key}")
    return value.strip()


def _word(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"expected a non-empty text, got {value!r}", where=where)
    return value.strip()


def _span(d: Mapping[str, Any], key: str) -> timedelta | None:
    raw = d.get(key)
    if raw in (None, ""):
        return None
    found = span(raw) if isinstance(raw, str) else None
    if found is None or found <= timedelta(0):
        raise Invalid(f"expected a span such as 30d or 24h, got {raw!r}", where=f"rule {key}")
    return found


def _check_tag(tag: str) -> None:
    if len(tag) > 64 or not TAG_TEXT.fullmatch(tag):
        raise Invalid(f"{tag!r} is not a tag name (letters, digits, _ : . - ; up to 64)", where="rule tag")


def tag_for(rule: EventRule, values: tuple[str | None, ...]) -> str | None:
    """The tag name for one group of events: the template with each {property} filled in (made safe for a
    tag name), or None when an event lacks the property."""
    texts = [(v or "").strip() for v in values]
    if not all(texts):
        return None
    filled = dict(zip(rule.groups, (_UNSAFE.sub("_", v).strip("_") or "_" for v in texts), strict=True))
    return PLACEHOLDER.sub(lambda m: filled[m.group(1)], rule.tag)[:64]


def canonical(rule_definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition as stored: the given fields, empty ones left out, after reading it succeeds."""
    read_rule(rule_definition)
    return {k: v for k, v in rule_definition.items() if v not in (None, "", [], {})}
