"""What the pages showed Chinese viewers in a service's or a rule's own words during this run's tests (kept
by this folder's conftest; this file sorts last here) is each said in Chinese by the table. A single word
is left alone: it is a name someone gave (a rule's, a tag's), not a sentence."""

from __future__ import annotations

from tests.kept import ADD_THEM, still_english
from tests.web.conftest import SHOWN

ENOUGH = 10  # sentences the pages' tests show in Chinese; fewer means this file ran without them


def test_every_refusal_the_pages_showed_in_chinese_was_said_in_chinese() -> None:
    sentences = {s for s in set().union(*SHOWN) if " " in s.strip()}
    english = still_english(sentences, ENOUGH, "the pages' tests")
    assert not english, ADD_THEM + "\n".join(english)
