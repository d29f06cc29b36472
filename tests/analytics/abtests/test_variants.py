"""A campaign's variants side by side in its report, with the verdict of each rate."""

from __future__ import annotations

from sqlalchemy import update

from herald.analytics.abtests.experiments import Arm, probability_best
from herald.analytics.abtests.variants import variant_results
from herald.analytics.cli import print_variants
from herald.analytics.reports.queries import campaign_report
from herald.campaigns import service as campaigns
from herald.outbox.models import Message
from herald.tracking.models import Click, Link
from herald.types import Channel
from tests.conftest import NOW
from tests.scenario import plan, publish, rows, setup


def test_variants_are_compared_with_a_verdict_per_rate(container, tmp_path, capsys) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        publish(
            uow, "sale-b", Channel.SMS, {"body": "Sale! {{ first_name | default('friend') }}. Reply STOP to opt out."}
        )
        cid = campaigns.create_campaign(
            uow, "AB", "has:phone", "sale", NOW, variants=[("A", 50, ["sale"]), ("B", 50, ["sale-b"])]
        ).id
    plan(container, cid)
    sent = [m for m in rows(container, Message, Message.campaign_id == cid) if m.variant]
    with container.uow() as uow:  # every one sent and delivered; one link clicked by a person in B
        ids = [m.id for m in sent]
        uow.session.execute(update(Message).where(Message.id.in_(ids)).values(status="sent", delivery="delivered"))
        b = next(m for m in sent if m.variant == "B")
        link = Link(code="abc12345", message_id=b.id, url="https://shop.example", position=0, created_at=NOW)
        uow.session.add(link)
        uow.flush()
        for human in (True, True, False):  # twice by a person (one message clicked), once by a preview
            uow.session.add(
                Click(link_id=link.id, message_id=b.id, at=NOW, human=human, why="", device="phone", visitor="v")
            )
    by = {v: sum(m.variant == v for m in sent) for v in ("A", "B")}
    with container.uow() as uow:
        found = variant_results(uow.session, Message.campaign_id == cid, min_sample=1)
        report = campaign_report(uow.session, campaigns.get_campaign(uow, cid), NOW)
    assert found["variants"] == {
        "A": {"sent": by["A"], "delivered": by["A"], "clicked": 0},
        "B": {"sent": by["B"], "delivered": by["B"], "clicked": 1},
    }
    expected = probability_best([Arm("A", by["A"], 0), Arm("B", by["B"], 1)])
    clicked = found["verdicts"]["clicked"]
    assert clicked["probability_best"] == {k: round(v, 4) for k, v in expected.items()}
    assert clicked["winner"] is None and "under the 95% asked" in clicked["reason"]  # 1 click proves nothing
    assert "has " in report["ab"]["verdicts"]["delivered"]["reason"]  # the report's own minimum: 100 sent
    print_variants(found)
    shown = capsys.readouterr().out
    assert "Variants" in shown and "clicked: " in shown and "no winner" in shown


def test_a_campaign_of_one_variant_has_no_comparison(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    with container.uow() as uow:
        assert variant_results(uow.session, Message.campaign_id == cid) == {}
