"""`herald messages unknown | resolve`: what a provider left uncertain, settled by a person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from herald import outbox
from herald.outbox.models import Message
from tests.cli.test_cli import as_json, herald
from tests.conftest import NOW
from tests.scenario import plan, setup


def left_unknown(container, tmp_path) -> list[int]:
    """Plan the scenario, then have the provider answer nothing for every message it is handed."""
    plan(container, setup(container, tmp_path))
    with container.uow() as uow:
        claimed = outbox.claim_batch(uow, 10, NOW, timedelta(minutes=2))
    with container.uow() as uow:
        for c in claimed:
            outbox.mark_inflight(uow, c.id, c.token, "sms", "+9779841234567", "file", NOW)
            outbox.mark_unknown(uow, c.id, c.token, "no answer from the gateway (ServerTimeoutError)", NOW)
    return sorted(c.id for c in claimed)


def test_unknown_messages_are_listed_and_settled_by_an_operator(capsys, container, db_url, tmp_path) -> None:
    ids = left_unknown(container, tmp_path)
    db = ["--db", db_url]
    listed = as_json(capsys, *db, "messages", "unknown", "--json")
    assert [m["id"] for m in listed] == ids and listed[0]["reason"] == "no_answer"
    assert "ServerTimeoutError" in listed[0]["error"]
    shown = herald(capsys, *db, "messages", "unknown")
    assert "herald messages resolve IDS" in shown

    first, second, *_ = ids
    settled = as_json(capsys, *db, "messages", "resolve", f"{first},{second}", "--as", "resend", "--json")
    assert settled == {"settled": [first, second], "as": "resend", "not_unknown": []}
    again = as_json(capsys, *db, "messages", "resolve", f"{first}", "--as", "failed", "--json")
    assert again["settled"] == [] and again["not_unknown"] == [first]  # queued already: left alone
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.id, Message.status, Message.reason, Message.due_at)).all()
    states = {i: (status, reason) for i, status, reason, _ in rows if i in ids}
    assert states[first] == states[second] == ("queued", None)  # due at once, for the worker to send again
    assert all(states[i] == ("unknown", "no_answer") for i in ids[2:])


def test_a_wrong_resolution_or_id_is_one_line(capsys, db_url, container) -> None:
    db = ["--db", db_url]
    herald(capsys, *db, "messages", "resolve", "1", "--as", "maybe", code=2)
    assert herald.last_err == "error: --as: expected one of resend, sent, failed, got 'maybe'\n"
    herald(capsys, *db, "messages", "resolve", "1,x", "--as", "sent", code=2)
    assert "IDS: expected comma-separated message ids" in herald.last_err
    assert as_json(capsys, *db, "messages", "unknown", "--json") == []
