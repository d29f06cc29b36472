"""The lint findings of this run's tests (kept by this folder's conftest: the file sorts last here) are
each said in Chinese by the pages' table, in the template editor and the preflight report."""

from __future__ import annotations

from herald.web.ui.language.refusals import chinese, said
from tests.content.conftest import GIVEN
from tests.kept import ADD_THEM, still_english

ENOUGH = 20  # findings the lint tests give; fewer means this file ran without them


def test_every_finding_the_lint_gave_is_said_in_chinese() -> None:
    english = still_english(GIVEN, ENOUGH, "the lint tests")
    assert not english, ADD_THEM + "\n".join(english)


def test_a_placeholder_keeps_its_braces_in_chinese() -> None:
    assert said("{{1}} opens the body; Meta rejects a parameter at the start", chinese()).startswith(
        "{{1}} 位于正文开头"
    )
