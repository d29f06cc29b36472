"""`/api/v1/contacts`: list and search, get, create, update, erase, bulk upsert, and file imports run in
the background with their progress."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from sqlalchemy import ColumnElement, func, select

from herald import contacts, people, segments
from herald.contacts import (
    BulkIn,
    BulkOut,
    Contact,
    ContactDetail,
    ContactIn,
    ContactList,
    ContactOut,
    Erased,
    ImportJob,
    TimelineEntry,
    UpsertResult,
)
from herald.errors import Invalid
from herald.types import MAX_ID
from herald.web.auth import action_of, need
from herald.web.deps import ContactId, ErrorOut, Unit
from herald.web.imports import Jobs

if TYPE_CHECKING:
    from herald.bootstrap import Container

STATUS = {"imported": 201, "updated": 200, "unchanged": 200, "duplicate": 409, "conflict": 409, "invalid": 422}
MAX_UPLOAD = 500 << 20


def router(container: Container, jobs: Jobs) -> APIRouter:
    api = APIRouter(prefix="/api/v1/contacts", tags=["contacts"])

    def region(given: str | None) -> str | None:
        return given or container.settings.default_region

    @api.get("", dependencies=[need("contacts:read")])
    def list_contacts(
        unit: Unit,
        segment: str = "all",
        q: str | None = None,
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=MAX_ID),
    ) -> ContactList:
        ids = segments.audience_select(unit.session, segment, container.clock.now()).order_by(None).scalar_subquery()
        where: list[ColumnElement[bool]] = [Contact.id.in_(ids)]
        if q:
            where.append(contacts.matching(unit.session, q, container.settings.default_region))
        total = unit.session.execute(select(func.count()).select_from(Contact).where(*where)).scalar_one()
        rows = unit.session.scalars(select(Contact).where(*where).order_by(Contact.id).limit(limit).offset(offset))
        return ContactList(total=total, items=[ContactOut.model_validate(contacts.contact_out(c)) for c in rows])

    @api.get("/imports/{job_id}", dependencies=[need("contacts:write")])
    def import_status(job_id: int) -> ImportJob:
        return ImportJob(**jobs.get(job_id))

    @api.get("/{contact_id}/timeline", dependencies=[need("contacts:read")])
    def timeline(unit: Unit, contact_id: ContactId, limit: int = Query(200, ge=1, le=1000)) -> list[TimelineEntry]:
        return [TimelineEntry(**e) for e in people.timeline(unit, contact_id, limit)]

    @api.get("/{contact_id}", dependencies=[need("contacts:read")])
    def show(unit: Unit, contact_id: ContactId) -> ContactDetail:
        found = contacts.person(unit, contact_id)
        return ContactDetail(
            **contacts.contact_out(contacts.get_contact(unit, contact_id)),
            consents=found["consents"],
            suppressions=found["suppressions"],
        )

    @api.post(
        "",
        responses={201: {"model": UpsertResult}, 409: {"model": UpsertResult}, 422: {"model": UpsertResult | ErrorOut}},
        dependencies=[need("contacts:write")],
    )
    def create(unit: Unit, body: ContactIn, response: Response) -> UpsertResult:
        """Create a contact, or match it by external id, phone or e-mail and update it as an import row would:
        201 imported, 200 updated or unchanged, 409 duplicate or conflict, 422 invalid, with the problems."""
        result = contacts.upsert(
            unit,
            [body.model_dump(exclude_unset=True)],
            container.clock.now(),
            erasure_key=container.settings.erasure_keys,
            default_region=region(None),
            tagging=container.tag_imported,
        )[0]
        response.status_code = STATUS[result["status"]]
        if result["id"] is not None and result["status"] in ("imported", "updated", "unchanged"):
            result["contact"] = contacts.contact_out(contacts.get_contact(unit, result["id"]))
        return UpsertResult(**result)

    @api.patch("/{contact_id}", dependencies=[need("contacts:write")])
    def update(unit: Unit, contact_id: ContactId, given: ContactIn) -> ContactOut:
        """Change the fields given; an attribute given as null or empty is removed."""
        body = given.model_dump(exclude_unset=True)
        contact = contacts.living_contact(unit, contact_id)
        attributes = body.get("attributes") or {}
        drop = {k for k, v in attributes.items() if v in (None, "")}
        data = {
            "phone": contact.phone,
            "email": contact.email,
            **body,
            "attributes": {k: v for k, v in attributes.items() if k not in drop},
        }
        # A `country` given is read by the parser itself, as an import row's country cell is.
        item = contacts.parse_one(data, container.clock.now(), region(None))
        updated = contacts.update_contact(unit, contact_id, item, set(body), container.clock.now(), drop)
        return ContactOut(**contacts.contact_out(updated))

    @api.delete("/{contact_id}", dependencies=[need("contacts:erase")])
    def erase(unit: Unit, contact_id: ContactId) -> Erased:
        """Erase the person for good (see `herald contacts erase`); the nameless row keeps the ledger whole."""
        result = people.erase_person(unit, contact_id, container.clock.now(), container.settings.secret_key)
        return Erased(**{**result, "erased_at": result["erased_at"].isoformat()})

    @api.post("/bulk", dependencies=[need("contacts:write")])
    def bulk(unit: Unit, body: BulkIn) -> BulkOut:
        results = contacts.upsert(
            unit,
            body.items,
            container.clock.now(),
            erasure_key=container.settings.erasure_keys,
            default_region=region(body.default_region),
            merge=body.merge,
            tagging=container.tag_imported,
        )
        counts = {k: 0 for k in STATUS}
        for r in results:
            counts[r["status"]] += 1
        return BulkOut(counts=counts, results=[UpsertResult.model_validate(r) for r in results])

    @api.post("/imports", status_code=202, dependencies=[need("contacts:write")])
    async def start_import(
        request: Request,
        tasks: BackgroundTasks,
        filename: str,
        default_region: str | None = None,
        merge: str = "fill-empty",
        unknown: str = "attribute",
        tag: Annotated[list[str], Query(description="Give every row's contact this tag (created if new).")] = [],  # noqa: B006
    ) -> ImportJob:
        """Upload a file (CSV, TSV or XLSX) as the request body; it is imported in the background. A `tags`
        column gives each row's contact the tags it lists; `tag` gives every row's contact the same."""
        path = await _spool(request, filename)
        job = jobs.start(filename)
        options = {"default_region": region(default_region), "merge": merge, "unknown": unknown, "tags": tag}
        audit = {"actor": request.state.actor, "action": action_of(request), "subject": f"file={filename[:200]}"}
        tasks.add_task(jobs.run, job, container, path, options, audit)
        return ImportJob(**jobs.get(job))

    return api


async def _spool(request: Request, filename: str) -> Path:
    """The uploaded body in a temporary file (never held in memory whole)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".tsv", ".txt", ".xlsx", ".xlsm"):
        raise Invalid(f"{filename!r}: expected a .csv, .tsv, .txt or .xlsx file", where="filename")
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=suffix)
    size = 0
    with handle:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD:
                Path(handle.name).unlink(missing_ok=True)
                raise Invalid(f"the upload is larger than {MAX_UPLOAD >> 20} MB", where="body")
            handle.write(chunk)
    return Path(handle.name)
