"""The reply classifier, table by table, in Chinese and English."""

import pytest

from herald.tracking.replies.intents import (
    COMPLAINT,
    HELP,
    OTHER,
    START,
    STOP,
    SURVEY,
    classify,
    load_words,
    normalize,
    squeezed,
)

WORDS = load_words()

KEYWORDS = [
    # the carriers' words, however they are typed
    ("STOP", STOP, "stop"),
    ("stop.", STOP, "stop"),
    ("Ｓｔｏｐ", STOP, "stop"),
    ("sTop!!!", STOP, "stop"),
    ("STOP please", STOP, "stop"),
    ("please stop", STOP, "stop"),
    ("STOPALL", STOP, "stopall"),
    ("stop all", STOP, "stopall"),
    ("Unsubscribe", STOP, "unsubscribe"),
    ("CANCEL", STOP, "cancel"),
    ("end", STOP, "end"),
    ("quit", STOP, "quit"),
    ("REVOKE", STOP, "revoke"),
    ("opt out", STOP, "optout"),
    ("Opt-Out", STOP, "optout"),
    ("S T O P", STOP, "stop"),
    # China's conventions
    ("退订", STOP, "退订"),
    ("退订，谢谢", STOP, "退订"),
    ("TD", STOP, "td"),
    ("t", STOP, "t"),
    ("R", STOP, "r"),
    ("n", STOP, "n"),
    ("取消", STOP, "取消"),
    ("拒收", STOP, "拒收"),
    ("回T", STOP, "回t"),
    ("ＴＤ", STOP, "td"),
    # back in, and help
    ("START", START, "start"),
    ("unstop", START, "unstop"),
    ("Yes", START, "yes"),
    ("重新订阅", START, "重新订阅"),
    ("HELP", HELP, "help"),
    ("info", HELP, "info"),
    ("帮助", HELP, "帮助"),
    ("人工客服", HELP, "人工客服"),
]


@pytest.mark.parametrize(("text", "kind", "matched"), KEYWORDS)
def test_it_reads_a_whole_reply_that_is_a_keyword(text, kind, matched):
    intent = classify(text, WORDS)
    assert (intent.kind, intent.matched) == (kind, matched)


SLIPS = [
    ("stpo", STOP, "stop"),  # two letters swapped
    ("sotp", STOP, "stop"),
    ("stopp", STOP, "stop"),  # one added
    ("unsubscibe", STOP, "unsubscribe"),  # one left out
    ("unsubscrobe", STOP, "unsubscribe"),  # one changed, in a long word
    ("hlep", HELP, "help"),
    ("strat", START, "start"),
]


@pytest.mark.parametrize(("text", "kind", "matched"), SLIPS)
def test_it_forgives_one_slip_of_the_finger(text, kind, matched):
    intent = classify(text, WORDS)
    assert (intent.kind, intent.matched) == (kind, matched)
    assert f"written {text!r}" in intent.why


@pytest.mark.parametrize("text", ["shop", "step", "stoop it", "ends", "quiz", "and", "tt", "help me pick a size"])
def test_words_merely_near_a_keyword_are_not_one(text):
    assert classify(text, WORDS).kind == OTHER


SENTENCES = [
    ("Please stop texting me", "stop texting"),
    ("can you stop texting me?", "stop texting"),
    ("don't text me again", "don't text"),
    ("Do not contact me anymore.", "do not contact"),
    ("no more messages, thanks", "no more messages"),
    ("not interested", "not interested"),
    ("please unsubscribe me from this list", "unsubscribe"),
    ("take me off your list", "take me off"),
    ("stop it now", "stop"),
    ("Leave me alone!!", "leave me alone"),
    ("ok stop", "stop"),
    ("别再给我发短信了", "别…发"),
    ("不要再发了", "不要…发"),
    ("你们别发了行吗", "别…发"),
    ("不要老是给我发这种信息", "不要…发"),
    ("不想再收到你们的短信", "不想…收到"),
    ("我要退订", "退订"),
    ("能帮我退订吗", "退订"),
    ("麻烦取消订阅，谢谢", "取消订阅"),
    ("不需要这些短信", "不需要…短信"),
    ("别烦我", "别烦我"),
]


@pytest.mark.parametrize(("text", "matched"), SENTENCES)
def test_it_hears_a_request_to_stop_in_a_sentence(text, matched):
    intent = classify(text, WORDS)
    assert (intent.kind, intent.matched) == (STOP, matched)
    assert "request to stop" in intent.why


NOT_STOPS = [
    "不要退订",  # negated
    "我不想退订",
    "don't unsubscribe me",
    "I do not want to unsubscribe",
    "I'll stop by the store tomorrow",
    "can't stop smiling",
    "how do I stop the other app?",  # a question about something else
    "别忘了给我发货",  # "don't forget to ship it"
    "Thanks!",
    "谢谢，收到了",
    "What time do you open?",
    "the end of the month works",
]


