"""Every reason an import gives for a row's problem while the tests run is kept, so that the last test of
this folder (`test_zh_problems.py`) can check that each is said in Chinese on the pages."""

from __future__ import annotations

from herald.contacts.importing.report import ImportReport
from tests.kept import keep

GIVEN = keep(ImportReport, "problem", lambda _none, args, kwargs: args[4] if len(args) > 4 else kwargs.get("reason"))
