"""What drives people away, on SQLite and PostgreSQL: each opt-out or complaint put down to the last
message before it, counted by campaign, template, channel and variant beside what each sent, and by how
many messages the person had received before leaving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from herald.analytics.reports.optouts import optouts
from herald.campaigns import service as campaigns
from herald.contacts import service as contacts
from herald.types import Channel
from tests.analytics.ledger import message
from tests.cli.test_cli import as_json, herald
from tests.conftest import NOW
from tests.scenario import contact_id, setup

START = datetime(2026, 3, 1, tzinfo=UTC)
SITA, JOHANNES, WANG = "+9779841234567", "+264811234567", "+8613800138000"


def sent(uow, key: str, campaign: int, cid: int, address: str, at: datetime, variant: str | None = None) -> None:
    message(uow, key, cid, address, at, campaign_id=campaign, template_id=1, variant=variant)


def history(container, tmp_path) -> tuple[int, int]:
    """Campaign Sale reaches Sita four times in a week and Johannes once; Flash reaches Wang twice. Sita
    opts out after Sale's fourth, Wang complains after Flash's second; a stranger opts out unprompted."""
    sale = setup(container, tmp_path)
    people = {p: contact_id(container, p) for p in (SITA, JOHANNES, WANG)}
    with container.uow() as uow:
        flash = campaigns.create_campaign(uow, "Flash", "has:phone", "sale", NOW).id
        for day in range(4):
            sent(uow, f"s{day}", sale, people[SITA], SITA, START + timedelta(days=day), "A" if day % 2 else "B")
        sent(uow, "j0", sale, people[JOHANNES], JOHANNES, START + timedelta(days=1), "A")
        for day in (2, 20):
            sent(uow, f"w{day}", flash, people[WANG], WANG, START - timedelta(days=day))
        uow.flush()
        contacts.suppress(uow, Channel.SMS, SITA, "opt-out", START + timedelta(days=3, hours=2))
        contacts.suppress(uow, Channel.SMS, WANG, "complaint", START + timedelta(hours=1))
        contacts.suppress(uow, Channel.SMS, "+14155550199", "opt-out", START + timedelta(days=2))
    return sale, flash


def test_each_leaver_is_put_down_to_the_last_message_before_and_counted(container, tmp_path) -> None:
    history(container, tmp_path)
    with container.uow() as uow:
        report = optouts(uow.session, START - timedelta(days=30), START + timedelta(days=10))
    assert (report["opt_outs"], report["complaints"], report["unattributed"]) == (2, 1, 1)
    assert report["by_campaign"] == [
        {"campaign": "Flash", "sent": 2, "opt_outs": 0, "complaints": 1, "rate": 50.0},
        {"campaign": "Sale", "sent": 5, "opt_outs": 1, "complaints": 0, "rate": 20.0},
    ]
    assert report["by_variant"] == [{"variant": "A", "sent": 3, "opt_outs": 1, "complaints": 0, "rate": 33.33}]
    assert report["by_channel"][0]["channel"] == "sms" and report["by_channel"][0]["sent"] == 7
    # Sita had 4 messages in the week before (and 4 in the month); Wang 1 in the week, 2 in the month.
    assert report["cadence_7d"] == {"0": 1, "1": 1, "2": 0, "3–4": 1, "5+": 0}
    assert report["cadence_30d"] == {"0": 1, "1–2": 1, "3–5": 1, "6–10": 0, "11+": 0}
    assert report["messages_per_person"] == round(7 / 3, 2)


def test_a_period_without_leavers_says_so(container) -> None:
    with container.uow() as uow:
        report = optouts(uow.session, START, START + timedelta(days=1))
    assert (report["opt_outs"], report["by_campaign"], report["messages_per_person"]) == (0, [], None)


def test_the_cli_reports_a_period_and_refuses_one_that_ends_before_it_starts(container, tmp_path, capsys) -> None:
    history(container, tmp_path)
    db = ("--db", container.settings.database_url)
    data = as_json(capsys, *db, "reports", "optouts", "--since", "2026-02-01", "--until", "2026-03-11", "--json")
    assert data["opt_outs"] == 2 and data["by_campaign"][0]["campaign"] == "Flash"
    shown = herald(capsys, *db, "reports", "optouts", "--month", "2026-03")
    assert "2 opt-outs, 1 complaints" in shown and "By campaign" in shown
    herald(capsys, *db, "reports", "optouts", "--since", "2026-03-11", "--until", "2026-03-01", code=2)
    assert "the period ends (2026-03-01) before it starts (2026-03-11)" in herald.last_err
    herald(capsys, *db, "reports", "optouts", "--since", "last week", code=2)
    assert "'last week' is not a date" in herald.last_err
