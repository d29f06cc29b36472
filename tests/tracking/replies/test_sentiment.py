"""The sentiment of replies, in Chinese and English (pure, table by table)."""

import pytest

from herald.tracking.replies.sentiment import NEGATIVE, NEUTRAL, POSITIVE, lexicon, sentiment


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Thanks, great service!", POSITIVE),
        ("I love it 👍", POSITIVE),
        ("very good", POSITIVE),
        ("好的，谢谢", POSITIVE),
        ("非常满意", POSITIVE),
        ("不错!!", POSITIVE),
        ("太棒了", POSITIVE),
        ("this is terrible", NEGATIVE),
        ("not good", NEGATIVE),  # a negation turns it over
        ("不满意", NEGATIVE),
        ("我不喜欢", NEGATIVE),
        ("太差了，退款", NEGATIVE),
        ("😡😡", NEGATIVE),
        ("good but slow", NEGATIVE),  # after "but" counts more
        ("slow but good", POSITIVE),
        ("What time do you open?", NEUTRAL),
        ("STOP", NEUTRAL),
        ("明天几点开门", NEUTRAL),
        ("", NEUTRAL),
    ],
)
def test_it_reads_the_feeling_of_a_reply(text, label):
    assert sentiment(text).label == label


def test_the_score_is_scaled_between_minus_one_and_one_and_says_its_words():
    found = sentiment("Thanks, great service!")
    assert 0.05 <= found.score < 1 and found.words == ("thank", "great")
    assert sentiment("terrible terrible terrible terrible").score > -1


def test_boosters_and_exclamations_make_it_stronger():
    assert sentiment("very good").score > sentiment("good").score > sentiment("slightly good").score
    assert sentiment("good!!!").score > sentiment("good").score
    assert sentiment("非常喜欢").score > sentiment("喜欢").score


def test_a_negation_past_a_turn_does_not_reach():
    assert sentiment("not bad, but great").label == POSITIVE
    assert sentiment("no, but good").label == POSITIVE


def test_a_negation_too_far_before_does_not_reach():
    assert sentiment("not that I would say it was good").label == POSITIVE


def test_the_lexicon_is_read_once_with_its_emoji_apart():
    words = lexicon()
    assert words is lexicon() and "👍" in words.emoji and ("good",) in words.words and words.boosters["veri"] == 1.3
