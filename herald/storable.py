"""What both databases can store. Pure.

SQLite stores what PostgreSQL refuses: a NUL character in text, a lone UTF-16 surrogate (from JSON's
`"\\ud800"`), NaN or infinity in JSON (`1e400` reads as infinity), and nesting deep enough to exhaust a
parser. Such a value is refused where it comes in — per row, per event, per field — with the reason, so
that an import or a batch of events never fails whole on PostgreSQL after it worked on SQLite."""

from __future__ import annotations

import math
from collections.abc import Mapping

MAX_DEPTH = 32  # levels of nested objects and lists in event properties


def text_problem(text: str) -> str | None:
    """Why a text cannot be stored alike on both databases, or None."""
    if "\x00" in text:
        return "holds a NUL character"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "holds a lone surrogate (broken UTF-16), which is no character"
    return None


def value_problem(value: object, depth: int = 0) -> str | None:
    """Why a JSON value (keys, strings, numbers, nesting) cannot be stored alike on both databases."""
    if depth > MAX_DEPTH:
        return f"is nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f"holds {value}, which JSON cannot store"
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = text_problem(str(key)) or value_problem(item, depth + 1)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = value_problem(item, depth + 1)
            if found:
                return found
    return None
