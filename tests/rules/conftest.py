"""Every reason Herald's rules give while the tests run is kept, so that the last test of this folder
(`test_zh_reasons.py`) can check that each is said in Chinese on the pages."""

from __future__ import annotations

from herald.rules.decision import RuleOutcome
from tests.kept import keep

GIVEN = keep(RuleOutcome, "__new__", lambda outcome, _args, _kwargs: outcome.detail)
