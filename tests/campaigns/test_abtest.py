"""An A/B test phase end to end, on SQLite and PostgreSQL: the test share goes first, the worker judges
the campaign's metric after the hold, and the winner — or the campaign's choice without one — goes to the
rest of the audience."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from herald import analytics, bootstrap
from herald.campaigns import abtest
from herald.campaigns import service as campaigns
from herald.campaigns.models import Campaign
from herald.contacts.importing import importer
from herald.errors import Conflict, Invalid
from herald.outbox.models import Message
from herald.tracking.clicks.links import Visit, record_visits
from herald.tracking.models import Link
from herald.types import Channel
from tests.analytics.ledger import conversion
from tests.conftest import NOW, settings_for
from tests.scenario import publish
from tests.web.clients import api_client

PUBLIC = "https://go.shop.example"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148"
PEOPLE = 600  # in Kathmandu, where 14:00 UTC is 19:45: sent at once


@pytest.fixture
def shop(db_url, tmp_path, clock):
    container = bootstrap.build(settings_for(db_url, tmp_path, public_url=PUBLIC), clock=clock)
    rows = "\n".join(f"Person {i},+97798410{i:05d},yes" for i in range(PEOPLE))
    path = tmp_path / "people.csv"
    path.write_text("name,phone,consent_sms\n" + rows + "\n", encoding="utf-8")
    with container.uow() as uow:
        importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key)
        for name, url in (("offer-a", "https://shop.example/a"), ("offer-b", "https://shop.example/b")):
            publish(uow, name, Channel.SMS, {"body": f"10% off today: {url} Reply STOP to opt out."})
        publish(uow, "plain", Channel.SMS, {"body": "10% off today. Reply STOP to opt out."})
    yield container
    container.close()


def create(container, name="Offer", **settings):
    test = {"metric": "click", "test_percent": 40, "hold_minutes": 60, "min_sample": 50, **settings}
    with container.uow() as uow:
        variants = [("A", 50.0, ["offer-a"]), ("B", 50.0, ["offer-b"])]
        made = campaigns.create_campaign(
            uow, name, "has:phone", [], NOW, variants=variants, test_settings=test, tracks_links=True
        )
        return made.id


def run(container):
    return asyncio.run(container.worker().run(until_idle=True))


def messages(container, cid):
    with container.uow() as uow:
        found = list(uow.session.scalars(select(Message).where(Message.campaign_id == cid).order_by(Message.id)))
        for m in found:
            uow.session.expunge(m)
        return found


def campaign(container, cid):
    with container.uow() as uow:
        found = campaigns.get_campaign(uow, cid)
        uow.session.expunge(found)
        return found


def click(container, cid, share: dict[str, float], at) -> None:
    """A person clicks the link of the given share of each variant's sent messages."""
    sent = [m for m in messages(container, cid) if m.status == "sent"]
    chosen = []
    for variant, fraction in share.items():
        mine = [m.id for m in sent if m.variant == variant]
        chosen += mine[: int(len(mine) * fraction)]
    with container.uow() as uow:
        codes = uow.session.scalars(select(Link.code).where(Link.message_id.in_(chosen), Link.position >= 0)).all()
        visits = [Visit(code, IPHONE, f"10.0.{i // 250}.{i % 250}") for i, code in enumerate(codes)]
        record_visits(uow, visits, b"k" * 32, at)


def start(container, cid):
    with container.uow() as uow:
        return campaigns.plan_campaign(uow, cid, NOW)


def test_the_test_share_goes_first_and_the_winner_goes_to_the_rest(shop, clock) -> None:
    cid = create(shop)
    stats = start(shop, cid)
    held = [m for m in messages(shop, cid) if m.held == "abtest"]
    assert stats.held_for_test == len(held) and 0.5 * PEOPLE < len(held) < 0.7 * PEOPLE
    run(shop)
    tested = [m for m in messages(shop, cid) if m.status == "sent"]
    assert len(tested) == PEOPLE - len(held) and {m.variant for m in tested} == {"A", "B"}
    click(shop, cid, {"A": 0.05, "B": 0.4}, NOW + timedelta(minutes=20))
    clock.set(NOW + timedelta(minutes=30))  # within the hold: nothing is decided yet
    run(shop)
    assert campaign(shop, cid).experiment["state"] == "testing"
    clock.set(NOW + timedelta(minutes=61))
    run(shop)
    test = campaign(shop, cid).experiment
    assert (test["state"], test["winner"], test["sent_to_rest"]) == ("decided", "B", "B")
    assert "B is best with probability" in test["reason"] and test["figures"]["variants"]["B"]["click"] > 0
    rest = [m for m in messages(shop, cid) if m.id in {h.id for h in held}]
    assert {m.variant for m in rest} == {"B"} and {m.status for m in rest} == {"sent"}
    assert campaign(shop, cid).status == "completed"
    with shop.uow() as uow:
        report = analytics.campaign_report(uow.session, campaigns.get_campaign(uow, cid), NOW)
    assert report["ab_test"]["winner"] == "B" and report["ab_test"]["figures"]["metric"] == "click"


