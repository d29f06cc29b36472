"""Send-time profiles on SQLite and PostgreSQL: engagements land in the hour of the week where each person
lives, the crowds' patterns are kept, and a campaign scheduled at each person's best time plans each
recipient at their best hour that the rules allow."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from herald.campaigns import service as campaigns
from herald.contacts import service as contacts
from herald.contacts.importing import importer
from herald.contacts.models import Contact
from herald.errors import Invalid
from herald.events.service import EventIn, record_events
from herald.outbox.models import Message
from herald.scores import sendtimes
from herald.scores.models import SendPrior, SendProfileHour
from herald.types import Channel
from tests.cli.test_cli import as_json, herald
from tests.conftest import NOW
from tests.scenario import publish

KATHMANDU, BERLIN = ZoneInfo("Asia/Kathmandu"), ZoneInfo("Europe/Berlin")
EARLY, LATE, NEW, GERMAN = "+9779841000001", "+9779841000002", "+9779841000003", "+4915112345678"


@pytest.fixture
def people(container, tmp_path):
    """Four people: two in Kathmandu who read in the morning and late at night, one without a history,
    one in Berlin; returns their ids by number."""
    path = tmp_path / "people.csv"
    rows = "\n".join(f"P{i},{n},yes" for i, n in enumerate((EARLY, LATE, NEW, GERMAN)))
    path.write_text(f"name,phone,consent_sms\n{rows}\n", encoding="utf-8")
    with container.uow() as uow:
        importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key)
        ids = {c.phone: c.id for c in uow.session.scalars(select(Contact))}
        events = []
        for week in range(1, 5):  # four Wednesdays before NOW (a Tuesday)
            wednesday = datetime(2026, 3, 11, tzinfo=KATHMANDU) - timedelta(weeks=week)
            events.append(EventIn("message.read", wednesday.replace(hour=9, minute=10), contact_id=ids[EARLY]))
            events.append(EventIn("message.clicked", wednesday.replace(hour=9, minute=20), contact_id=ids[EARLY]))
            events.append(EventIn("message.read", wednesday.replace(hour=23, minute=30), contact_id=ids[LATE]))
            berlin = datetime(2026, 3, 11, 18, 5, tzinfo=BERLIN) - timedelta(weeks=week)
            events.append(EventIn("message.replied", berlin, contact_id=ids[GERMAN]))
        events.append(EventIn("purchase", NOW - timedelta(days=1), contact_id=ids[NEW]))  # not an engagement
        record_events(uow, events, NOW)
        publish(uow, "offer", Channel.SMS, {"body": "10% off today. Reply STOP to opt out."})
    return ids


def recompute(container, now=NOW) -> dict:
    with container.uow() as uow:
        return sendtimes.recompute_profiles(uow, now)


def test_engagements_land_in_the_hour_of_the_week_where_the_person_lives(container, people) -> None:
    assert recompute(container) == {"contacts": 3, "regions": 2}
    with container.uow() as uow:
        found = {(r.contact_id, r.hour): r.weight for r in uow.session.scalars(select(SendProfileHour))}
        priors = {p.scope: p for p in uow.session.scalars(select(SendPrior))}
    wednesday = 2 * 24
    assert found == {
        (people[EARLY], wednesday + 9): 4 * 3.0,  # four reads (1) and four clicks (2) at 09:xx Kathmandu time
        (people[LATE], wednesday + 23): 4.0,
        (people[GERMAN], wednesday + 18): 8.0,  # a reply weighs 2; Berlin is UTC+1 before the change of clocks
    }
    assert set(priors) == {"all", "region:NP", "region:DE"} and priors["region:NP"].people == 2
    assert priors["region:NP"].shares[wednesday + 9] == pytest.approx(12 / 16)


def test_a_profile_is_recomputed_from_scratch_and_an_erased_person_leaves_none(container, people) -> None:
    recompute(container)
    with container.uow() as uow:
        contacts.erase(uow, people[EARLY], NOW, container.settings.secret_key)
    assert recompute(container, NOW + timedelta(days=1)) == {"contacts": 2, "regions": 2}
    assert recompute(container, NOW + timedelta(days=400)) == {"contacts": 0, "regions": 0}  # all too old


def test_one_persons_best_hours_are_shown_by_the_command_line(container, people, capsys, db_url) -> None:
    recompute(container)
    shown = as_json(capsys, "--db", db_url, "--json", "scores", "send-times", "--contact", str(people[EARLY]))
    assert shown["engagements"] == 12 and shown["best_hours"][0]["when"] == "Wed 09:00"
    text = herald(capsys, "--db", db_url, "scores", "send-times", "--days", "1000")  # the command runs on today
    assert "Send-time profiles: 3 contacts, 2 regions." in text
    herald(capsys, "--db", db_url, "scores", "send-times", "--days", "0", code=2)
    assert "--days: expected 1 day or more" in herald.last_err


def plan_at_best(container, within=24) -> dict[str, Message]:
    with container.uow() as uow:
        cid = campaigns.create_campaign(uow, "Best", "has:phone", "offer", NOW).id
        campaigns.schedule_campaign(uow, cid, NOW, best_within=within)
    asyncio.run(container.worker().run(until_idle=True))  # the scheduler starts the run now
    with container.uow() as uow:
        found = uow.session.scalars(select(Message).where(Message.campaign_id == cid)).all()
        return {m.address: m for m in found}


def test_each_recipient_is_planned_at_their_best_hour_the_rules_allow(container, people) -> None:
    recompute(container)
    planned = plan_at_best(container, within=36)  # from Tuesday 14:00 UTC to Thursday 02:00 UTC
    early = planned[EARLY].due_at.astimezone(KATHMANDU)
    assert (early.weekday(), early.hour, early.minute) == (2, 9, 0)  # Wednesday 09:00 where they live
    late = planned[LATE].due_at.astimezone(KATHMANDU)
    assert 8 <= late.hour < 21  # their 23:00 is in quiet hours: the best hour the rules allow instead
    new = planned[NEW].due_at.astimezone(KATHMANDU)
    assert (new.weekday(), new.hour) == (2, 9)  # no history: the crowd's (their audience's, region's) hour
    german = planned[GERMAN].due_at.astimezone(BERLIN)
    assert (german.weekday(), german.hour) == (2, 18)
    assert all(m.status == "queued" for m in planned.values())


def test_without_profiles_everyone_goes_at_the_first_hour_the_rules_allow(container, people) -> None:
    planned = plan_at_best(container, within=6)
    assert planned[EARLY].due_at == NOW  # 19:45 in Kathmandu is allowed, and no hour is better than another
    assert planned[GERMAN].due_at == NOW  # 15:00 in Berlin


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"best_within": 0}, "--best-time: expected from 1 to 168 hours"),
        ({"best_within": 200}, "--best-time: expected from 1 to 168 hours"),
        ({"best_within": 24, "cron": "0 10 * * *"}, "a best time goes with --at or alone"),
        ({"best_within": 24, "at": NOW - timedelta(hours=1)}, "is in the past"),
    ],
)
def test_a_best_time_schedule_that_cannot_be_is_refused(container, people, options, words) -> None:
    with container.uow() as uow:
        cid = campaigns.create_campaign(uow, "Best", "has:phone", "offer", NOW).id
    with container.uow() as uow, pytest.raises(Invalid) as found:
        campaigns.schedule_campaign(uow, cid, NOW, **options)
    assert words in str(found.value)
