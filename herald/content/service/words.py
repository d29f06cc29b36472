"""The operator's edits of the banned words: a word banned, or one a preset bans allowed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from herald.content.models import LintWord
from herald.content.service.templates import who
from herald.db import UnitOfWork
from herald.errors import Invalid, NotFound


def set_lint_word(uow: UnitOfWork, word: str, action: str, *, by: str, now: datetime) -> LintWord:
    """Ban a word, or allow one a preset bans; replaces an earlier edit of the same word."""
    word = word.strip()
    if not word or action not in ("ban", "allow"):
        raise Invalid("give a word and ban or allow", where="banned words")
    row = uow.session.scalar(select(LintWord).where(LintWord.word == word))
    if row is None:
        row = LintWord(word=word, action=action, added_by=who(by), created_at=now)
        uow.session.add(row)
    else:
        row.action, row.added_by, row.created_at = action, who(by), now
    uow.flush()
    return row


def remove_lint_word(uow: UnitOfWork, word: str) -> None:
    """Forget the operator's edit of a word."""
    row = uow.session.scalar(select(LintWord).where(LintWord.word == word.strip()))
    if row is None:
        raise NotFound(f"{word!r} is not on the list")
    uow.session.delete(row)
    uow.flush()


def lint_words(uow: UnitOfWork) -> dict[str, list[str]]:
    """The operator's edits: {"ban": [...], "allow": [...]}."""
    out: dict[str, list[str]] = {"ban": [], "allow": []}
    for word, action in uow.session.execute(select(LintWord.word, LintWord.action).order_by(LintWord.word)):
        out[action].append(word)
    return out
