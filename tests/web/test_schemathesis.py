"""Schemathesis over the OpenAPI document, on both databases: whatever it sends within (and around) the
documented shapes, the API answers without a server error, with a status, a content type and a body its
document describes (every refusal included). Bounded so that CI finishes in a few minutes."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from herald.web import create_app
from tests.scenario import setup
from tests.web.clients import key_for

EXAMPLES = 10  # per operation; about 500 requests in all
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_request_gets_a_server_error(container, tmp_path) -> None:
    setup(container, tmp_path)  # contacts, a tag, a template and a campaign for the routes to find
    key = key_for(container)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(container))
    failures, calls = [], []
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:
            case.headers = {**(case.headers or {}), "host": "localhost", "authorization": f"Bearer {key}"}
            calls.append(case.call_and_validate(checks=CHECKS).status_code)

        try:
            call()
        except Exception as exc:  # every operation is tried; all failures are reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:400]}")
    assert failures == []
    assert len(calls) > 200 and any(200 <= c < 300 for c in calls) and any(400 <= c < 500 for c in calls)
