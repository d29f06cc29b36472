"""What both databases can store: NUL characters, lone surrogates, NaN and infinity, deep nesting."""

from __future__ import annotations

import json

import pytest

from herald.storable import MAX_DEPTH, text_problem, value_problem


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Sita", None),
        ("王伟 Zoë", None),
        ("", None),
        ("Si\x00ta", "NUL character"),
        ("\ud800", "lone surrogate"),
        ("王\udc00", "lone surrogate"),
    ],
)
def test_texts(text, found) -> None:
    got = text_problem(text)
    assert got is None if found is None else found in got


def nested(depth: int) -> object:
    value: object = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ({"amount": 12.5, "tags": ["a", "b"], "n": 10**30}, None),
        (json.loads('{"amount": NaN}'), "nan"),
        (json.loads('{"amount": 1e400}'), "inf"),
        ({"a": [1, float("-inf")]}, "-inf"),
        ({"k\x00": 1}, "NUL"),
        ({"k": ["\ud83d"]}, "surrogate"),
        (nested(MAX_DEPTH), None),
        (nested(MAX_DEPTH + 1), f"deeper than {MAX_DEPTH}"),
        ("plain", None),
        (3, None),
    ],
)
def test_json_values(value, found) -> None:
    got = value_problem(value)
    assert got is None if found is None else found in got