@pytest.mark.parametrize("text", NOT_STOPS)
def test_negations_questions_and_other_talk_are_not_opt_outs(text):
    assert classify(text, WORDS).kind == OTHER


@pytest.mark.parametrize(
    ("text", "matched"),
    [("how do I unsubscribe?", "unsubscribe"), ("请问怎么退订？", "退订"), ("如何取消订阅", "取消订阅")],
)
def test_a_question_about_opting_out_is_answered_with_help(text, matched):
    intent = classify(text, WORDS)
    assert (intent.kind, intent.matched) == (HELP, matched)
    assert "question" in intent.why


COMPLAINTS = [
    ("This is spam", "spam"),
    ("don't spam me", "spam"),
    ("stop harassing me", "harassing"),
    ("STOP or I'll report you to the FCC", "report you"),
    ("你们这是骚扰", "骚扰"),
    ("不要骚扰我", "骚扰"),
    ("我要投诉你们", "投诉"),
    ("再发就举报", "举报"),
    ("已向12321举报", "举报"),
    ("垃圾短信", "垃圾短信"),
]


@pytest.mark.parametrize(("text", "matched"), COMPLAINTS)
def test_complaints_come_before_everything_else(text, matched):
    intent = classify(text, WORDS)
    assert (intent.kind, intent.matched) == (COMPLAINT, matched)


@pytest.mark.parametrize("text", ["this is not spam", "不是骚扰", "没有投诉的意思", "isn't a scam, right"])
def test_a_denied_complaint_is_none(text):
    assert classify(text, WORDS).kind == OTHER


SURVEYS = [
    ("9", "nps", 9),
    ("九分", "nps", 9),
    ("10/10", "nps", 10),
    ("十", "nps", 10),
    ("零", "nps", 0),
    ("I'd say eight", "nps", 8),
    ("给你们两分", "nps", 2),
    ("4", "satisfaction", 4),
    ("非常满意", "satisfaction", 5),
    ("满意", "satisfaction", 4),
    ("不满意", "satisfaction", 2),
    ("非常不满意！", "satisfaction", 1),
    ("Very satisfied, thanks", "satisfaction", 5),
    ("yes", "yes_no", 1),
    ("Yes!", "yes_no", 1),
    ("是的", "yes_no", 1),
    ("no", "yes_no", 0),
    ("不", "yes_no", 0),
    ("不用了", "yes_no", 0),
]


@pytest.mark.parametrize(("text", "survey", "answer"), SURVEYS)
def test_it_reads_survey_answers(text, survey, answer):
    intent = classify(text, WORDS, survey)
    assert (intent.kind, intent.answer) == (SURVEY, answer)


@pytest.mark.parametrize(
    ("text", "survey", "kind"),
    [
        ("11", "nps", OTHER),  # off the scale
        ("0", "satisfaction", OTHER),
        ("STOP", "nps", STOP),  # an opt-out is still one while a survey waits
        ("maybe", "yes_no", OTHER),
        ("great service", "satisfaction", OTHER),
        ("3.5", "nps", OTHER),
    ],
)
def test_what_answers_no_survey_is_read_as_any_reply(text, survey, kind):
    assert classify(text, WORDS, survey).kind == kind


def test_an_unknown_survey_is_refused():
    with pytest.raises(ValueError, match="unknown survey 'stars'"):
        classify("5", WORDS, "stars")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_reply_asks_nothing(text):
    assert classify(text, WORDS).why == "the reply is empty"


def test_punctuation_alone_asks_nothing():
    assert squeezed("?!") == ""
    assert classify("?!", WORDS).kind == OTHER


def test_a_closing_particle_is_not_part_of_the_word():
    assert squeezed("退订吧") == "退订"
    assert squeezed("了") == "了"


def test_normalize_makes_width_case_and_apostrophes_plain():
    assert normalize("  ＤＯＮ’Ｔ   Text ") == "don't text"


def test_a_preset_adds_its_own_words():
    words = load_words({"keywords": {"stop": ["BASTA"]}, "phrases": {"complaint": ["scandalous"]}})
    assert classify("basta", words).kind == STOP
    assert classify("this is scandalous", words).kind == COMPLAINT
    assert classify("basta", WORDS).kind == OTHER


@pytest.mark.parametrize(
    "extra",
    [{"keywords": {"stop": "BASTA"}}, {"keywords": {"stop": [""]}}, {"keywords": {"stop": [3]}}, {"phrases": []}],
)
def test_a_preset_with_words_that_are_not_a_list_is_refused(extra):
    with pytest.raises(ValueError, match=r"\[replies\."):
        load_words(extra)
