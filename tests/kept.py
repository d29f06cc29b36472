"""What Herald says to people while the tests run, kept to be checked afterwards: a folder's conftest wraps
the function that says it, and a test sorted last in that folder checks every sentence kept (that each is
said in Chinese on the pages, say). Only what Herald's own code says is kept, not the tests' stand-ins."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def keep(owner: Any, name: str, sentence: Callable[[Any, tuple, dict], str | None]) -> set[str]:
    """Wrap `owner.name` (a class's or a module's) so that each call made from Herald's code keeps
    `sentence(result, args, kwargs)` where that gives one; the set is returned and filled as tests run."""
    kept: set[str] = set()
    original = owner.__dict__[name]
    function = original.__func__ if isinstance(original, staticmethod) else original

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if sys._getframe(1).f_globals.get("__name__", "").startswith("herald."):
            said = sentence(result, args, kwargs)
            if said:
                kept.add(said)
        return result

    setattr(owner, name, staticmethod(wrapper) if isinstance(original, staticmethod) else wrapper)
    return kept


ADD_THEM = "add these to herald/web/locales/refusals.zh_CN.toml:\n"


def still_english(kept: set[str], enough: int, run_with: str) -> list[str]:
    """The kept sentences the pages' Chinese table does not say; the test is skipped when fewer than
    `enough` were kept (it ran without the tests that say them)."""
    import pytest

    from herald.web.ui.language.refusals import chinese, said

    if len(kept) < enough:
        pytest.skip(f"run with {run_with}: they give what this checks")
    return sorted(s for s in kept if said(s, chinese()) == s)
