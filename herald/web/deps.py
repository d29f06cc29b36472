"""Request dependencies shared by the API's routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import BaseModel

from herald.db import UnitOfWork
from herald.types import MAX_ID


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work per request, committed when the handler returns."""
    with request.app.state.container.uow() as unit:
        yield unit


Unit = Annotated[UnitOfWork, Depends(unit_of_work)]

# A row's id in a path: a whole number a 64-bit column holds (a larger one is refused with 422, not a 500).
ContactId = Annotated[int, Path(ge=1, le=MAX_ID, description="The contact's id.")]


class ErrorOut(BaseModel):
    """Every error the API answers: the kind and the one-line reason, naming the field or row."""

    error: str
    detail: str
