"""What a reply asks for: STOP, START, HELP, a complaint, a survey answer, or something else. Pure: a text
and the words to look for in, an `Intent` with its reason out.

The words are data (`replies.toml`, plus a preset's `[replies]` table). A reply is read in this order:
an answer to the survey its last message asked; a complaint anywhere in it; a whole reply that is a
keyword (ignoring case, full width, punctuation and a "please", and one slip of the finger in a word of
four letters or more); then clause by clause, a request that carries its own negation ("别再给我发了",
"don't text me") or an opt-out phrase with no negation just before it ("please unsubscribe me", not
"不要退订"). A question asking how to opt out ("how do I stop the other app?") is not an opt-out: it is
answered with the help text."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

STOP, START, HELP, COMPLAINT, SURVEY, OTHER = "stop", "start", "help", "complaint", "survey", "other"
KINDS = (STOP, START, HELP, COMPLAINT, SURVEY, OTHER)
SURVEYS = ("nps", "satisfaction", "yes_no")
_CLAUSE = re.compile(r"[,.;:!?\n，。；：！？、…~]+")
_PUNCT = re.compile(r"[\W_]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_PARTICLES = re.compile("(?<=[\u3400-\u9fff])[了吧啊呀哦嘛]+$")  # 不用了, 退订吧: the word before is the reply
_NEGATIONS = ("not", "no", "never", "don't", "dont", "do not", "cannot", "can't", "won't", "without")
_HAN_NEGATIONS = ("不", "没", "别", "勿", "无", "未", "莫")
# What may stand in the gap of a Chinese request (别再给我发, 不要老是发): never any word, or 别忘了发货
# would ask to stop.
_HAN_GAP = "[再给我们你老总是一直天天乱这种些]{0,4}"
# A complaint is denied ("this is not spam", "不是骚扰"), not negated: "don't spam me" and 不要骚扰我
# complain all the same.
_DENIALS = (("not", "isn't", "wasn't", "aren't", "no", "never"), ("不是", "没有", "并非", "没"))
_COURTESY = ("please", "pls", "plz", "thanks", "thank you", "thx", "now", "请", "谢谢", "谢了", "了", "吧", "啊")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"十": 10, "〇": 0, "两": 2}
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUMBER = re.compile(r"(?<![\d.])(10|[0-9])(?![\d.])|十|[零〇一二两三四五六七八九]|\b(?:" + "|".join(_WORDS) + r")\b")


@dataclass(frozen=True, slots=True)
class Intent:
    """What a reply asks for, the words that said it, and why, in a sentence a person reads."""

    kind: str
    why: str
    matched: str | None = None
    answer: int | None = None  # a survey's answer: the score, or 1 for yes and 0 for no


@dataclass(frozen=True)
class Words:
    """The words the classifier looks for, each list normalized once."""

    keywords: Mapping[str, frozenset[str]]
    phrases: Mapping[str, tuple[str, ...]]
    requests: tuple[str, ...]
    questions: tuple[str, ...]
    asking: tuple[str, ...]
    yes: frozenset[str]
    no: frozenset[str]
    satisfaction: Mapping[str, int]
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)

    def pattern(self, phrase: str) -> re.Pattern[str]:
        """The phrase as a pattern: whole words for Latin text, "…" a short gap."""
        found = self.patterns.get(phrase)
        if found is None:
            gap = _HAN_GAP if _HAN.search(phrase) else r"(?:\W+\w+){0,3}?\W+"
            parts = [gap if p == "…" else _literal(p.strip()) for p in re.split("(…)", phrase)]
            found = self.patterns[phrase] = re.compile("".join(parts))
        return found


def _literal(text: str) -> str:
    """Text to find as it is; a Latin word or number at either end only whole."""
    start = r"\b" if text[:1].isascii() and text[:1].isalnum() else ""
    end = r"\b" if text[-1:].isascii() and text[-1:].isalnum() else ""
    return f"{start}{re.escape(text)}{end}"


def normalize(text: str) -> str:
    """Full-width letters and digits made plain, case folded, curly apostrophes straight, spaces single."""
    plain = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("‘", "'")
    return " ".join(plain.split())


def _phrase_of(words: str) -> str:
    """A phrase normalized around its gaps (NFKC would make "…" three dots)."""
    return "…".join(normalize(part) for part in words.split("…"))


def squeezed(text: str) -> str:
    """A reply as a keyword is compared: without punctuation, spaces or courtesies around it."""
    words = text
    for courtesy in sorted(_COURTESY, key=len, reverse=True):
        words = re.sub(rf"(?:^|(?<=\W)){re.escape(courtesy)}(?=\W|$)", " ", words)
    left = _PUNCT.sub("", words)
    return _PARTICLES.sub("", left) or left or _PUNCT.sub("", text)


def load_words(extra: Mapping[str, Any] | None = None) -> Words:
    """The bundled words, with a preset's `[replies]` table (the same shape, lists only) added."""
    base = _bundled()
    more = extra or {}
    keywords = {
        k: frozenset(squeezed(normalize(w)) for w in [*v, *_list(more, "keywords", k)])
        for k, v in base["keywords"].items()
    }
    phrases = {k: tuple(_phrase_of(w) for w in [*v, *_list(more, "phrases", k)]) for k, v in base["phrases"].items()}
    surveys = base["surveys"]
    return Words(
        keywords=keywords,
        phrases=phrases,
        requests=tuple(_phrase_of(w) for w in [*base["requests"]["stop"], *_list(more, "requests", "stop")]),
        questions=tuple(normalize(w) for w in base["questions"]["starts"]),
        asking=tuple(normalize(w) for w in base["questions"]["anywhere"]),
        yes=frozenset(squeezed(normalize(w)) for w in surveys["yes"]),
        no=frozenset(squeezed(normalize(w)) for w in surveys["no"]),
        satisfaction={normalize(k): int(v) for k, v in surveys["satisfaction"].items()},
    )


