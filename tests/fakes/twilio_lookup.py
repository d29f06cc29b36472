"""A stand-in for Twilio Lookup v2 on loopback, speaking its documented wire format: GET
/v2/PhoneNumbers/{number}?Fields=line_type_intelligence behind HTTP Basic auth; 200 with `valid`,
`validation_errors` and `line_type_intelligence`; Twilio's error JSON with 401, 404 and 429."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiohttp import web

from herald.sandbox.serving import serving

SID, TOKEN = "AC" + "0" * 32, "secret-token"


@dataclass
class FakeLookup:
    numbers: dict[str, dict] = field(default_factory=dict)  # E.164 -> line_type_intelligence, or None: invalid
    busy: set[str] = field(default_factory=set)  # numbers answered with 429
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def error(self, status: int, code: int, message: str) -> web.Response:
        return web.json_response(
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
            status=status,
        )

    async def handle(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return self.error(401, 20003, "Authenticate")
        number = request.match_info["number"]
        self.requests.append(number)
        if number in self.busy:
            return self.error(429, 20429, "Too Many Requests")
        if not number.startswith("+"):
            return self.error(404, 20404, "The requested resource was not found")
        line = self.numbers.get(number)
        wanted = "line_type_intelligence" in request.query.get("Fields", "")
        return web.json_response(
            {
                "calling_country_code": "977",
                "country_code": "NP",
                "phone_number": number,
                "national_format": number[4:],
                "valid": line is not None,
                "validation_errors": [] if line is not None else ["NOT_A_NUMBER"],
                "caller_name": None,
                "sim_swap": None,
                "call_forwarding": None,
                "line_type_intelligence": (
                    {"error_code": None, "mobile_country_code": "429", "mobile_network_code": "02", **line}
                    if line and wanted
                    else None
                ),
                "url": f"https://lookups.twilio.com/v2/PhoneNumbers/{number}",
            }
        )


@contextmanager
def running(fake: FakeLookup) -> Iterator[FakeLookup]:
    """Serve the fake on a free loopback port in a thread of its own."""
    with serving(lambda app: app.router.add_get("/v2/PhoneNumbers/{number}", fake.handle)) as url:
        fake.url = url
        yield fake
