"""How the API answers an error: always `{"error": kind, "detail": one line}` (`ErrorOut`), so that a
program reads every refusal the same way. A request that does not fit the documented shapes also lists
each field at fault in `problems`, without echoing the values given (one may be a password)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from herald.errors import Conflict, Forbidden, HeraldError, Invalid, NotFound, Unauthorized
from herald.web.guard import KINDS

STATUS = {NotFound: 404, Conflict: 409, Invalid: 422, Forbidden: 403, Unauthorized: 401}
UNREADABLE = "the body could not be read: send JSON in UTF-8, as the route's documentation shows"
PLACES = {"query": "query parameter", "path": "path parameter", "header": "header", "cookie": "cookie"}


def status_of(exc: HeraldError) -> int:
    """The HTTP status a Herald error answers with."""
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)


# The part of an error's location that names a member of a union (`str`, `literal['granted','revoked']`),
# not a field: each member that failed gives an error of its own for the same field.
UNION_MEMBER = re.compile(r"[a-z][a-z-]*\[.*\]|str|int|float|bool|none|bytes|list|dict")


def field_problem(error: dict[str, Any]) -> dict[str, str]:
    """One of the framework's validation errors as Herald names it: where, which field, and why."""
    where, *path = [str(part) for part in error.get("loc", ())] or ["body"]
    if error.get("type") == "json_invalid":  # its location's second part is a character's position
        said = (error.get("ctx") or {}).get("error", "")
        reason = f"not valid JSON at character {path[0] if path else 0}" + (f": {said}" if said else "")
        return {"location": where, "field": where, "reason": reason}
    named = [part for part in path if not UNION_MEMBER.fullmatch(part)]
    return {"location": where, "field": ".".join(named) or where, "reason": str(error.get("msg", "not valid"))}


def field_problems(errors: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Each field at fault once, with the first reason given for it (a union's first member is the shape
    the documentation leads with)."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for problem in map(field_problem, errors):
        found.setdefault((problem["location"], problem["field"]), problem)
    return list(found.values())


def validation_detail(problems: Sequence[dict[str, str]]) -> str:
    """The problems as one line: `limit (query parameter): Input should be …; consents.sms: …`."""
    said = []
    for p in problems:
        place = PLACES.get(p["location"])
        said.append(f"{p['field']} ({place}): {p['reason']}" if place else f"{p['field']}: {p['reason']}")
    return "; ".join(said) or "the request is not valid"


def install(api: FastAPI) -> None:
    """Answer Herald's errors, the framework's validation errors and values no column holds as `ErrorOut`."""

    @api.exception_handler(HeraldError)
    async def herald_error(_: Request, exc: HeraldError) -> JSONResponse:
        status = status_of(exc)
        challenge = {"www-authenticate": 'Bearer realm="herald"'} if status == 401 else None
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=status, headers=challenge)

    @api.exception_handler(StarletteHTTPException)
    async def refused(_: Request, exc: StarletteHTTPException) -> Response:
        # The framework's own refusals (no such route, a method the route lacks, a body it cannot parse).
        if exc.status_code in (204, 304):  # answers that carry no body
            return Response(status_code=exc.status_code, headers=exc.headers)
        detail = UNREADABLE if exc.detail == "There was an error parsing the body" else str(exc.detail)
        kind = KINDS.get(exc.status_code) or HTTPStatus(exc.status_code).phrase.replace(" ", "")
        return JSONResponse({"error": kind, "detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = field_problems(exc.errors())
        body = {"error": "Invalid", "detail": validation_detail(problems), "problems": problems}
        return JSONResponse(body, status_code=422)

    @api.exception_handler(DataError)
    async def out_of_range(_: Request, exc: DataError) -> JSONResponse:
        # A value the database's column cannot hold (a number past its range): the caller's mistake.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "a value is out of range"
        return JSONResponse(
            {"error": "Invalid", "detail": f"the database cannot hold a value given: {reason}"}, status_code=422
        )

    @api.exception_handler(OverflowError)
    async def too_large(_: Request, exc: OverflowError) -> JSONResponse:
        # A number no column or calendar holds, wherever a route let one through: the caller's mistake.
        return JSONResponse({"error": "Invalid", "detail": f"a number given is too large ({exc})"}, status_code=422)
