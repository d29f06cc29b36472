"""Every page, sent whatever a form could hold, on both databases: a refusal, a redirect or a page, never a
server error. The forms' fields are drawn from the names the pages read, their values from what people and
attackers type (empty, huge, negative, not a number, "²", markup, SQL, a NUL). Seeded, so a failure repeats."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

from herald.web import create_app
from tests.web.conftest import signed_in

TRIES = 8  # per route and method
VALUES = ["", "x", "0", "-1", "1", "99999999999999999999", "²", "a" * 3000, "<script>", "' OR 1=1 --",
          "2026-13-45", "10:99", "vip", "NaN", "1e309", "\x00", "sale"]  # fmt: skip
FIELDS = ["name", "segment", "template", "when", "at", "local_time", "cron", "zone", "best_within", "on_event",
          "delay", "once", "q", "page", "after", "channel", "body", "reason", "note", "role", "tag", "expires",
          "lang", "status", "intent", "preset", "holdout", "canary", "test_metric", "test_percent", "overrides",
          "phone", "email", "country", "value", "address", "until", "limit", "offset", "month", "metric",
          "threshold", "window", "action", "kind", "locale", "variant", "contact", "purpose", "subject"]  # fmt: skip
OUTSIDE = ("/api", "/webhooks", "/l/", "/o/", "/static", "/healthz", "/signin", "/signout", "/unsubscribe")


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router: its routes, each with its own path
            yield from _routes(route.original_router.routes)
        elif getattr(route, "methods", None) and not route.path.startswith(OUTSIDE):
            yield route


def test_no_page_answers_a_form_with_a_server_error(shop) -> None:
    container, campaign = shop
    browser, csrf = signed_in(container, "ana")  # an admin reaches every page
    draw, failed, tried = random.Random(7), [], 0
    for route in _routes(create_app(container).routes):
        for method in sorted(route.methods - {"HEAD"}):
            for _ in range(TRIES):
                ref = lambda _: draw.choice(["1", str(campaign), "sale", "vip", "0", "xyz", "%C2%B2"])  # noqa: E731
                path = re.sub(r"\{[^}]+\}", ref, route.path)
                form = {field: draw.choice(VALUES) for field in draw.sample(FIELDS, 8)}
                answer = (
                    browser.get(path, params=form)
                    if method == "GET"
                    else browser.request(method, path, data={**form, "csrf": csrf})
                )
                tried += 1
                if answer.status_code >= 500:
                    failed.append(f"{method} {path} {form}: {answer.status_code}"[:300])
    assert failed == []
    assert tried > 300
