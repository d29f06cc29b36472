"""What runs on the events the tracking room records (a reply, a click, a delivery): the automatic tag
rules, as on any event. One place, so that every fact the room records is seen the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald import autotag
from herald.db import UnitOfWork


def after_events(uow: UnitOfWork, rows: list[dict[str, Any]], now: datetime) -> None:
    """The automatic tag rules, on the events just stored."""
    autotag.on_events(uow, rows, now)
