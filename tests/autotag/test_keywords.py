"""Keywords match whole Chinese words and English words whatever their case or inflection."""

from __future__ import annotations

import pytest

from herald.autotag.keywords import Matcher, tokens


@pytest.mark.parametrize(
    ("keywords", "text", "hit"),
    [
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
    ],
)
def test_it_matches_keywords(keywords, text, hit) -> None:
    assert Matcher(keywords).matches(text) is hit


def test_text_is_cut_into_words_and_stems() -> None:
    assert tokens("我要退订 Prices!") == ["我", "要", "退订", "price"]


@pytest.mark.parametrize(
    ("keywords", "text", "hit"),
    [
        (["interested"], "I am not interested", False),
        (["interested"], "not really very interested", False),  # three words between: still said in the negative
        (["interested"], "not that I was ever interested", True),  # four words away: too far to tell
        (["price"], "I don't want the price", False),  # n't is a not of its own
        (["price"], "never asked about the prices", True),
        (["price"], "never asked about prices", False),
        (["interested"], "Not sure, but interested", True),  # a clause ends at punctuation
        (["price"], "not that but the price", True),  # and a turn ends the negation
        (["price"], "not now. price?", True),
        (["price"], "no price, thanks; what's the price?", True),  # one plain mention is enough
        (["兴趣"], "我没兴趣", False),
        (["退订"], "我不想退订", False),
        (["退订"], "不要退订", False),
        (["价格"], "我不感兴趣，但是想知道价格", True),
        (["价格"], "我不感兴趣但是想知道价格", True),
        (["不要"], "不要", True),  # a keyword that is itself a negation matches
    ],
)
def test_a_keyword_said_in_the_negative_does_not_match(keywords, text, hit) -> None:
    assert Matcher(keywords).matches(text) is hit


def test_a_contraction_becomes_a_not() -> None:
    assert tokens("Don't, isn’t") == ["do", "not", "is", "not"]
