"""The segment filter language: precedence, quoting and errors that point at the column."""

from __future__ import annotations

import pytest

from herald.errors import Invalid
from herald.segments.dsl import All, And, Not, Or, Term, parse, tags_in


def t(field: str, value: str, pos: int) -> Term:
    return Term(field, value, pos)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("tag:vip", t("tag", "vip", 0)),
        ("all", All()),
        ("region:np", t("region", "NP", 0)),
        ("consent:SMS", t("consent", "sms", 0)),
        ("tag:vip and region:NP and not tag:churned",
         And((t("tag", "vip", 0), t("region", "NP", 12), Not(t("tag", "churned", 30))))),
        ("tag:a or tag:b and tag:c", Or((t("tag", "a", 0), And((t("tag", "b", 9), t("tag", "c", 19)))))),
        ("(tag:a or tag:b) and tag:c", And((Or((t("tag", "a", 1), t("tag", "b", 10))), t("tag", "c", 21)))),
        ("not not tag:a", Not(Not(t("tag", "a", 8)))),
        ('carrier:"Nepal Telecom"', t("carrier", "Nepal Telecom", 0)),
        ('tag:"会员"', t("tag", "会员", 0)),
        ("tz:Asia/Kathmandu AND has:email", And((t("tz", "Asia/Kathmandu", 0), t("has", "email", 22)))),
        ("  line:mobile  ", t("line", "mobile", 2)),
    ],
)
def test_it_parses(text, tree) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("", 1, "empty"),
        ("tag:vip and", 12, "found the end"),
        ("tag:vip region:NP", 9, "expected and, or or the end"),
        ("(tag:vip or tag:x", 18, "expected ')'"),
        ("tag:vip)", 8, "expected and, or or the end"),
        ("colour:red", 1, "unknown field 'colour'"),
        ("consent:fax", 1, "consent: 'fax' is not one of sms, whatsapp, email"),
        ("region:Nepal", 1, "two-letter country code"),
        ("tag:vip and or tag:x", 13, "expected a condition"),
        ("vip", 1, "expected FIELD:VALUE"),
        ('tag:"unclosed', 5, "unterminated string"),
        ("tag:", 5, "tag: needs a value"),
        ("has:phone and line:landline", 15, "line: 'landline' is not one of"),
    ],
)
def test_errors_point_at_the_column(text, column, words) -> None:
    with pytest.raises(Invalid) as err:
        parse(text)
    assert f"at column {column}" in str(err.value)
    assert words in str(err.value)


def test_tags_in_finds_every_tag() -> None:
    assert tags_in(parse("tag:a and (tag:b or not tag:c) and region:NP")) == {"a", "b", "c"}
    assert tags_in(parse("all")) == set()
