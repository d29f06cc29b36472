"""The sentiment of a reply — positive, neutral or negative — in Chinese and English. Pure: a text and the
words to weigh it by in, a `Sentiment` out.

The method is VADER's (Hutto and Gilbert, 2014: a valence lexicon read with rules), over Herald's own
bilingual lexicon (`sentiment.toml`): each word of the lexicon adds its valence; a booster before it
("very", "非常") makes it stronger; a negation up to three words before it in its clause ("not good",
"不满意" aside — that is a word of its own) turns it over and weakens it (×−0.74); after "but" or "但是"
the clause counts half again and what came before half; each "!" adds emphasis. The sum is scaled to a
score between −1 and 1 (s / √(s² + 15)); 0.05 and above is positive, −0.05 and below negative."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from herald.autotag.keywords import TURNS, negated, tokens

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
NEGATED = -0.74  # VADER's scalar for a negated word
EMPHASIS = 0.292  # VADER's weight of each "!" (four at most)
ALPHA = 15.0
THRESHOLD = 0.05
_CLAUSE = re.compile(r"[,.;:?\n，。；：？、…]+")


@dataclass(frozen=True, slots=True)
class Sentiment:
    """A reply's sentiment, its score (−1 … 1) and the words that made it."""

    label: str
    score: float
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Words (as token sequences) with their valence, boosters by token, and emoji by character."""

    words: dict[tuple[str, ...], tuple[str, float]]
    boosters: dict[str, float]
    emoji: dict[str, float]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The bundled lexicon, each word cut into tokens once."""
    data: dict[str, Any] = tomllib.loads(
        (resources.files("herald.tracking.replies") / "sentiment.toml").read_text("utf-8")
    )
    words: dict[tuple[str, ...], tuple[str, float]] = {}
    emoji: dict[str, float] = {}
    for word, valence in data["valence"].items():
        cut = tuple(tokens(word))
        if cut:
            words[cut] = (word, float(valence))
        else:
            emoji[word] = float(valence)
    boosters = {tokens(w)[0]: float(s) for w, s in data["boosters"]["scale"].items()}
    return Lexicon(words, boosters, emoji)


def sentiment(text: str, words: Lexicon | None = None) -> Sentiment:
    """The reply's sentiment."""
    found = words or lexicon()
    total, matched = 0.0, []
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    for clause in clauses:
        value, said = _clause(clause, found)
        total += value
        matched += said
    for mark, valence in found.emoji.items():
        count = text.count(mark)
        if count:
            total += valence * count
            matched.append(mark)
    if total:
        total += math.copysign(min(text.count("!") + text.count("！"), 4) * EMPHASIS, total)
    score = round(total / math.sqrt(total * total + ALPHA), 3)
    label = POSITIVE if score >= THRESHOLD else NEGATIVE if score <= -THRESHOLD else NEUTRAL
    return Sentiment(label, score, tuple(matched))


def _clause(clause: str, found: Lexicon) -> tuple[float, list[str]]:
    """A clause's valence, what came before a "but" counting half and what came after half again."""
    cut = tokens(clause)
    turn = next((i for i, w in enumerate(cut) if w in TURNS), None)
    values: list[float] = []
    said: list[str] = []
    for at, word, valence in _matches(cut, found):
        value = valence * _boost(cut, at, found) * (NEGATED if negated(cut, at) else 1.0)
        if turn is not None:
            value *= 0.5 if at < turn else 1.5
        values.append(value)
        said.append(word)
    return sum(values), said


def _matches(cut: list[str], found: Lexicon) -> list[tuple[int, str, float]]:
    """Where lexicon words stand in the clause, the longest first at each place, none overlapping."""
    longest = max(len(k) for k in found.words)
    places: list[tuple[int, str, float]] = []
    at = 0
    while at < len(cut):
        size = next((n for n in range(min(longest, len(cut) - at), 0, -1) if tuple(cut[at : at + n]) in found.words), 0)
        if size:
            word, valence = found.words[tuple(cut[at : at + size])]
            places.append((at, word, valence))
        at += size or 1
    return places


def _boost(cut: list[str], at: int, found: Lexicon) -> float:
    return found.boosters.get(cut[at - 1], 1.0) if at > 0 else 1.0
