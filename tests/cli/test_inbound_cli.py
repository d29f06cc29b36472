"""`herald inbound classify | list | complaints …`: the classifier's playground, what came in, and the
complaint inbox from the command line."""

from __future__ import annotations

import io

from herald import tracking
from herald.providers import Report
from herald.types import Channel
from tests.cli.test_cli import as_json, herald
from tests.scenario import contact_id, setup

SITA = "+9779841234567"


def test_the_playground_reads_a_reply_on_standard_input_without_a_database(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no herald.db here: nothing is opened
    monkeypatch.setattr("sys.stdin", io.StringIO("别再给我发短信了\n"))
    assert as_json(capsys, "inbound", "classify", "--json") == {
        "intent": "stop",
        "why": "says '别…发': a request to stop",
        "matched": "别…发",
        "answer": None,
        "sentiment": "neutral",
        "sentiment_score": 0.0,
    }
    monkeypatch.setattr("sys.stdin", io.StringIO("stop sms"))
    assert herald(capsys, "inbound", "classify", "--preset", "fr").startswith(
        "STOP: the reply is the keyword 'STOPSMS'"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("九分"))
    assert as_json(capsys, "inbound", "classify", "--survey", "nps", "--json")["answer"] == 9
    assert not (tmp_path / "herald.db").exists()


def test_the_playground_refuses_an_unknown_survey_or_preset_in_one_line(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("5"))
    herald(capsys, "inbound", "classify", "--survey", "stars", code=2)
    assert herald.last_err == "error: --survey: expected one of nps, satisfaction, yes_no, got 'stars'\n"
    herald(capsys, "inbound", "classify", "--preset", "mars", code=2)
    assert "unknown preset 'mars'" in herald.last_err and "Traceback" not in herald.last_err


def test_what_came_in_is_listed_with_what_herald_did(capsys, container, db_url, tmp_path):
    setup(container, tmp_path)
    with container.uow() as uow:
        reports = [Report("inbound", None, sender=SITA, text="STOP", event="e1")]
        tracking.record_inbound(uow, "gateway", Channel.SMS, reports, container.replies, container.clock.now())
    (row,) = as_json(capsys, "--db", db_url, "inbound", "list", "--json")
    assert (row["from"], row["intent"], row["contact_id"]) == (SITA, "stop", contact_id(container, SITA))
    assert "suppressed on sms" in row["reaction"]
    assert "→ " in herald(capsys, "--db", db_url, "inbound", "list", "--intent", "stop")
    assert as_json(capsys, "--db", db_url, "inbound", "list", "--intent", "help", "--json") == []


def test_a_complaint_case_is_opened_assigned_answered_and_closed(capsys, container, db_url, tmp_path, clock):
    setup(container, tmp_path)
    sita, db = contact_id(container, SITA), ["--db", db_url]
    opened = as_json(
        capsys,
        *db,
        "inbound",
        "complaints",
        "open",
        str(sita),
        "--text",
        "called to complain",
        "--channel",
        "sms",
        "--json",
    )
    assert (opened["status"], opened["source"], opened["address"], opened["overdue"]) == ("open", "person", SITA, False)
    number = str(opened["id"])
    assert (
        as_json(capsys, *db, "inbound", "complaints", "assign", number, "--to", "li.na", "--json")["assignee"]
        == "li.na"
    )
    answered = as_json(capsys, *db, "inbound", "complaints", "answer", number, "--text", "apologized", "--json")
    assert answered["status"] == "answered"
    herald(capsys, *db, "inbound", "complaints", "close", number, "--note", " ", code=2)
    assert "closed with a note" in herald.last_err
    closed = as_json(capsys, *db, "inbound", "complaints", "close", number, "--note", "resolved by phone", "--json")
    assert (closed["status"], closed["note"]) == ("closed", "resolved by phone")
    herald(capsys, *db, "inbound", "complaints", "answer", number, "--text", "again", code=2)
    herald(capsys, *db, "inbound", "complaints", "assign", "999", "--to", "x", code=3)


def test_overdue_cases_are_reported(capsys, container, db_url, tmp_path, clock):
    setup(container, tmp_path)
    with container.uow() as uow:
        tracking.flag_complaint(uow, contact_id(container, SITA), "a letter", None, container.replies, clock.now())
    (late,) = as_json(capsys, "--db", db_url, "inbound", "complaints", "list", "--overdue", "--json")
    assert late["overdue"] and late["address"] is None
    assert "OVERDUE" in herald(capsys, "--db", db_url, "inbound", "complaints", "list")
