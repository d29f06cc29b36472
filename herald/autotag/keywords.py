"""Keyword matching for inbound text, in Chinese and English. Pure.

Chinese has no spaces, so text is cut into words with jieba's dictionary and a keyword matches whole
words only: 退订 matches 我要退订 but 订 does not. Latin words are compared by their Snowball stem, so
price matches prices, pricing and Priced. A keyword of several words (how much, 多少钱) matches when
its words come in order, side by side. Segmentation uses only jieba's own dictionary, never words added
at run time, so a text matches the same way whichever rules are loaded.

A keyword said in the negative does not match: "not interested" and 不感兴趣 do not say interested. A
negation (not, never, no, n't; 不, 没, 别, 不想…) counts within the three words before the keyword, in
the same clause (punctuation ends one), and not past a turn such as but or 但是."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import jieba
import snowballstemmer

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CLAUSE = re.compile(r"[,.;:!?\n，。；：！？、…]+")
_NT = re.compile(r"n['’]t\b")  # don't, isn't, can't: the not as a word of its own
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "nor",
        "without",
        "cannot",
        "neither",
        "不",
        "没",
        "没有",
        "别",
        "不要",
        "不想",
        "不用",
        "不会",
        "不是",
        "不太",
        "并不",
        "从不",
        "从没",
        "无",
        "未",
        "勿",
        "毫无",
    }
)
TURNS = frozenset({"but", "however", "though", "although", "yet", "但", "但是", "不过", "可是", "然而"})
WINDOW = 3
jieba.setLogLevel(logging.WARNING)  # its dictionary loads once, quietly, on first use


@lru_cache(maxsize=1)
def _stemmer() -> Any:  # snowballstemmer has no type information
    return snowballstemmer.stemmer("english")


def tokens(text: str) -> list[str]:
    """The words of a text: jieba's words for Chinese runs, stems of everything else, in order."""
    words: list[str] = []
    for run in _RUNS.findall(_NT.sub(" not", text.casefold())):
        if _HAN.match(run):
            words.extend(w for w in jieba.lcut(run, HMM=False) if w.strip())
        else:
            words.append(_stemmer().stemWord(run))
    return words


class Matcher:
    """Matches texts against a set of keywords (and synonyms), each cut into words once."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self.phrases = {tuple(tokens(k)) for k in keywords} - {()}

    def matches(self, text: str | None) -> bool:
        """Whether the text says any of the keywords, other than in the negative."""
        if not text or not self.phrases:
            return False
        for clause in _CLAUSE.split(text):
            words = tokens(clause)
            if any(not negated(words, at) for phrase in self.phrases for at in _places(words, phrase)):
                return True
        return False


def _places(words: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase]


def negated(words: list[str], at: int) -> bool:
    """Whether a negation stands within WINDOW words before `at`, with no turn between."""
    for word in reversed(words[max(0, at - WINDOW) : at]):
        if word in TURNS:
            return False
        if word in NEGATIONS:
            return True
    return False
