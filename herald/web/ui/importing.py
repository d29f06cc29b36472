"""`/import`: the import wizard. Upload a CSV, TSV or XLSX file; see what Herald read — the encoding and
delimiter it detected and each column's field, every one changeable — with the dry run's counts and the
first normalized rows; then import it: a progress bar while it runs (in a process of its own, as through
the API), and the summary with the problem report to download (formulas neutralized)."""

from __future__ import annotations

import csv
import io
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from herald import contacts
from herald.errors import HeraldError, Invalid, NotFound
from herald.web.imports import Jobs
from herald.web.ui.forms import form_lists
from herald.web.ui.pages import PageRefused, Viewer, check_csrf, page, reason_of, show

if TYPE_CHECKING:
    from herald.bootstrap import Container

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
UPLOAD_KEPT = 24 * 3600  # an upload waits a day for its import, then it is removed


def router(container: Container, jobs: Jobs) -> APIRouter:
    api = APIRouter()
    uploads = Path(tempfile.gettempdir()) / "herald-uploads"

    @api.get("/import")
    def start(request: Request, viewer: Annotated[Viewer, page("contacts:write")]) -> Response:
        return show(request, viewer, "ui/import.html", {"section": "import", "errors": {}})

    @api.post("/import")
    async def upload(request: Request, viewer: Annotated[Viewer, page("contacts:write")]) -> Response:
        form = await request.form()
        check_csrf(viewer, {"csrf": str(form.get("csrf") or "")})
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return _again(request, viewer, {"file": "choose a file"})
        name = Path(file.filename).name
        if not name.lower().endswith(SUFFIXES):
            return _again(request, viewer, {"file": f"{name}: expected a .csv, .tsv or .xlsx file"})
        sweep(uploads, time.time())
        token = secrets.token_urlsafe(16)
        folder = uploads / token
        folder.mkdir(parents=True)
        with (folder / name).open("wb") as out:
            shutil.copyfileobj(file.file, out)
        return RedirectResponse(f"{viewer.base}/import/{token}", status_code=303)

    @api.get("/import/{token}")
    def review(request: Request, viewer: Annotated[Viewer, page("contacts:write")], token: str) -> Response:
        path = _uploaded(uploads, token, viewer)
        return show(request, viewer, "ui/import_review.html", _dry_run(container, path, token, {}, viewer.language))

    @api.post("/import/{token}")
    async def decide(request: Request, viewer: Annotated[Viewer, page("contacts:write")], token: str) -> Response:
        """Read again with the choices made, or start the import with them."""
        fields = await form_lists(request)
        check_csrf(viewer, {"csrf": (fields.get("csrf") or [""])[0]})
        path = _uploaded(uploads, token, viewer)
        options = _options(fields)
        if (fields.get("go") or [""])[0] != "import":
            return show(
                request, viewer, "ui/import_review.html", _dry_run(container, path, token, options, viewer.language)
            )
        job = jobs.start(path.name)
        audit = {"actor": viewer.actor, "action": "web contacts.import", "subject": f"file={path.name[:200]}"}
        options["default_region"] = options.get("default_region") or container.settings.default_region
        jobs.spawn(job, container, path, options, audit)
        return RedirectResponse(f"{viewer.base}/import/jobs/{job}", status_code=303)

    @api.get("/import/jobs/{job}")
    def progress(request: Request, viewer: Annotated[Viewer, page("contacts:write")], job: int) -> Response:
        state = _job(jobs, job, viewer)
        name = "ui/fragments/import_job.html" if request.headers.get("hx-request") else "ui/import_job.html"
        return show(request, viewer, name, {"section": "import", "job": state})

    @api.get("/import/jobs/{job}/problems.csv")
    def problems(viewer: Annotated[Viewer, page("contacts:write")], job: int) -> Response:
        report = _job(jobs, job, viewer).get("report") or {}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row", "field", "value", "reason"])
        for p in report.get("problems", []):
            writer.writerow([_cell(p.get(k)) for k in ("row", "field", "value", "reason")])
        headers = {"content-disposition": f'attachment; filename="import-{job}-problems.csv"'}
        return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)

    return api


def _again(request: Request, viewer: Viewer, errors: dict[str, str]) -> Response:
    return show(request, viewer, "ui/import.html", {"section": "import", "errors": errors}, status=422)


def sweep(uploads: Path, now: float, kept: float = UPLOAD_KEPT) -> int:
    """Remove the uploads read but never imported that are older than `kept` seconds: a file of people's
    data does not linger in the temporary folder. Returns how many went."""
    gone = 0
    for folder in uploads.iterdir() if uploads.is_dir() else ():
        if now - folder.stat().st_mtime > kept:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def _uploaded(uploads: Path, token: str, viewer: Viewer) -> Path:
    folder = uploads / token
    safe = token.replace("-", "").replace("_", "").isalnum()
    found = list(folder.iterdir()) if safe and folder.is_dir() else []
    if not found:
        raise PageRefused(404, "that upload is gone; upload the file again", viewer.language)
    return found[0]


def _options(fields: dict[str, list[str]]) -> dict[str, Any]:
    """The reader's choices from the review form: encoding, delimiter, region, and each column's field."""
    one = {k: v[0] for k, v in fields.items() if v}
    options: dict[str, Any] = {"unknown": "attribute", "merge": one.get("merge") or "fill-empty"}
    for key in ("encoding", "delimiter", "default_region"):
        if one.get(key):
            options[key] = "\t" if key == "delimiter" and one[key] == "tab" else one[key]
    if one.get("tags", "").strip():
        options["tags"] = [one["tags"]]  # the importer splits them as it splits a tags column
    mapping = {h: f for h, f in zip(fields.get("header", []), fields.get("field", []), strict=False) if f}
    if mapping:
        options["mapping"] = mapping
    return options


def _dry_run(container: Container, path: Path, token: str, options: dict[str, Any], language: str) -> dict[str, Any]:
    """What importing the file would do, written nowhere."""
    error, report = None, None
    try:
        with container.uow(dry_run=True) as uow:
            found = contacts.import_file(
                uow,
                path,
                container.clock.now(),
                dry_run=True,
                processes=0,
                erasure_key=container.settings.erasure_keys,
                **({"default_region": container.settings.default_region} | options),
            )
            container.tag_imported(uow, found, container.clock.now())
        report = found.as_dict()
    except (HeraldError, Invalid) as exc:
        error = reason_of(exc, language)
    fields = ("ignore", *contacts.IMPORT_FIELDS)
    chosen = {"default_region": options.get("default_region", ""), "tags": " ".join(options.get("tags", []))}
    return {
        "section": "import",
        "token": token,
        "file": path.name,
        "report": report,
        "error": error,
        "fields": fields,
        "chosen": chosen,
    }


def _job(jobs: Jobs, job: int, viewer: Viewer) -> dict[str, Any]:
    try:
        return jobs.get(job)
    except NotFound as exc:
        raise PageRefused(404, reason_of(exc, viewer.language), viewer.language) from None


def _cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text
