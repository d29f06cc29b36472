"""The segment filter language: precedence, quoting and errors that point at the column."""

from __future__ import annotations

from datetime import timedelta

import pytest

from herald.errors import Invalid
from herald.segments.dsl import (
    All,
    And,
    AttrTerm,
    Compare,
    EventTerm,
    Not,
    Or,
    ScoreTerm,
    Term,
    attributes_in,
    parse,
    parse_conditions,
    replace_terms,
    tags_in,
)


def t(field: str, value: str, pos: int) -> Term:
    return Term(field, value, pos)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("tag:vip", t("tag", "vip", 0)),
        ("all", All()),
        ("region:np", t("region", "NP", 0)),
        ("consent:SMS", t("consent", "sms", 0)),
        (
            "tag:vip and region:NP and not tag:churned",
            And((t("tag", "vip", 0), t("region", "NP", 12), Not(t("tag", "churned", 30)))),
        ),
        ("tag:a or tag:b and tag:c", Or((t("tag", "a", 0), And((t("tag", "b", 9), t("tag", "c", 19)))))),
        ("(tag:a or tag:b) and tag:c", And((Or((t("tag", "a", 1), t("tag", "b", 10))), t("tag", "c", 21)))),
        ("not not tag:a", t("tag", "a", 8)),  # two nots cancel: read flat, however many there are
        ("not not not tag:a", Not(t("tag", "a", 12))),
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


DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("event:purchase", EventTerm("purchase", ">=", 1, None, 0)),
        ("event:purchase count >= 2 within 90d", EventTerm("purchase", ">=", 2, 90 * DAY, 0)),
        ("event:page_view WITHIN 24h", EventTerm("page_view", ">=", 1, timedelta(hours=24), 0)),
        ("event:purchase count = 0", EventTerm("purchase", "=", 0, None, 0)),
        (
            "event:cart_abandoned within 1d and not event:purchase within 1d",
            And((EventTerm("cart_abandoned", ">=", 1, DAY, 0), Not(EventTerm("purchase", ">=", 1, DAY, 39)))),
        ),
        ("tag:vip or event:inquiry count < 3", Or((t("tag", "vip", 0), EventTerm("inquiry", "<", 3, None, 11)))),
    ],
)
def test_event_conditions_parse(text, tree) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("event:Purchase$", 1, "is not an event type"),
        ("event:purchase count", 21, "expected an operator such as >="),
        ("event:purchase count two 2", 22, "expected an operator such as >=, found 'two'"),
        ("event:purchase count >= many", 25, "count: 'many' is not a whole number"),
        ("event:purchase count >=", 24, "expected a whole number"),
        ("event:purchase within 3w", 23, "within: '3w' is not a span"),
        ("event:purchase within (", 23, "expected a span such as 30d or 24h, found '('"),
    ],
)
def test_event_condition_errors_point_at_the_column(text, column, words) -> None:
    with pytest.raises(Invalid) as err:
        parse(text)
    assert f"at column {column}" in str(err.value)
    assert words in str(err.value)


def test_terms_of_a_field_are_found_and_replaced() -> None:
    tree = parse("segment:buyers and (tag:vip or not segment:lapsed)")
    assert tags_in(tree, "segment") == {"buyers", "lapsed"} and tags_in(tree) == {"vip"}
    swapped = replace_terms(tree, "segment", lambda term: All())
    assert swapped == And((All(), Or((t("tag", "vip", 20), Not(All())))))
    assert replace_terms(All(), "segment", lambda term: term) == All()


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("rfm.r >= 4", ScoreTerm("r", ">=", 4, 0)),
        ("RFM.M < 2 and stage:Dormant", And((ScoreTerm("m", "<", 2, 0), t("stage", "dormant", 14)))),
    ],
)
def test_scores_and_stages_parse(text, tree) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("rfm.r >= 6", 10, "rfm.r: '6' is not a score from 1 to 5"),
        ("rfm.f", 6, "expected an operator such as >="),
        ("rfm.f ==", 7, "expected an operator such as >=, found '=='"),
        ("stage:sleepy", 1, "stage: 'sleepy' is not one of new, active, dormant, churned, potential"),
    ],
)
def test_score_errors_point_at_the_column(text, column, words) -> None:
    with pytest.raises(Invalid) as err:
        parse(text)
    assert f"at column {column}" in str(err.value) and words in str(err.value)


