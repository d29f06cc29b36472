"""The problems imports found with rows in this run's tests (kept by this folder's conftest: the file sorts
last here) are each said in Chinese by the pages' table, on the import page and in its report."""

from __future__ import annotations

from herald.web.ui.language.refusals import chinese, said
from tests.contacts.conftest import GIVEN
from tests.kept import ADD_THEM, still_english

ENOUGH = 30  # problems the import tests find; fewer means this file ran without them


def test_every_problem_an_import_found_is_said_in_chinese() -> None:
    english = still_english(GIVEN, ENOUGH, "the import tests")
    assert not english, ADD_THEM + "\n".join(english)


def test_a_problem_is_said_with_the_library_words_it_carries() -> None:
    problem = "not a valid email address: There must be something after the @-sign."
    assert said(problem, chinese()) == "不是有效的邮箱地址：@ 符号后必须有内容。"
