"""The segment filter language, parsed into an AST. Pure: no database.

    expr   := or
    or     := and ("or" and)*
    and    := unary ("and" unary)*
    unary  := "not" unary | "(" expr ")" | term
    term   := "all" | FIELD ":" VALUE          VALUE: a bare word or a "double-quoted string"
            | "event:" TYPE ["count" OP N] ["within" N("d"|"h")]      OP: >= > = != <= <
            | ("rfm.r" | "rfm.f" | "rfm.m") OP N                      N: 1 to 5

Example: `tag:vip and region:NP and not tag:churned`, `consent:sms or has:email`,
`event:purchase count >= 2 within 90d`, `event:cart_abandoned within 1d and not event:purchase within 1d`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from herald.errors import Invalid
from herald.types import span

CHANNELS = ("sms", "whatsapp", "email")
LINES = ("mobile", "fixed_line", "fixed_line_or_mobile", "toll_free", "voip", "premium_rate",
         "shared_cost", "personal", "pager", "uan", "voicemail", "unknown")
FIELDS: dict[str, tuple[str, ...] | None] = {
    "tag": None, "region": None, "consent": CHANNELS, "suppressed": CHANNELS, "has": ("phone", "email"),
    "line": LINES, "tz": None, "carrier": None, "event": None, "segment": None,
    "stage": ("new", "active", "dormant", "churned", "potential"),
}
EVENT_TYPE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")
OPERATORS = (">=", ">", "=", "!=", "<=", "<")
KEYWORDS = ("and", "or", "not")
_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()"]+))')


@dataclass(frozen=True)
class Term:
    field: str
    value: str
    pos: int


@dataclass(frozen=True)
class EventTerm:
    """Contacts with `op count` events of a type, within a span before now (any time when None)."""

    type: str
    op: str = ">="
    count: int = 1
    within: timedelta | None = None
    pos: int = 0


@dataclass(frozen=True)
class ScoreTerm:
    """Contacts whose RFM score (r, f or m, 1 to 5) compares to a value; never-buyers have none."""

    score: str
    op: str
    value: int
    pos: int = 0


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class All:
    pass


Node = Term | EventTerm | ScoreTerm | Not | And | Or | All


def fail(text: str, pos: int, message: str) -> Invalid:
    return Invalid(message, where=f"segment {text!r} at column {pos + 1}")


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) tokens; kind is open, close, quoted or word."""
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise fail(text, pos + len(text[pos:]) - len(text[pos:].lstrip()), "unterminated string")
        kind = match.lastgroup
        start = match.start(kind)
        tokens.append((kind, match.group(kind), start))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take_keyword(self, word: str) -> bool:
        tok = self.peek()
        if tok and tok[0] == "word" and tok[1].lower() == word:
            self.i += 1
            return True
        return False

    def parse(self) -> Node:
        if not self.tokens:
            raise fail(self.text, 0, "the expression is empty")
        node = self.or_()
        if (tok := self.peek()) is not None:
            raise fail(self.text, tok[2], f"expected and, or or the end, found {tok[1]!r}")
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.take_keyword("or"):
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.unary()]
        while self.take_keyword("and"):
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        if self.take_keyword("not"):
            return Not(self.unary())
        tok = self.peek()
        if tok is None:
            raise fail(self.text, len(self.text), "expected a condition, found the end")
        if tok[0] == "open":
            self.i += 1
            node = self.or_()
            close = self.peek()
            if close is None or close[0] != "close":
                where = close[2] if close else len(self.text)
                raise fail(self.text, where, "expected ')'" + (f", found {close[1]!r}" if close else ""))
            self.i += 1
            return node
        if tok[0] != "word" or tok[1].lower() in KEYWORDS:
            raise fail(self.text, tok[2], f"expected a condition such as tag:vip, found {tok[1]!r}")
        self.i += 1
        return self.term(tok)

    def term(self, tok: tuple[str, str, int]) -> Node:
        word, pos = tok[1], tok[2]
        if word.lower() == "all":
            return All()
        if word.lower() in ("rfm.r", "rfm.f", "rfm.m"):
            return self.score(word.lower()[-1], pos)
        name, sep, value = word.partition(":")
        if not sep:
            raise fail(self.text, pos, f"expected FIELD:VALUE, found {word!r}")
        if not value:
            nxt = self.peek()
            if nxt is None or nxt[0] != "quoted":
                raise fail(self.text, pos + len(word), f"{name}: needs a value")
            self.i += 1
            value = nxt[1][1:-1].replace('\\"', '"').replace("\\\\", "\\")
        term = self.check(Term(name.lower(), value, pos))
        return self.event(term) if term.field == "event" else term

    def event(self, term: Term) -> EventTerm:
        if not EVENT_TYPE.fullmatch(term.value):
            raise fail(self.text, term.pos, f"event: {term.value!r} is not an event type such as purchase")
        op, count, within = ">=", 1, None
        if self.take_keyword("count"):
            op = self.word(OPERATORS, "an operator such as >=").lower()
            number = self.word(None, "a whole number")
            if not number.isdigit():
                raise fail(self.text, self.tokens[self.i - 1][2], f"count: {number!r} is not a whole number")
            count = int(number)
        if self.take_keyword("within"):
            word = self.word(None, "a span such as 30d or 24h")
            within = span(word)
            if within is None:
                raise fail(self.text, self.tokens[self.i - 1][2], f"within: {word!r} is not a span such as 30d or 24h")
        return EventTerm(term.value, op, count, within, term.pos)

    def score(self, letter: str, pos: int) -> ScoreTerm:
        op = self.word(OPERATORS, "an operator such as >=")
        number = self.word(None, "a score from 1 to 5")
        if number not in ("1", "2", "3", "4", "5"):
            raise fail(self.text, self.tokens[self.i - 1][2], f"rfm.{letter}: {number!r} is not a score from 1 to 5")
        return ScoreTerm(letter, op, int(number), pos)

    def word(self, allowed: tuple[str, ...] | None, wanted: str) -> str:
        tok = self.peek()
        if tok is None or tok[0] != "word" or (allowed and tok[1] not in allowed):
            where = tok[2] if tok else len(self.text)
            raise fail(self.text, where, f"expected {wanted}" + (f", found {tok[1]!r}" if tok else ""))
        self.i += 1
        return tok[1]

    def check(self, term: Term) -> Term:
        if term.field not in FIELDS:
            raise fail(self.text, term.pos, f"unknown field {term.field!r} (known: {', '.join(FIELDS)})")
        allowed = FIELDS[term.field]
        if allowed and term.value.lower() not in allowed:
            raise fail(self.text, term.pos, f"{term.field}: {term.value!r} is not one of {', '.join(allowed)}")
        if term.field == "region" and not re.fullmatch(r"[A-Za-z]{2}", term.value):
            raise fail(self.text, term.pos, f"region: {term.value!r} is not a two-letter country code")
        value = term.value.upper() if term.field == "region" else term.value
        value = value.lower() if allowed else value
        return Term(term.field, value, term.pos)


def parse(text: str) -> Node:
    """Parse a segment expression; errors name the column."""
    return _Parser(text).parse()


def tags_in(node: Node, field: str = "tag") -> set[str]:
    """Every value of a field (tag names by default) the expression mentions."""
    if isinstance(node, Term):
        return {node.value} if node.field == field else set()
    if isinstance(node, Not):
        return tags_in(node.item, field)
    if isinstance(node, And | Or):
        return set().union(*(tags_in(i, field) for i in node.items))
    return set()


def replace_terms(node: Node, field: str, swap) -> Node:
    """The tree with every term of `field` replaced by `swap(term)`."""
    if isinstance(node, Term) and node.field == field:
        return swap(node)
    if isinstance(node, Not):
        return Not(replace_terms(node.item, field, swap))
    if isinstance(node, And):
        return And(tuple(replace_terms(i, field, swap) for i in node.items))
    if isinstance(node, Or):
        return Or(tuple(replace_terms(i, field, swap) for i in node.items))
    return node
