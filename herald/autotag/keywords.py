"""Keyword matching for inbound text, in Chinese and English. Pure.

Chinese has no spaces, so text is cut into words with jieba's dictionary and a keyword matches whole
words only: 退订 matches 我要退订 but 订 does not. Latin words are compared by their Snowball stem, so
price matches prices, pricing and Priced. A keyword of several words (how much, 多少钱) matches when
its words come in order, side by side. Segmentation uses only jieba's own dictionary, never words added
at run time, so a text matches the same way whichever rules are loaded."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

import jieba
import snowballstemmer

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
jieba.setLogLevel(logging.WARNING)  # its dictionary loads once, quietly, on first use


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def tokens(text: str) -> list[str]:
    """The words of a text: jieba's words for Chinese runs, stems of everything else, in order."""
    words: list[str] = []
    for run in _RUNS.findall(text.casefold()):
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
        """Whether the text says any of the keywords."""
        if not text or not self.phrases:
            return False
        words = tokens(text)
        return any(_contains(words, phrase) for phrase in self.phrases)


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1))