def test_without_a_winner_the_control_goes_to_the_rest(shop, clock) -> None:
    cid = create(shop)
    start(shop, cid)
    run(shop)
    click(shop, cid, {"A": 0.1, "B": 0.1}, NOW + timedelta(minutes=20))
    clock.set(NOW + timedelta(minutes=61))
    run(shop)
    test = campaign(shop, cid).experiment
    assert test["winner"] is None and test["sent_to_rest"] == "A" and "no winner" in test["reason"]
    assert {m.variant for m in messages(shop, cid) if m.status == "sent"} == {"A", "B"}
    assert not [m for m in messages(shop, cid) if m.status == "held"]


def test_without_a_winner_split_sends_the_rest_by_weight(shop, clock) -> None:
    cid = create(shop, if_no_winner="split", min_sample=10_000)
    start(shop, cid)
    run(shop)
    clock.set(NOW + timedelta(minutes=61))
    run(shop)
    test = campaign(shop, cid).experiment
    assert test["winner"] is None and "of the 10,000 a verdict needs" in test["reason"]
    held = [m for m in messages(shop, cid) if m.status == "sent" and m.sent_at > NOW]
    assert {m.variant for m in held} == {"A", "B"}


def test_without_a_winner_pause_waits_for_a_person_to_choose(shop, clock) -> None:
    cid = create(shop, if_no_winner="pause", min_sample=10_000)
    start(shop, cid)
    run(shop)
    clock.set(NOW + timedelta(minutes=61))
    run(shop)
    paused = campaign(shop, cid)
    assert paused.status == "paused" and "A/B test found no winner" in paused.status_reason
    assert paused.experiment["state"] == "undecided"
    with shop.uow() as uow:
        said = abtest.choose_winner(uow, cid, "B", NOW + timedelta(minutes=62), "li")
    assert "B won: chosen by li" in said
    run(shop)
    after = campaign(shop, cid)
    assert after.status == "completed" and after.experiment["sent_to_rest"] == "B"
    assert not [m for m in messages(shop, cid) if m.status == "held"]


def test_a_person_may_end_the_test_early_but_not_choose_twice(shop, clock) -> None:
    cid = create(shop)
    start(shop, cid)
    with shop.uow() as uow:
        with pytest.raises(Invalid, match="no variant 'C'"):
            abtest.choose_winner(uow, cid, "C", NOW, "li")
    with shop.uow() as uow:
        abtest.choose_winner(uow, cid, "A", NOW, "li")
    with shop.uow() as uow, pytest.raises(Conflict, match="no A/B test waiting for a winner"):
        abtest.choose_winner(uow, cid, "B", NOW, "li")
    run(shop)
    assert {m.variant for m in messages(shop, cid) if m.status == "sent"} == {"A", "B"}  # the test share's B stays
    assert campaign(shop, cid).experiment["sent_to_rest"] == "A"


def test_newcomers_after_the_verdict_get_the_winner(shop, clock, tmp_path) -> None:
    cid = create(shop)
    start(shop, cid)
    with shop.uow() as uow:
        abtest.choose_winner(uow, cid, "B", NOW, "li")
    path = tmp_path / "late.csv"
    path.write_text("name,phone,consent_sms\n" + "\n".join(f"L{i},+97798420{i:05d},yes" for i in range(30)) + "\n")
    with shop.uow() as uow:
        importer.import_file(uow, path, NOW, erasure_key=shop.settings.secret_key)
        campaigns.plan_newcomers(uow, cid, NOW, write=True)
    late = [m for m in messages(shop, cid) if m.address and m.address.startswith("+97798420")]
    assert len(late) == 30 and {m.variant for m in late} == {"B"} and {m.status for m in late} == {"queued"}