def _list(data: Mapping[str, Any], table: str, kind: str) -> list[str]:
    found = data.get(table, {})
    words = found.get(kind, []) if isinstance(found, Mapping) else None
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ValueError(f"[replies.{table}] {kind}: expected a list of words, got {words!r}")
    return words


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Any]:
    return tomllib.loads((resources.files("herald.tracking.replies") / "replies.toml").read_text(encoding="utf-8"))


def classify(text: str, words: Words, expecting: str | None = None) -> Intent:
    """What the reply asks for. `expecting` names the survey its last message asked (nps, satisfaction,
    yes_no), whose answers come first."""
    said = normalize(text)
    if not said:
        return Intent(OTHER, "the reply is empty")
    if expecting is not None:
        answer = survey_answer(said, expecting, words)
        if answer is not None:
            return answer
    complaint = _phrase(said, words.phrases["complaint"], words, _DENIALS)
    if complaint is not None:
        return Intent(COMPLAINT, f"says {complaint!r}: a complaint", complaint)
    whole = squeezed(said)
    for kind in (STOP, START, HELP):
        keyword = _keyword(whole, words.keywords[kind])
        if keyword is not None:
            slip = "" if keyword == whole else f" (written {whole!r})"
            return Intent(kind, f"the reply is the keyword {keyword.upper()!r}{slip}", keyword)
    return _sentences(said, words)


def _sentences(said: str, words: Words) -> Intent:
    """Clause by clause: a request not to be messaged, or an opt-out phrase said in earnest."""
    asked = _asking(said, words)
    for clause in (c.strip() for c in _CLAUSE.split(said)):
        if not clause:
            continue
        request = next((r for r in words.requests if words.pattern(r).search(clause)), None)
        phrase = _phrase(clause, [*words.phrases["stop"], *_short_stop(clause)], words)
        found = request or phrase
        if found is not None and asked:
            return Intent(HELP, f"asks about {found!r} in a question: answered with the help text", found)
        if found is not None:
            return Intent(STOP, f"says {found!r}: a request to stop", found)
    return Intent(OTHER, "no keyword, opt-out, complaint or answer in the reply")


