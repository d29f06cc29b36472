"""What the pages showed Chinese viewers in a service's or a rule's own words during this run's tests (kept
by this folder's conftest; this file sorts last here) is each said in Chinese by the table. A single word
is left alone: it is a name someone gave (a rule's, a tag's), not a sentence."""

from __future__ import annotations

import pytest

from herald.web.ui.refusals import chinese, said
from tests.web.conftest import SHOWN

ENOUGH = 10  # sentences the pages' tests show in Chinese; fewer means this file ran without them


def test_every_refusal_the_pages_showed_in_chinese_was_said_in_chinese() -> None:
    shown = {s for s in set().union(*SHOWN) if " " in s.strip()}
    if len(shown) < ENOUGH:
        pytest.skip("run with the pages' tests: they show the refusals this checks")
    english = sorted(s for s in shown if said(s, chinese()) == s)
    assert not english, "add these to herald/web/locales/refusals.zh_CN.toml:\n" + "\n".join(english)
