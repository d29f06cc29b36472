"""Every reason Herald's rules give while the tests run is kept, so that the last test of this folder
(`test_zh_reasons.py`) can check that each is said in Chinese on the pages."""

from __future__ import annotations

import sys

from herald.rules.decision import RuleOutcome

GIVEN: set[str] = set()
_made = RuleOutcome.__new__


def _kept(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
    outcome = _made(cls, *args, **kwargs)
    if sys._getframe(1).f_globals.get("__name__", "").startswith("herald."):  # not the tests' own rules
        GIVEN.add(outcome.detail)
    return outcome


RuleOutcome.__new__ = _kept  # type: ignore[method-assign]
