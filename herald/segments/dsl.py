"""The segment filter language, parsed into an AST. Pure: no database.

    expr   := or
    or     := and ("or" and)*
    and    := unary ("and" unary)*
    unary  := "not" unary | "(" expr ")" | term
    term   := "all" | FIELD ":" VALUE          VALUE: a bare word or a "double-quoted string"
            | event ["where" cond] ["count" OP N] ["within" N("d"|"h")]      OP: >= > = != <= <
            | ("rfm.r" | "rfm.f" | "rfm.m") OP N                      N: 1 to 5
            | "attr." NAME test
    event  := "event:" TYPE | "last_" TYPE | "clicked" | "replied" | "read" | "delivered"
            | "no_click" | "no_reply" | "no_read"          (the negations of the engagement events)
    cond   := NAME test | "(" conds joined by and / or / not ")"
    test   := OP LITERAL | "in" "(" LITERAL ("," LITERAL)* ")" | "contains" TEXT | "within" SPAN
    LITERAL:= "text" | NUMBER | YYYY-MM-DD | a bare word (text)

Example: `tag:vip and region:NP and not tag:churned`, `consent:sms or has:email`,
`event:purchase count >= 2 within 90d`, `event:cart_abandoned within 1d and not event:purchase within 1d`,
`attr.city = "北京" and attr.age >= 30`, `event:purchase where product in ("A", "B") within 30d`,
`clicked within 7d`, `no_reply within 90d`, `last_purchase within 30d`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from herald.segments.nodes import (
    All,
    And,
    AttrTerm,
    Compare,
    EventTerm,
    Node,
    Not,
    Or,
    ScoreTerm,
    Term,
    attributes_in,
    replace_terms,
    tags_in,
)
from herald.segments.tokens import (
    DATE,
    ENGAGEMENT,
    EVENT_TYPE,
    FIELDS,
    KEYWORDS,
    MAX_CONDITIONS,
    MAX_NESTING,
    NAME,
    NEGATED,
    NUMBER,
    OPERATORS,
    Token,
    fail,
    tokenize,
    unquote,
)
from herald.types import span

# The tree (`nodes`) is part of this module's interface.
__all__ = [
    "All",
    "And",
    "attributes_in",
    "AttrTerm",
    "Compare",
    "EventTerm",
    "Node",
    "Not",
    "Or",
    "parse",
    "parse_conditions",
    "replace_terms",
    "ScoreTerm",
    "tags_in",
    "Term",
]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.leaf = self.term  # what a bare word starts: a segment term, or a property condition in `where`
        self.depth = self.conditions = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take_keyword(self, word: str) -> bool:
        tok = self.peek()
        if tok and tok.kind == "word" and tok.text.lower() == word:
            self.i += 1
            return True
        return False

    def parse(self) -> Node:
        if not self.tokens:
            raise fail(self.text, 0, "the expression is empty")
        node = self.or_()
        if (tok := self.peek()) is not None:
            raise fail(self.text, tok.pos, f"expected and, or or the end, found {tok.text!r}")
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
        nots = 0
        while self.take_keyword("not"):  # counted, not recursed: `not not x` is x, however many there are
            nots += 1
        node = self.operand()
        return Not(node) if nots % 2 else node

    def operand(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise fail(self.text, len(self.text), "expected a condition, found the end")
        if tok.kind == "open":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise fail(self.text, tok.pos, f"parentheses nested more than {MAX_NESTING} deep")
            self.i += 1
            node = self.or_()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != "close":
                where = close.pos if close else len(self.text)
                raise fail(self.text, where, "expected ')'" + (f", found {close.text!r}" if close else ""))
            self.i += 1
            return node
        if tok.kind != "word" or tok.text.lower() in KEYWORDS:
            example = "tag:vip" if self.leaf == self.term else 'product = "A"'
            raise fail(self.text, tok.pos, f"expected a condition such as {example}, found {tok.text!r}")
        self.i += 1
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise fail(
                self.text,
                tok.pos,
                f"more than {MAX_CONDITIONS} conditions; save parts of it as segments "
                "(segment:NAME) or use tag and `in (…)` lists",
            )
        return self.leaf(tok)

    def term(self, tok: Token) -> Node:
        word, pos = tok.text, tok.pos
        lower = word.lower()
        if lower == "all":
            return All()
        if lower in ("rfm.r", "rfm.f", "rfm.m"):
            return self.score(lower[-1], pos)
        if lower.startswith("attr."):
            return AttrTerm(self.test(self.name(word[5:], pos + 5), pos))
        if lower in ENGAGEMENT:
            return self.event(ENGAGEMENT[lower], pos)
        if lower in NEGATED:
            return Not(self.event(NEGATED[lower], pos))
        if lower.startswith("last_"):
            return self.last(lower[5:], pos)
        name, sep, value = word.partition(":")
        if not sep:
            raise fail(self.text, pos, f"expected FIELD:VALUE, found {word!r}")
        if not value:
            nxt = self.peek()
            if nxt is None or nxt.kind != "quoted":
                raise fail(self.text, pos + len(word), f"{name}: needs a value")
            self.i += 1
            value = unquote(nxt.text)
        term = self.check(Term(name.lower(), value, pos))
        return self.event(term.value, term.pos) if term.field == "event" else term

    def event(self, kind: str, pos: int) -> EventTerm:
        if not EVENT_TYPE.fullmatch(kind):
            raise fail(self.text, pos, f"event: {kind!r} is not an event type such as purchase")
        where, op, count, within = None, ">=", 1, None
        if self.take_keyword("where"):
            where = self.where()
        if self.take_keyword("count"):
            op = self.operator()
            number = self.word("a whole number")
            if not number.isdigit():
                raise fail(self.text, self.tokens[self.i - 1].pos, f"count: {number!r} is not a whole number")
            count = int(number)
        if self.take_keyword("within"):
            within = self.span()
        return EventTerm(kind, op, count, within, pos, where)

    def last(self, kind: str, pos: int) -> EventTerm:
        """`last_purchase within 30d`: the latest such event is that recent, i.e. there is one in the span."""
        term = self.event(kind, pos)
        if term.within is None or (term.op, term.count) != (">=", 1):
            raise fail(self.text, pos, f"last_{kind} takes only a span, as in last_{kind} within 30d")
        return term

    def where(self) -> Node:
        """One property condition, or a parenthesized group of them joined by and, or and not."""
        tok = self.peek()
        if tok is None or tok.kind != "open":
            name = self.word('a property condition such as product = "A"')
            return self.test(self.name(name, self.tokens[self.i - 1].pos), self.tokens[self.i - 1].pos)
        self.leaf = self.condition
        try:
            return self.unary()
        finally:
            self.leaf = self.term

    def condition(self, tok: Token) -> Node:
        return self.test(self.name(tok.text, tok.pos), tok.pos)

    def name(self, name: str, pos: int) -> str:
        if not NAME.fullmatch(name):
            raise fail(self.text, pos, f"{name!r} is not a field name (a letter, then letters, digits, _ . -)")
        return name

    def test(self, name: str, pos: int) -> Compare | Or:
        tok = self.peek()
        if tok is not None and tok.kind == "op":
            op = self.operator()
            value, kind, at = self.literal(name)
            if op not in ("=", "!=") and kind not in ("number", "date"):
                raise fail(self.text, at, f"{name}: {op} needs a number or a date, found {value!r}")
            return Compare(name, op, value, kind, pos)
        if self.take_keyword("in"):
            return self.members(name, pos)
        if self.take_keyword("contains"):
            value, _, _ = self.literal(name, raw=True)
            return Compare(name, "contains", value, "text", pos)
        if self.take_keyword("within"):
            return Compare(name, "within", self.span(), "span", pos)
        where = tok.pos if tok else len(self.text)
        raise fail(self.text, where, f"{name}: expected an operator such as =, in, contains or within")

    def members(self, name: str, pos: int) -> Compare | Or:
        tok = self.peek()
        if tok is None or tok.kind != "open":
            where = tok.pos if tok else len(self.text)
            raise fail(self.text, where, f'{name} in: expected a list such as ("a", "b")')
        self.i += 1
        items = []
        while True:
            value, kind, _ = self.literal(name)
            items.append(Compare(name, "=", value, kind, pos))
            tok = self.peek()
            self.i += 1
            if tok is not None and tok.kind == "close":
                return items[0] if len(items) == 1 else Or(tuple(items))
            if tok is None or tok.kind != "comma":
                where = tok.pos if tok else len(self.text)
                raise fail(self.text, where, f"{name} in: expected ',' or ')'")

    def literal(self, name: str, raw: bool = False) -> tuple[str | float, str, int]:
        """(value, kind, position) of a value: "quoted" text, a number, a YYYY-MM-DD date or a bare word."""
        tok = self.peek()
        if tok is None or tok.kind not in ("quoted", "word"):
            where = tok.pos if tok else len(self.text)
            raise fail(self.text, where, f"{name}: expected a value" + (f", found {tok.text!r}" if tok else ""))
        self.i += 1
        if tok.kind == "quoted" or raw:
            return (unquote(tok.text) if tok.kind == "quoted" else tok.text), "text", tok.pos
        if NUMBER.fullmatch(tok.text):
            return float(tok.text), "number", tok.pos
        if DATE.fullmatch(tok.text):
            try:
                return date.fromisoformat(tok.text).isoformat(), "date", tok.pos
            except ValueError:
                raise fail(self.text, tok.pos, f"{name}: {tok.text} is not a date") from None
        return tok.text, "text", tok.pos

    def span(self) -> timedelta:
        word = self.word("a span such as 30d or 24h")
        within = span(word)
        if within is None:
            raise fail(self.text, self.tokens[self.i - 1].pos, f"within: {word!r} is not a span such as 30d or 24h")
        return within

    def operator(self) -> str:
        tok = self.peek()
        if tok is None or tok.text not in OPERATORS:
            where = tok.pos if tok else len(self.text)
            raise fail(self.text, where, "expected an operator such as >=" + (f", found {tok.text!r}" if tok else ""))
        self.i += 1
        return tok.text

    def score(self, letter: str, pos: int) -> ScoreTerm:
        op = self.operator()
        number = self.word("a score from 1 to 5")
        if number not in ("1", "2", "3", "4", "5"):
            raise fail(self.text, self.tokens[self.i - 1].pos, f"rfm.{letter}: {number!r} is not a score from 1 to 5")
        return ScoreTerm(letter, op, int(number), pos)

    def word(self, wanted: str) -> str:
        tok = self.peek()
        if tok is None or tok.kind not in ("word", "quoted"):
            where = tok.pos if tok else len(self.text)
            raise fail(self.text, where, f"expected {wanted}" + (f", found {tok.text!r}" if tok else ""))
        self.i += 1
        return tok.text

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


def parse_conditions(text: str) -> Node:
    """Parse a `where` clause on its own (`product = "A" and amount >= 100`), as automatic tag rules write
    it; errors name the column."""
    parser = _Parser(text)
    parser.leaf = parser.condition
    return parser.parse()
