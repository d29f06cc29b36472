"""Keywords match whole Chinese words and English words whatever their case or inflection."""

from __future__ import annotations

import pytest

from herald.autotag.keywords import Matcher, tokens


@pytest.mark.parametrize(("keywords", "text", "hit"), [
    (["退订"], "我要退订", True),
    (["退订"], "退订了谢谢", True),
    (["订"], "我要退订", False),  # a character inside a word is not the word
    (["多少钱"], "这个多少钱啊？", True),
    (["价格"], "会员价格是多少", True),
    (["price"], "What are your PRICES?", True),
    (["price"], "pricing please", True),
    (["prices"], "the price", True),
    (["price"], "priceless", False),
    (["how much"], "How much is it?", True),
    (["how much"], "much, how?", False),
    (["cost", "价格"], "thanks", False),
    (["price"], "", False),
    (["price"], None, False),
    (["!!"], "!!", False),  # a keyword of no words matches nothing
])
def test_it_matches_keywords(keywords, text, hit) -> None:
    assert Matcher(keywords).matches(text) is hit


def test_text_is_cut_into_words_and_stems() -> None:
    assert tokens("我要退订 Prices!") == ["我", "要", "退订", "price"]
