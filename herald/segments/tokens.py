"""The segment language's words — fields and the values they take, engagement words, operators, the
bounds on an expression — and its tokens. Pure: no database."""

from __future__ import annotations

import re
from typing import NamedTuple, cast

from herald.errors import Invalid

CHANNELS = ("sms", "whatsapp", "email")
LINES = (
    "mobile",
    "fixed_line",
    "fixed_line_or_mobile",
    "toll_free",
    "voip",
    "premium_rate",
    "shared_cost",
    "personal",
    "pager",
    "uan",
    "voicemail",
    "unknown",
)
CONSENTS = CHANNELS + tuple(f"{c}:proven" for c in CHANNELS)  # consent:sms, or with proof: consent:sms:proven
FIELDS: dict[str, tuple[str, ...] | None] = {
    "tag": None,
    "region": None,
    "consent": CONSENTS,
    "suppressed": CHANNELS,
    "has": ("phone", "email"),
    "line": LINES,
    "tz": None,
    "carrier": None,
    "event": None,
    "segment": None,
    "stage": ("new", "active", "dormant", "churned", "potential"),
}
EVENT_TYPE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")
OPERATORS = (">=", ">", "=", "!=", "<=", "<")
# Engagement words read the events tracking records for every message: a click, a reply, a read receipt.
ENGAGEMENT = {
    "clicked": "message.clicked",
    "replied": "message.replied",
    "read": "message.read",
    "delivered": "message.delivered",
}
NEGATED = {"no_click": "message.clicked", "no_reply": "message.replied", "no_read": "message.read"}
NAME = re.compile(r"[^\W\d][\w.-]{0,63}")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
KEYWORDS = ("and", "or", "not")
# Bounds that keep parsing and the SQL it becomes within Python's recursion and SQLite's expression depth.
MAX_NESTING = 50
MAX_CONDITIONS = 200
_TOKEN = re.compile(
    r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<comma>,)|(?P<quoted>"(?:[^"\\]|\\.)*")'
    r'|(?P<op>==|!=|>=|<=|=|>|<)|(?P<word>[^\s()",=<>!]+))'
)


def fail(text: str, pos: int, message: str) -> Invalid:
    """The error for a mistake at `pos`, naming the expression and the column."""
    shown = text if len(text) <= 80 else text[:77] + "…"  # a long expression is named, not repeated whole
    return Invalid(message, where=f"segment {shown!r} at column {pos + 1}")


class Token(NamedTuple):
    kind: str  # open, close, comma, quoted, op or word
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """The expression's tokens with their positions."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            at = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise fail(text, at, "unterminated string" if text[at] == '"' else f"unexpected {text[at]!r}")
        kind = cast(str, match.lastgroup)  # every alternative of the token pattern is a named group
        start = match.start(kind)
        tokens.append(Token(kind, match.group(kind), start))
        pos = match.end()
    return tokens


def unquote(quoted: str) -> str:
    """A quoted token's text, its escapes undone."""
    return quoted[1:-1].replace('\\"', '"').replace("\\\\", "\\")
