"""The reasons the rules gave in this run's tests (kept by this folder's conftest: the file sorts last
here, after the table tests that reach every branch) are each said in Chinese by the pages' table."""

from __future__ import annotations

from herald.web.ui.language.refusals import chinese, said
from tests.kept import ADD_THEM, still_english
from tests.rules.conftest import GIVEN

ENOUGH = 100  # reasons the rules' tests give; fewer means this file ran without them


def test_every_reason_the_rules_gave_is_said_in_chinese() -> None:
    english = still_english(GIVEN, ENOUGH, "the rules' tests")
    assert not english, ADD_THEM + "\n".join(english)


def test_a_reason_is_said_whole_with_its_parts_said_again() -> None:
    reason = "Sunday is not a sending day; next allowed 2026-12-28 08:00 Europe/Paris"
    assert said(reason, chinese()) == "星期日不是发送日；最早可发送时间 2026-12-28 08:00（Europe/Paris）"
