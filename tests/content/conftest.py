"""Every finding the lint gives while the tests run is kept, so that the last test of this folder
(`test_zh_findings.py`) can check that each is said in Chinese on the pages."""

from __future__ import annotations

from herald.content.lint import Finding
from tests.kept import keep

GIVEN = keep(Finding, "__init__", lambda _none, args, _kwargs: args[0].message)
