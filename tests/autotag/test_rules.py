"""Rule definitions are read into checked rules; every mistake names its field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from herald.autotag.rules import EventRule, KeywordRule, canonical, read_rule, tag_for
from herald.errors import Invalid
from herald.segments.dsl import Compare

DAY = timedelta(days=1)


def test_an_event_rule_reads_with_its_defaults_and_groups() -> None:
    rule = read_rule(
        {
            "kind": "event",
            "event": "page_view",
            "where": 'category = "shoes"',
            "count": 3,
            "within": "7d",
            "tag": "interested:{category}",
            "expires": "30d",
        }
    )
    assert rule == EventRule(
        "page_view",
        "interested:{category}",
        Compare("category", "=", "shoes", "text", 0),
        3,
        7 * DAY,
        30 * DAY,
        ("category",),
    )
    bare = read_rule({"kind": "event", "event": "purchase", "tag": "buyer", "where": ""})
    assert bare == EventRule("purchase", "buyer")


def test_a_keyword_rule_reads_with_synonyms() -> None:
    rule = read_rule(
        {
            "kind": "keyword",
            "keywords": [" price ", "价格"],
            "synonyms": {"price": ["cost", "多少钱"]},
            "tag": "asked:price",
            "within": "90d",
        }
    )
    assert rule == KeywordRule(("price", "价格"), "asked:price", (("price", ("cost", "多少钱")),), None, 90 * DAY)
    assert rule.words() == ("price", "价格", "cost", "多少钱")
    assert rule.event == "message.replied" and rule.field == "text"


@pytest.mark.parametrize(
    ("definition", "where", "words"),
    [
        ([], "rule", "expected an object"),
        ({"kind": "magic"}, "rule kind", "expected event or keyword"),
        ({"kind": "event", "event": "buy", "tag": "x", "colour": "red"}, "rule", "unknown field(s) colour"),
        ({"kind": "event", "tag": "x"}, "rule event", "required"),
        ({"kind": "event", "event": "Buy!", "tag": "x"}, "rule event", "not an event type"),
        (
            {"kind": "event", "event": "buy", "tag": "x", "where": "amount >"},
            "rule where (column 9)",
            "expected a value",
        ),
        ({"kind": "event", "event": "buy", "tag": "x", "count": 0}, "rule count", "from 1 to 100000"),
        ({"kind": "event", "event": "buy", "tag": "x", "count": True}, "rule count", "whole number"),
        ({"kind": "event", "event": "buy", "tag": "x", "count": "3"}, "rule count", "whole number"),
        ({"kind": "event", "event": "buy", "tag": "bought:{9}"}, "rule tag", "{9} is not a property name"),
        ({"kind": "event", "event": "buy", "tag": "bought A"}, "rule tag", "is not a tag name"),
        ({"kind": "event", "event": "buy", "tag": "x" * 65}, "rule tag", "is not a tag name"),
        ({"kind": "event", "event": "buy", "tag": "x", "within": "3w"}, "rule within", "expected a span"),
        ({"kind": "event", "event": "buy", "tag": "x", "expires": 30}, "rule expires", "expected a span"),
        ({"kind": "event", "event": "buy", "tag": "x", "expires": "0d"}, "rule expires", "expected a span"),
        ({"kind": "keyword", "keywords": [], "tag": "x"}, "rule keywords", "at least one keyword"),
        ({"kind": "keyword", "tag": "x"}, "rule keywords", "at least one keyword"),
        ({"kind": "keyword", "keywords": ["ok", " "], "tag": "x"}, "rule keywords", "non-empty text"),
        ({"kind": "keyword", "keywords": ["ok"], "synonyms": ["a"], "tag": "x"}, "rule synonyms", "expected an object"),
        (
            {"kind": "keyword", "keywords": ["ok"], "synonyms": {"no": ["a"]}, "tag": "x"},
            "rule synonyms",
            "'no' is not one of the rule's keywords",
        ),
        (
            {"kind": "keyword", "keywords": ["ok"], "synonyms": {"ok": []}, "tag": "x"},
            "rule synonyms",
            "list of synonyms",
        ),
        (
            {"kind": "keyword", "keywords": ["ok"], "synonyms": {"ok": [3]}, "tag": "x"},
            "rule synonyms of 'ok'",
            "non-empty text",
        ),
        (
            {"kind": "keyword", "keywords": ["ok"], "tag": "said:{word}"},
            "rule tag",
            "{placeholders} are for event rules",
        ),
        ({"kind": "keyword", "keywords": ["ok"], "tag": "x", "event": "Reply"}, "rule event", "not an event type"),
        ({"kind": "keyword", "keywords": ["ok"], "tag": "x", "field": "the text"}, "rule field", "not a property name"),
    ],
)
def test_mistakes_name_the_field(definition, where, words) -> None:
    with pytest.raises(Invalid) as err:
        read_rule(definition)
    assert err.value.where == where and words in err.value.reason


@pytest.mark.parametrize(
    ("values", "tag"),
    [
        (("A",), "bought:A"),
        (("Apple Watch",), "bought:Apple_Watch"),
        ((" 运动鞋 ",), "bought:运动鞋"),
        (("!!!",), "bought:_"),
        ((None,), None),
        (("  ",), None),
        (("x" * 80,), "bought:" + "x" * 57),
    ],
)
def test_tags_are_named_per_property_value(values, tag) -> None:
    rule = read_rule({"kind": "event", "event": "purchase", "tag": "bought:{product}"})
    assert tag_for(rule, values) == tag


def test_a_definition_is_stored_without_its_empty_fields() -> None:
    assert canonical({"kind": "event", "event": "buy", "tag": "x", "where": "", "within": None}) == {
        "kind": "event",
        "event": "buy",
        "tag": "x",
    }
