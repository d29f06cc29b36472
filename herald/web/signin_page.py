"""Signing in and out of the browser UI: `/signin` (a form, in Chinese or English), `/signout` and
`/signout/everywhere`.

The form carries a CSRF token of its own, matched against a short-lived cookie (a page elsewhere must not
sign a browser in as someone else). A good name, password and — when the user has one — second-factor code
start a server-side session: its random token goes in an HTTP-only, SameSite cookie (Secure when Herald is
reached over https); only the token's hash is kept. Refusals answer 401 and are recorded in the audit log;
repeated ones lock the account for a while."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from herald import access
from herald.errors import Forbidden
from herald.web.auth import SESSION_COOKIE, client_address, session_limits
from herald.web.ui.language import i18n

if TYPE_CHECKING:
    from herald.bootstrap import Container

FORM_COOKIE = "herald_signin"
MAX_FORM = 8 << 10


def router(container: Container) -> APIRouter:
    api = APIRouter(include_in_schema=False)

    @api.get("/signin", response_class=HTMLResponse)
    def form(request: Request, next: str = "/", lang: str | None = None, out: bool = False) -> Response:
        language = _language(request, lang)
        notice = _said("You are signed out.", language) if out else None
        return _form(request, language, next=next, notice=notice)

    @api.post("/signin", response_class=HTMLResponse)
    async def sign_in(request: Request) -> Response:
        fields = await _fields(request)
        language = _language(request, fields.get("lang"))
        given, target = fields.get("name", ""), _local(fields.get("next", "/"))
        if not access.same(fields.get("csrf", ""), request.cookies.get(FORM_COOKIE, "") or "\0"):
            expired = _said("The form expired; please sign in again.", language)
            return _form(request, language, next=target, error=expired, name=given, status=403)
        agent = request.headers.get("user-agent", "")
        # The password's hash takes tens of milliseconds on purpose: off the event loop.
        started = await run_in_threadpool(_signed_in, container, fields, client_address(request), agent)
        if isinstance(started, access.Refusal):
            return _form(request, language, next=target, error=started.reason, name=given, status=401)
        answer = RedirectResponse(target, status_code=303)
        answer.set_cookie(
            SESSION_COOKIE,
            started.token,
            httponly=True,
            samesite="lax",
            secure=_secure(request, container),
            max_age=container.settings.session_max_hours * 3600,
            path="/",
        )
        answer.delete_cookie(FORM_COOKIE, path="/signin")
        return answer

    @api.post("/signout")
    async def sign_out(request: Request) -> Response:
        return await _sign_out(request, everywhere=False)

    @api.post("/signout/everywhere")
    async def sign_out_everywhere(request: Request) -> Response:
        return await _sign_out(request, everywhere=True)

    async def _sign_out(request: Request, everywhere: bool) -> Response:
        fields = await _fields(request)
        await run_in_threadpool(_signed_out, container, request, fields, everywhere)
        answer = RedirectResponse("/signin?out=1", status_code=303)
        answer.delete_cookie(SESSION_COOKIE, path="/")
        return answer

    return api


def _form(
    request: Request,
    language: str,
    *,
    next: str,
    error: str | None = None,
    notice: str | None = None,
    name: str = "",
    status: int = 200,
) -> Response:
    token = secrets.token_urlsafe(32)
    context = {"csrf": token, "next": _local(next), "error": error, "notice": notice, "name": name}
    page = i18n.render(language, "access/signin.html", context)
    answer = HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})
    answer.set_cookie(i18n.COOKIE, language, max_age=365 * 86400, samesite="lax", path="/")  # the pages after it
    answer.set_cookie(
        FORM_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=3600,
        path="/signin",
        secure=request.url.scheme == "https",
    )
    return answer


def _signed_in(
    container: Container, fields: dict[str, str], origin: str, agent: str
) -> access.Started | access.Refusal:
    """Check the form's name, password and code, start a session, and record either outcome."""
    now, given = container.clock.now(), fields.get("name", "")
    with container.control_uow() as uow:
        password, code = fields.get("password", ""), fields.get("code", "")
        started = access.sign_in(uow, given, password, code, now, origin, agent)
        _record(uow, started, given, origin, now)
    return started


def _signed_out(container: Container, request: Request, fields: dict[str, str], everywhere: bool) -> None:
    """End this session (or every session of its user), once its CSRF token is shown."""
    token, now, origin = request.cookies.get(SESSION_COOKIE, ""), container.clock.now(), client_address(request)
    with container.control_uow() as uow:
        signed = access.session_actor(uow, token, now, session_limits(container), origin, container.workspace)
    if not access.same(fields.get("csrf", request.headers.get("x-csrf-token", "")), signed.csrf):
        raise Forbidden("the CSRF token is missing or wrong; reload the page and try again")
    action = "web signout" + (" everywhere" if everywhere else "")
    with container.control_uow(actor=signed.actor, action=action) as uow:
        if everywhere:
            uow.note(sessions=access.end_sessions(uow, access.user(uow, signed.actor.name), now))
        else:
            access.sign_out(uow, token, now)


def _language(request: Request, lang: str | None) -> str:
    """Chinese or English: as asked (?lang=), else as remembered, else as the browser prefers."""
    return i18n.choose(lang, request.cookies.get(i18n.COOKIE), request.headers.get("accept-language", ""))


def _said(text: str, language: str) -> str:
    return i18n.translations(language).gettext(text)


async def _fields(request: Request) -> dict[str, str]:
    """A posted form's fields (the first of each), refused past a few kilobytes."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise Forbidden("the form is larger than a sign-in form can be")
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def _local(target: str) -> str:
    """Where to go after signing in: a path on this server only (never another site)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request, container: Container) -> bool:
    public = container.settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def _record(uow, started: access.Started | access.Refusal, given: str, origin: str, now: datetime) -> None:
    """A sign-in in the audit log: the user's own, or a refusal naming the name tried."""
    if isinstance(started, access.Refusal):
        who = access.public(origin)
        access.append(uow, who, "web signin", now, subject=f"name={given[:64]}", outcome="refused", note=started.reason)
    else:
        actor = access.actor_of(started.user, origin)
        access.append(uow, actor, "web signin", now, subject=f"name={started.user.name}")