def test_revenue_is_compared_per_recipient_in_one_currency(shop, clock) -> None:
    cid = create(shop, metric="revenue", min_sample=50)
    start(shop, cid)
    run(shop)
    sent = [m for m in messages(shop, cid) if m.status == "sent"]
    with shop.uow() as uow:
        for i, m in enumerate(m for m in sent if m.variant == "B"):
            if i % 3 == 0:
                conversion(uow, m.contact_id, f"B-{m.id}", NOW, "120.00", message_id=m.id, campaign_id=cid)
        for i, m in enumerate(m for m in sent if m.variant == "A"):
            if i % 20 == 0:
                conversion(uow, m.contact_id, f"A-{m.id}", NOW, "100.00", message_id=m.id, campaign_id=cid)
    with shop.uow() as uow:
        verdict, figures = analytics.test_verdict(uow.session, campaigns.get_campaign(uow, cid))
    assert verdict.winner == "B" and "earns more per recipient" in verdict.reason
    assert figures["variants"]["B"]["revenue"] > figures["variants"]["A"]["revenue"] > 0
    with shop.uow() as uow:
        m = next(m for m in sent if m.variant == "A")
        conversion(uow, m.contact_id, "USD-1", NOW, "5.00", currency="USD", message_id=m.id, campaign_id=cid)
    with shop.uow() as uow:
        verdict, _ = analytics.test_verdict(uow.session, campaigns.get_campaign(uow, cid))
    assert verdict.winner is None and "revenue came in NPR, USD, which cannot be compared" in verdict.reason


@pytest.mark.parametrize(
    ("variants", "settings", "tracks", "words"),
    [
        ([("A", 50.0, ["offer-a"]), ("B", 50.0, ["plain"])], {}, True, "variant B's SMS and e-mail templates"),
        ([("A", 50.0, ["offer-a"]), ("B", 50.0, ["offer-b"])], {}, False, "no public_url is set"),
        ([("A", 50.0, ["offer-a"]), ("B", 50.0, ["plain"])], {"metric": "conversion"}, True, "no conversion source"),
        ([("A", 50.0, ["offer-a"]), ("B", 50.0, ["offer-b"])], {"metric": "read"}, True, "only WhatsApp reports"),
        ([("A", 100.0, ["offer-a"])], {}, True, "two variants at least"),
        ([("A", 50.0, ["offer-a"]), ("B", 50.0, ["offer-b"])], {"test_percent": 0}, True, "test_percent"),
    ],
)
def test_a_test_the_campaign_cannot_measure_is_refused_and_nothing_is_made(shop, variants, settings, tracks, words):
    with shop.uow() as uow, pytest.raises(Invalid, match="A/B test") as found:
        campaigns.create_campaign(
            uow, "Bad", "has:phone", [], NOW, variants=variants, test_settings=settings, tracks_links=tracks
        )
    assert words in str(found.value)
    with shop.uow() as uow:
        assert [c.name for c in uow.session.scalars(select(Campaign))] == []


def test_a_test_is_neither_recurring_nor_a_rollout(shop) -> None:
    with shop.uow() as uow, pytest.raises(Invalid, match="rollout canary, not both"):
        variants = [("A", 50.0, ["offer-a"]), ("B", 50.0, ["offer-b"])]
        campaigns.create_campaign(
            uow,
            "Both",
            "has:phone",
            [],
            NOW,
            variants=variants,
            test_settings={},
            tracks_links=True,
            rollout_settings={"canary_percent": 10},
        )
    cid = create(shop)
    with shop.uow() as uow, pytest.raises(Invalid, match="recurring campaign cannot have an A/B test"):
        campaigns.schedule_campaign(uow, cid, NOW, cron="0 10 * * mon")


def test_a_clone_carries_the_test_not_its_verdict(shop) -> None:
    cid = create(shop)
    start(shop, cid)
    with shop.uow() as uow:
        abtest.choose_winner(uow, cid, "B", NOW, "li")
        copy = campaigns.clone_campaign(uow, cid, "Offer again", NOW)
        assert copy.experiment["state"] == "testing" and "winner" not in copy.experiment
        assert copy.experiment["metric"] == "click"


def test_the_api_takes_a_test_and_a_winner(shop) -> None:
    client = api_client(shop)
    body = {
        "name": "Via API",
        "segment": "has:phone",
        "variants": [
            {"name": "A", "weight": 50, "templates": ["offer-a"]},
            {"name": "B", "weight": 50, "templates": ["offer-b"]},
        ],
        "ab_test": {"metric": "click", "test_percent": 30},
    }
    made = client.post("/api/v1/campaigns", json=body)
    assert made.status_code == 201 and made.json()["ab_test"]["test_percent"] == 30
    bad = client.post("/api/v1/campaigns", json={**body, "name": "Bad", "ab_test": {"metric": "read"}})
    assert bad.status_code == 422 and "only WhatsApp reports" in bad.text
    assert client.post("/api/v1/campaigns/Via API/start").status_code == 200
    chosen = client.post("/api/v1/campaigns/Via API/winner", json={"variant": "B"})
    assert chosen.status_code == 200 and chosen.json()["ab_test"]["sent_to_rest"] == "B"
