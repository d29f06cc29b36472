"""The services' refusals said in Chinese for the pages: every saying's example is one its pattern says,
groups said again when a pattern says them whole, and a reason no pattern says kept as it is."""

from __future__ import annotations

import pytest

from herald.web.ui.language.refusals import chinese, in_language, read, said

TABLE = """
[[said]]
pattern = "the metric (.+) cannot be measured: (.+)"
zh = "无法衡量指标 {1}：{2}"
example = "the metric read cannot be measured: no link"

[[said]]
pattern = "no link"
zh = "没有链接"
example = "no link"

[[said]]
pattern = "(line [0-9]+: )?bad '(.*)'"
zh = "{1}不对：{2}"
example = "bad 'x'"
"""


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("the metric read cannot be measured: no link", "无法衡量指标 read：没有链接"),
        ("the metric click cannot be measured: something else", "无法衡量指标 click：something else"),
        ("bad 'x'", "不对：x"),
        ("line 2: bad ''", "line 2: 不对："),
        ("nothing says this", "nothing says this"),
    ],
)
def test_a_reason_is_said_by_the_first_pattern_matching_it_whole(reason, expected) -> None:
    assert said(reason, read(TABLE)) == expected


def test_every_saying_of_the_chinese_table_says_its_example() -> None:
    sayings = chinese()
    assert len(sayings) >= 40
    for saying in sayings:
        assert saying.pattern.fullmatch(saying.example), saying.example
        assert said(saying.example, sayings) != saying.example, saying.example


def test_no_saying_is_hidden_behind_an_earlier_one() -> None:
    # The first pattern that matches says a reason: a broader one earlier in the table would take it.
    sayings = chinese()
    hidden = [s.example for s in sayings if next(x for x in sayings if x.pattern.fullmatch(s.example)) is not s]
    assert hidden == []


def test_english_viewers_get_the_services_own_words() -> None:
    assert in_language("choose a template", "en") == "choose a template"
    assert in_language("choose a template", "zh-CN") == "请选择模板"
    assert (
        in_language("ana wrote this version and may not approve it; ask another reviewer", "zh-CN")
        == "ana 是此版本的作者，不能自己批准；请另一位审核人审核"
    )
