"""What every page of the UI shares: who is looking (a signed-in session, else to the sign-in page and
back), whether they may (`page(permission)`, as `need` guards the API), the language, and rendering a
page in its layout. A form that changes something carries the session's CSRF token."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from herald import access
from herald.errors import Conflict, Forbidden, HeraldError, NotFound, Unauthorized
from herald.web.auth import SESSION_COOKIE, caller
from herald.web.ui.language import i18n
from herald.web.ui.language.refusals import in_language

T = TypeVar("T")

if TYPE_CHECKING:
    from herald.bootstrap import Container


class SignInFirst(Exception):
    """No good session: the browser goes to the sign-in page, and back here after."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class PageRefused(Exception):
    """A page the viewer may not see, or a request that cannot be answered: an error page in their language."""

    def __init__(self, status: int, reason: str, language: str) -> None:
        super().__init__(reason)
        self.status, self.reason, self.language = status, reason, language


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, in which language, with the token their forms carry."""

    actor: access.Actor
    csrf: str
    language: str
    base: str  # the workspace's path prefix ("" for the default workspace)
    workspace: str
    workspaces: tuple[str, ...] = ()  # those the viewer may open, for the switcher

    def may(self, permission: str) -> bool:
        try:
            self.actor.require(permission)
        except Forbidden:
            return False
        return True


def page(permission: str | None) -> Any:
    """A page's dependency: a signed-in viewer holding `permission` (any viewer with None)."""

    def check(request: Request) -> Viewer:
        container: Container = request.app.state.container
        language = language_of(request)
        if not request.cookies.get(SESSION_COOKIE):
            raise SignInFirst(_here(request))
        try:
            actor, csrf, _session = caller(request, container)
            actor.require_workspace(container.workspace)
        except Unauthorized:
            raise SignInFirst(_here(request)) from None
        except Forbidden as refused:
            raise PageRefused(403, str(refused), language) from None
        with container.control_uow() as uow:
            theirs = tuple(access.workspaces_of(uow, actor))
        base = request.scope.get("root_path", "")
        viewer = Viewer(actor, csrf or "", language, base, container.workspace, theirs)
        if permission is not None and not viewer.may(permission):
            raise PageRefused(403, _("You may not see this page.", language), language)
        request.state.actor, request.state.csrf = actor, csrf
        return viewer

    check.permission = permission  # type: ignore[attr-defined]  # read by the test that every page has one
    return Depends(check)


def language_of(request: Request) -> str:
    return i18n.choose(
        request.query_params.get("lang"),
        request.cookies.get(i18n.COOKIE),
        request.headers.get("accept-language", ""),
    )


def _(text: str, language: str) -> str:
    return i18n.translations(language).gettext(text)


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.scope.get('root_path', '')}{request.url.path}{query}"


def show(request: Request, viewer: Viewer, name: str, context: Mapping[str, Any], status: int = 200) -> Response:
    """A page in the viewer's language and the layout, the language remembered when it was asked for."""
    html = i18n.render(viewer.language, name, {"viewer": viewer, "request": request, "base": viewer.base, **context})
    answer = HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
    if request.query_params.get("lang") in i18n.LANGUAGES:
        answer.set_cookie(i18n.COOKIE, viewer.language, max_age=365 * 86400, samesite="lax", path="/")
    return answer


def refused_page(request: Request, refused: PageRefused) -> Response:
    html = i18n.render(refused.language, "ui/refused.html", {"status": refused.status, "reason": refused.reason})
    return HTMLResponse(html, status_code=refused.status, headers={"cache-control": "no-store"})


def sign_in_first(refused: SignInFirst) -> Response:
    return RedirectResponse(f"/signin?next={quote(refused.target, safe='/')}", status_code=303)


def check_csrf(viewer: Viewer, fields: Mapping[str, str]) -> None:
    """A form that changes something must carry the session's token (a page elsewhere cannot forge it)."""
    if not access.same(fields.get("csrf", ""), viewer.csrf or "\0"):
        raise PageRefused(403, _("The form expired; reload the page and try again.", viewer.language), viewer.language)


def reason_of(error: HeraldError, language: str = "en") -> str:
    """A service's refusal, said for a person in their language: its reason, without the field it names
    (shown beside it)."""
    return in_language(getattr(error, "reason", None) or str(error), language)


def status_of(error: HeraldError) -> int:
    """The HTTP status a page answers a service's refusal with, as the API does."""
    kinds = ((NotFound, 404), (Conflict, 409), (Forbidden, 403))
    return next((code for kind, code in kinds if isinstance(error, kind)), 422)


def audited(container: Container, viewer: Viewer, action: str, subject: str | None = None) -> Any:
    """A unit of work whose writes the audit log records as the viewer doing `web ACTION`."""
    return container.uow(actor=viewer.actor, action=f"web {action}", subject=subject)


def timed(count: Callable[[], T]) -> tuple[T, float]:
    """What `count` returns, with the seconds it took."""
    started = time.monotonic()
    return count(), time.monotonic() - started


def ask_again_after(took: float, least: int) -> int:
    """Seconds until a live fragment asks again: `least`, or ten times what its last answer took — so a
    workspace whose counts take seconds (a million-message campaign) is not asked for them every few
    seconds by every open page, while the sending it reports on waits for the same database."""
    return max(least, math.ceil(took * 10))
