"""`/tags/rules/…`: an automatic tag rule written in a form — an event rule (a count of events whose
properties pass a condition, within a span) or a keyword rule (words and their synonyms in replies) —
tried on the history without writing anything, saved as a new version, switched on or off, applied
over all history, or deleted (the tags it gave stay). The autotag room checks every rule as the CLI and
the API do; a refusal is shown beside the field it names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from herald import autotag
from herald.errors import HeraldError, Invalid
from herald.web.ui.forms import form_fields
from herald.web.ui.language.refusals import in_language
from herald.web.ui.pages import PageRefused, Viewer, audited, check_csrf, page, reason_of, show, status_of

if TYPE_CHECKING:
    from herald.bootstrap import Container

WRITE = "tags:write"
TEXTS = ("event", "where", "within", "tag", "expires", "category", "description", "field")
CHANGES = ("on", "off", "backfill", "delete")


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/tags/rules/new")
    def new(request: Request, viewer: Annotated[Viewer, page(WRITE)]) -> Response:
        return _form(request, viewer, {"kind": "event", "count": "1"})

    @api.get("/tags/rules/{name}/edit")
    def edit(request: Request, viewer: Annotated[Viewer, page(WRITE)], name: str) -> Response:
        with container.uow() as uow:
            rule = autotag.get_rule(uow, name)
            given = form_of(rule.definition) | {"name": rule.name}
        return _form(request, viewer, given, {"version": rule.version, "editing": True})

    @api.post("/tags/rules")
    async def save(request: Request, viewer: Annotated[Viewer, page(WRITE)]) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        name, now, editing = fields.get("name", "").strip(), container.clock.now(), fields.get("editing") == "1"
        try:
            definition = definition_of(fields)
            if fields.get("do") == "try":
                with container.uow(dry_run=True) as uow:
                    found = autotag.dry_run(uow, definition, now)
                return _form(request, viewer, fields, {"found": found, "editing": editing})
            with audited(container, viewer, "tags.rules.save", f"rule={name[:48]}") as uow:
                if not editing and name in {r.name for r in autotag.list_rules(uow)}:
                    # A new rule's form never overwrites a rule of that name: that is what "Change" is for.
                    raise Invalid(f"a tag rule named {name!r} exists; change it from its own page", where="rule name")
                autotag.save_rule(uow, name, definition, viewer.actor.label, now)
        except Invalid as exc:
            errors = {field_of(exc): said_at(exc, viewer.language)}
            return _form(request, viewer, fields, {"errors": errors, "editing": editing}, 422)
        return RedirectResponse(f"{viewer.base}/tags#rule-{name}", status_code=303)

    @api.post("/tags/rules/{name}/{change}")
    async def change(request: Request, viewer: Annotated[Viewer, page(WRITE)], name: str, change: str) -> Response:
        check_csrf(viewer, await form_fields(request))
        if change not in CHANGES:
            return Response(status_code=404)
        try:
            with audited(container, viewer, f"tags.rules.{change}", f"rule={name[:48]}") as uow:
                _apply(uow, name, change, container)
        except HeraldError as exc:
            raise PageRefused(status_of(exc), reason_of(exc, viewer.language), viewer.language) from None
        return RedirectResponse(f"{viewer.base}/tags#rules-title", status_code=303)

    return api


def _apply(uow: Any, name: str, change: str, container: Container) -> None:
    if change == "delete":
        autotag.delete_rule(uow, name)
    elif change == "backfill":
        autotag.backfill(uow, name, container.clock.now())
    else:
        autotag.set_enabled(uow, name, change == "on")


def _form(
    request: Request, viewer: Viewer, given: dict[str, Any], more: dict[str, Any] | None = None, status: int = 200
) -> Response:
    context = {"section": "tags", "given": given, "errors": {}} | (more or {})
    return show(request, viewer, "ui/tag_rule.html", context, status=status)


def definition_of(fields: dict[str, str]) -> dict[str, Any]:
    """A rule's definition from the form: empty fields left out, the count a whole number, keywords one a
    line or by commas (、，too), synonyms one keyword a line as `keyword: synonym, synonym`."""
    kind = fields.get("kind", "")
    found: dict[str, Any] = {"kind": kind} | {k: fields[k].strip() for k in TEXTS if fields.get(k, "").strip()}
    count = fields.get("count", "").strip()
    if kind == "event" and count:
        found["count"] = int(count) if count.isdigit() else count  # the room refuses what is no whole number
    if kind == "keyword":
        found["keywords"] = _words(fields.get("keywords", ""))
        synonyms = {}
        for number, line in enumerate(fields.get("synonyms", "").splitlines(), 1):
            if line.strip():
                word, sep, others = line.partition(":")
                if not sep:
                    raise Invalid(f"line {number}: expected keyword: synonym, synonym", where="rule synonyms")
                synonyms[word.strip()] = _words(others)
        if synonyms:
            found["synonyms"] = synonyms
    return found


def form_of(definition: dict[str, Any]) -> dict[str, str]:
    """A saved definition as the form's fields."""
    found = {k: str(v) for k, v in definition.items() if k in (*TEXTS, "kind", "count")}
    found["keywords"] = "\n".join(definition.get("keywords", []))
    found["synonyms"] = "\n".join(f"{k}: {', '.join(v)}" for k, v in (definition.get("synonyms") or {}).items())
    return found


def field_of(error: Invalid) -> str:
    """The form field a refusal names: `rule where (column 4)` → where; anything else → the form's top."""
    words = (error.where or "").split()
    return words[1] if len(words) > 1 and words[0] == "rule" else "rule"


def said_at(error: Invalid, language: str) -> str:
    """The refusal for its field, with the column it names in a condition (`rule where (column 4)`)."""
    where = error.where or ""
    column = where[where.index("(") + 1 : -1] if where.endswith(")") and "(" in where else ""
    return in_language(f"at {column}: {error.reason}" if column else error.reason, language)


def _words(text: str) -> list[str]:
    for comma in ("，", "、", "\n"):
        text = text.replace(comma, ",")
    return [w.strip() for w in text.split(",") if w.strip()]
