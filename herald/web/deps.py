"""Request dependencies shared by the API's routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from herald.db import UnitOfWork


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work per request, committed when the handler returns."""
    with request.app.state.container.uow() as unit:
        yield unit


Unit = Annotated[UnitOfWork, Depends(unit_of_work)]
