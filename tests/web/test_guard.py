"""The API's outer wall: other sites' pages cannot change anything, rebound names are not answered, bodies
are capped, and every answer carries the security headers."""

from __future__ import annotations

import pytest

from tests.web.clients import api_client


@pytest.fixture
def client(container):
    return api_client(container, base_url="http://127.0.0.1:8000")


def test_a_name_rebound_to_this_machine_is_not_answered(client) -> None:
    answer = client.get("/api/v1/health", headers={"Host": "attacker.example:8000"})
    assert answer.status_code == 400 and "attacker.example" in answer.json()["detail"]
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/health", headers={"Host": "[::1]:8000"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Content-Type": "text/plain"},
        {"Origin": "null"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_another_sites_page_cannot_change_anything(client, headers) -> None:
    for method, path in (
        ("post", "/api/v1/tags"),
        ("post", "/api/v1/campaigns/1/start"),
        ("delete", "/api/v1/contacts/1"),
    ):
        answer = client.request(method.upper(), path, headers=headers, content=b'{"name": "x"}')
        assert answer.status_code == 403, (method, path)


def test_the_same_site_and_tools_without_an_origin_may(client) -> None:
    assert client.post("/api/v1/tags", json={"name": "vip"}).status_code == 201  # curl, scripts
    assert (
        client.post("/api/v1/tags", json={"name": "vip2"}, headers={"Origin": "http://127.0.0.1:8000"}).status_code
        == 201
    )
    assert client.get("/api/v1/tags", headers={"Origin": "https://evil.example"}).status_code == 200  # no CORS
    # A form on one of Herald's own pages: the no-referrer policy hides its origin, the browser vouches for it.
    own_form = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/v1/tags", json={"name": "vip3"}, headers=own_form).status_code == 201


def test_bodies_past_the_limit_are_refused_with_it(container) -> None:
    from dataclasses import replace

    container.settings = replace(container.settings, max_request_mb=1)
    client = api_client(container, base_url="http://localhost")
    big = b"[" + b"1," * (1 << 19) + b"1]"
    answer = client.post("/api/v1/events", content=big, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and "1 MB" in answer.json()["detail"]

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(3):
            yield b" " * (600 << 10)

    streamed = client.post("/api/v1/events", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413, streamed.text


def test_every_answer_carries_the_security_headers(client) -> None:
    for path in ("/api/v1/health", "/api/v1/nowhere", "/api/docs"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in client.get("/api/docs").headers["content-security-policy"]


def test_a_body_cut_short_by_the_client_hanging_up_reaches_no_route() -> None:
    from herald.web.guard import Guard
    from tests.web.asgi import hung_up

    called = []

    async def route(scope, receive, send) -> None:
        called.append(await receive())

    form = (b"content-type", b"application/x-www-form-urlencoded")  # no length: the Guard reads it as it streams
    sent = hung_up(Guard(route, ["testserver"], 1 << 20, {}), "POST", "/tags", b"name=vip&category=", form)
    assert called == [] and sent == []  # half a form is not acted on, and there is no one to answer
