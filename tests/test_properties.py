"""Property tests: whatever a user, a file or a client sends, the parsers and the services answer with a
result or a named error — never anything else (no crash, no traceback, no 500)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herald.content import render
from herald.errors import Invalid
from herald.segments.dsl import parse
from tests.conftest import NOW

FAST = settings(max_examples=300, deadline=None, database=None)
SLOW = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DSL_WORDS = [
    "tag:vip",
    "region:NP",
    "consent:sms",
    "consent:sms:proven",
    "attr.city",
    "event:purchase",
    "where",
    "count",
    "within",
    "30d",
    "and",
    "or",
    "not",
    "(",
    ")",
    "=",
    ">=",
    '"北京"',
    "in",
    ",",
    "all",
    "²",
    "attr.城市",
    "9999999999999999999999",
    "segment:x",
    "last_purchase",
]
expressions = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(DSL_WORDS), max_size=40).map(" ".join))


@FAST
@given(expressions)
def test_the_segment_parser_answers_a_tree_or_a_named_error(text) -> None:
    try:
        parse(text)
    except Invalid as exc:
        assert str(exc)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
TEMPLATE_PARTS = [
    "{{ ",
    " }}",
    "name",
    "first_name",
    "attr.city",
    " | ",
    "upper",
    "truncate(2)",
    "default('x')",
    "{% if name %}",
    "{% endif %}",
    "replace('', 'xx')",
    "round",
    "coupon.spring",
    "【",
    "STOP",
]


@FAST
@given(st.one_of(st.text(max_size=120), st.lists(st.sampled_from(TEMPLATE_PARTS), max_size=20).map("".join)))
def test_saving_a_template_answers_its_variables_or_a_named_error(source) -> None:
    try:
        render.check(source)
    except Invalid as exc:
        assert str(exc)


@SLOW
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "phone",
                    "email",
                    "contact_id",
                    "occurred_at",
                    "at",
                    "event_id",
                    "properties",
                    "amount",
                    "产品",
                ]
            ),
            JSON,
            max_size=6,
        ),
        max_size=5,
    )
)
def test_recording_events_answers_every_event(container, batch) -> None:
    from herald.events import ingest
    from herald.events.service import record_events

    events = [ingest.from_mapping(item, f"event {i}") for i, item in enumerate(batch)]
    with container.uow() as uow:
        results = record_events(uow, events, NOW)
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert all(r["status"] in ("stored", "duplicate", "invalid") for r in results)


@SLOW
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "phone",
                    "email",
                    "name",
                    "country",
                    "attributes",
                    "consents",
                    "consent_ip",
                    "consent_at",
                    "external_id",
                    "bogus",
                ]
            ),
            JSON,
            max_size=6,
        ),
        max_size=5,
    )
)
def test_contact_rows_are_each_answered(container, items) -> None:
    from herald.contacts.importing import items as contact_items

    with container.uow() as uow:
        results = contact_items.upsert(uow, items, NOW, erasure_key="k")
    assert len(results) == len(items)
    assert all(r["status"] in ("imported", "updated", "unchanged", "duplicate", "conflict", "invalid") for r in results)


@FAST
@given(JSON)
def test_a_meta_webhook_payload_is_read_or_named(payload) -> None:
    from herald.content.whatsapp import meta_status_updates

    try:
        meta_status_updates(payload)
    except Invalid as exc:
        assert "webhook payload" in str(exc)
    json.dumps(payload)  # the strategy's values are JSON a vendor could send