def c(name: str, op: str, value, kind: str, pos: int) -> Compare:
    return Compare(name, op, value, kind, pos)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ('attr.city = "北京"', AttrTerm(c("city", "=", "北京", "text", 0))),
        ("attr.city!=Kathmandu", AttrTerm(c("city", "!=", "Kathmandu", "text", 0))),
        ("attr.age>=30", AttrTerm(c("age", ">=", 30.0, "number", 0))),
        ("attr.balance < -2.5", AttrTerm(c("balance", "<", -2.5, "number", 0))),
        ("attr.signup >= 2026-01-31", AttrTerm(c("signup", ">=", "2026-01-31", "date", 0))),
        ("attr.signup within 30d", AttrTerm(c("signup", "within", 30 * DAY, "span", 0))),
        ('attr.note contains "vip"', AttrTerm(c("note", "contains", "vip", "text", 0))),
        ("attr.zip contains 012", AttrTerm(c("zip", "contains", "012", "text", 0))),
        (
            'attr.city in ("北京", 上海)',
            AttrTerm(Or((c("city", "=", "北京", "text", 0), c("city", "=", "上海", "text", 0)))),
        ),
        ("attr.age in (30)", AttrTerm(c("age", "=", 30.0, "number", 0))),
        ("attr.会员.等级 = 2", AttrTerm(c("会员.等级", "=", 2.0, "number", 0))),
        (
            'event:purchase where product = "A" count >= 2',
            EventTerm("purchase", ">=", 2, None, 0, c("product", "=", "A", "text", 21)),
        ),
        (
            "event:purchase where (amount > 100 and not gift = true) within 7d",
            EventTerm(
                "purchase",
                ">=",
                1,
                7 * DAY,
                0,
                And((c("amount", ">", 100.0, "number", 22), Not(c("gift", "=", "true", "text", 43)))),
            ),
        ),
        ("clicked within 7d", EventTerm("message.clicked", ">=", 1, 7 * DAY, 0)),
        ("replied count >= 2", EventTerm("message.replied", ">=", 2, None, 0)),
        ("no_reply within 90d", Not(EventTerm("message.replied", ">=", 1, 90 * DAY, 0))),
        ("last_purchase within 30d", EventTerm("purchase", ">=", 1, 30 * DAY, 0)),
    ],
)
def test_attribute_property_and_engagement_conditions_parse(text, tree) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ('attr.age >= "x"', 13, "age: >= needs a number or a date, found 'x'"),
        ("attr.city > Beijing", 13, "city: > needs a number or a date"),
        ("attr.signup = 2026-02-30", 15, "signup: 2026-02-30 is not a date"),
        ("attr.9lives = 1", 6, "'9lives' is not a field name"),
        ("attr.city", 10, "city: expected an operator such as =, in, contains or within"),
        ("attr.city like x", 11, "city: expected an operator"),
        ("attr.city =", 12, "city: expected a value"),
        ("attr.city = (", 13, "city: expected a value, found '('"),
        ("attr.city in 北京", 14, "city in: expected a list"),
        ("attr.city in", 13, "city in: expected a list"),
        ("attr.city in (a b)", 17, "city in: expected ',' or ')'"),
        ("attr.city in (a,", 17, "city: expected a value"),
        ("attr.city in (a", 16, "city in: expected ',' or ')'"),
        ("attr.city == x", 11, "expected an operator such as >=, found '=='"),
        ("attr.city = x ! y", 15, "unexpected '!'"),
        ("event:purchase where", 21, "expected a property condition"),
        ("event:purchase where (amount > 1 and)", 37, 'expected a condition such as product = "A"'),
        ("last_purchase", 1, "last_purchase takes only a span"),
        ("last_purchase count >= 2 within 3d", 1, "last_purchase takes only a span"),
    ],
)
def test_attribute_and_property_errors_point_at_the_column(text, column, words) -> None:
    with pytest.raises(Invalid) as err:
        parse(text)
    assert f"at column {column}" in str(err.value) and words in str(err.value)


def test_a_where_clause_parses_on_its_own() -> None:
    assert parse_conditions('product = "A" and amount >= 100') == And(
        (c("product", "=", "A", "text", 0), c("amount", ">=", 100.0, "number", 18))
    )
    with pytest.raises(Invalid, match="column 1: 'tag:vip' is not a field name"):
        parse_conditions("tag:vip")
    with pytest.raises(Invalid, match="column 1: expected a condition such as product"):
        parse_conditions("or")


def test_attributes_in_finds_every_tested_attribute() -> None:
    tree = parse('attr.city = "x" and (tag:a or not attr.age in (1, 2)) and event:buy where amount > 1')
    assert attributes_in(tree) == {"city", "age"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(" * 51 + "tag:a" + ")" * 51, "parentheses nested more than 50 deep"),
        (" or ".join(["tag:a"] * 201), "more than 200 conditions"),
        ("event:purchase where (" + " and ".join(["amount > 1"] * 201) + ")", "more than 200 conditions"),
    ],
)
def test_expressions_beyond_the_bounds_are_refused_with_a_short_name(text, message) -> None:
    with pytest.raises(Invalid, match=message) as refused:
        parse(text)
    assert len(refused.value.where) < 120