def _short_stop(clause: str) -> list[str]:
    """ "stop" alone counts in a short clause ("please stop", "stop it now"), not in "I'll stop by"."""
    return ["stop"] if len(clause.split()) <= 3 and "stop by" not in clause else []


def _asking(said: str, words: Words) -> bool:
    """Whether the reply asks for information ("how do I …?", "请问怎么退订"), rather than asks them to
    stop. A polite request ("can you stop texting me?", "能帮我退订吗") is no such question."""
    starts = any(words.pattern(q).match(said) for q in words.questions)
    return starts or any(q in said for q in words.asking)


def _phrase(
    text: str, phrases: Iterable[str], words: Words, negations: tuple[tuple[str, ...], tuple[str, ...]] | None = None
) -> str | None:
    """The first phrase said in the text other than in the negative."""
    latin, han = negations or (_NEGATIONS, _HAN_NEGATIONS)
    for phrase in phrases:
        for match in words.pattern(phrase).finditer(text):
            if not _negated(text[: match.start()], latin, han, negations is None):
                return phrase
    return None


def _negated(before: str, latin: tuple[str, ...], han: tuple[str, ...], contracted: bool) -> bool:
    """A negation just before a phrase, in its clause: three words back, or three Chinese characters."""
    clause = _CLAUSE.split(before)[-1].rstrip()
    if _HAN.search(clause[-1:]):
        return any(n in clause[-3:] for n in han)
    near = " ".join(clause.split()[-3:])
    said = any(re.search(rf"(?:^|\s){re.escape(n)}(?:\s|$)", near) for n in latin)
    return said or (contracted and "n't" in near)


def _keyword(whole: str, keywords: frozenset[str]) -> str | None:
    """The keyword the whole reply is, exactly or but for one slip (in words of four letters or more)."""
    if whole in keywords:
        return whole
    if len(whole) < 4 or not whole.isascii():
        return None
    return next((k for k in sorted(keywords) if len(k) >= 4 and _one_slip(whole, k)), None)


def _one_slip(a: str, b: str) -> bool:
    """One letter left out, added, or two side by side swapped; one changed only in words of six or more."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return swapped or (len(diff) == 1 and len(b) >= 6)
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def survey_answer(said: str, expecting: str, words: Words) -> Intent | None:
    """The reply as an answer to the survey asked, or None when it answers nothing."""
    if expecting not in SURVEYS:
        raise ValueError(f"unknown survey {expecting!r} (known: {', '.join(SURVEYS)})")
    if expecting == "yes_no":
        whole = squeezed(said)
        if whole in words.yes or whole in words.no:
            answer = int(whole in words.yes)
            return Intent(SURVEY, f"answers {'yes' if answer else 'no'} ({whole!r})", whole, answer)
        return None
    if expecting == "satisfaction":
        worded = _satisfaction(said, words)
        if worded is not None:
            return worded
    number = _number(said)
    top, low = (10, 0) if expecting == "nps" else (5, 1)
    if number is None or not low <= number <= top:
        return None
    return Intent(SURVEY, f"answers {number} on the {low}–{top} scale", str(number), number)


def _satisfaction(said: str, words: Words) -> Intent | None:
    for wording in sorted(words.satisfaction, key=len, reverse=True):
        if words.pattern(wording).search(said):
            score = words.satisfaction[wording]
            return Intent(SURVEY, f"answers {score} of 5 ({wording!r})", wording, score)
    return None


def _number(said: str) -> int | None:
    """The first number from 0 to 10 in the reply: digits, Chinese numerals (九, 十) or English words."""
    match = _NUMBER.search(said)
    if match is None:
        return None
    token = match.group(0)
    if token.isdigit():
        return int(token)
    if token in _DIGITS:
        return _DIGITS[token]
    return _WORDS.index(token)
