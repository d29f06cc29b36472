"""Request dependencies shared by the API's routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import BaseModel, Field

from herald.db import UnitOfWork
from herald.types import MAX_ID
from herald.web.auth import action_of, subject_of


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work per request, committed when the handler returns; what it writes is recorded in the
    audit log as the request's actor doing the route's action."""
    actor = getattr(request.state, "actor", None)
    container = request.app.state.container
    with container.uow(actor=actor, action=action_of(request), subject=subject_of(request)) as unit:
        yield unit


Unit = Annotated[UnitOfWork, Depends(unit_of_work)]


def control_unit(request: Request) -> Iterator[UnitOfWork]:
    """A unit of work on the control store (users, keys), audited there as the request's actor."""
    actor = getattr(request.state, "actor", None)
    container = request.app.state.container
    with container.control_uow(actor=actor, action=action_of(request), subject=subject_of(request)) as unit:
        yield unit


ControlUnit = Annotated[UnitOfWork, Depends(control_unit)]

# A row's id in a path: a whole number a 64-bit column holds (a larger one is refused with 422, not a 500).
ContactId = Annotated[int, Path(ge=1, le=MAX_ID, description="The contact's id.")]


class FieldProblem(BaseModel):
    """One field of a request that does not fit its documented shape."""

    location: str = Field(description="body, query, path or header")
    field: str = Field(description="The field's name; a dotted path inside the body, such as consents.sms")
    reason: str


class ErrorOut(BaseModel):
    """Every error the API answers: the kind and the one-line reason, naming the field or row."""

    error: str = Field(description="Invalid, NotFound, Conflict, Forbidden, Unauthorized…")
    detail: str
    problems: list[FieldProblem] | None = Field(
        None, description="For a request that does not fit its documented shape: each field at fault."
    )
