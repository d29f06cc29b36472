"""The FastAPI application. It binds to localhost until API keys arrive."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse

from herald.db import migrate as migrations
from herald.errors import Conflict, Forbidden, HeraldError, Invalid, NotFound
from herald.segments import queries as segments
from herald.web import autotag_api, campaigns_api, contacts_api, events_api, tags_api, templates_api
from herald.web.deps import Unit

STATUS = {NotFound: 404, Conflict: 409, Invalid: 422, Forbidden: 403}


def create_app(container: Any) -> FastAPI:
    """The API bound to a bootstrap Container."""
    api = FastAPI(title="Herald", version="0.1.0", docs_url="/api/docs", openapi_url="/api/v1/openapi.json")
    api.state.container = container

    @api.exception_handler(HeraldError)
    async def herald_error(_: Request, exc: HeraldError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=status)

    @api.get("/api/v1/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "schema": migrations.current_revision(container.engine)}

    @api.get("/api/v1/segments/count")
    def segment_count(unit: Unit, q: Annotated[str, Query(description="Segment expression")]) -> dict[str, object]:
        return {"expression": q, "count": segments.count(unit.session, q, container.clock.now())}

    api.include_router(contacts_api.router(container))
    api.include_router(events_api.router(container))
    api.include_router(tags_api.router(container))
    api.include_router(autotag_api.router(container))
    api.include_router(templates_api.router(container))
    api.include_router(campaigns_api.router(container))
    return api
