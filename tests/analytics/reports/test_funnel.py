"""A campaign's results on SQLite and PostgreSQL: the funnel from planned to converted, its breakdowns,
the local-hour heatmap, revenue, the uplift over the hold-out group, and the spreadsheet export."""

from __future__ import annotations

import asyncio
import csv
from datetime import timedelta

from python_calamine import CalamineWorkbook
from sqlalchemy import select, update

from herald import content, outbox
from herald.analytics.reports.export import result_rows, write_results
from herald.analytics.reports.funnel import results
from herald.campaigns.models import Campaign
from herald.outbox.models import Message
from herald.tracking.models import Click, Link
from tests.analytics import ledger
from tests.cli.test_cli import as_json, herald
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup
from tests.web.clients import api_client

SITA, JOHANNES, RAM, GITA = "+9779841234567", "+264811234567", "+9779851234567", "+9779861234567"


def sent_campaign(container, tmp_path) -> int:
    """The scenario's campaign sent by the worker (Sita in Kathmandu and Johannes in Windhoek get it at
    14:00 UTC); Sita's is read, clicked and converts for 129.90 NPR; Johannes's is delivered."""
    cid = setup(container, tmp_path)
    plan(container, cid)
    asyncio.run(container.worker().run(until_idle=True))
    sita, johannes = contact_id(container, SITA), contact_id(container, JOHANNES)
    with container.uow() as uow:
        mine = Message.campaign_id == cid
        uow.session.execute(update(Message).where(mine, Message.contact_id == sita).values(delivery="read"))
        uow.session.execute(update(Message).where(mine, Message.contact_id == johannes).values(delivery="delivered"))
        message = uow.session.scalar(select(Message.id).where(mine, Message.contact_id == sita))
        link = Link(code="abc", message_id=message, url="https://shop.example", position=0, created_at=NOW)
        uow.session.add(link)
        uow.flush()
        for human in (True, True, False):  # two clicks by a person, one by a link scanner
            uow.session.add(
                Click(link_id=link.id, message_id=message, at=NOW, human=human, why="t", device="phone", visitor="v")
            )
        ledger.conversion(uow, sita, "A1", NOW, "129.90", message_id=message, campaign_id=cid, attribution="click")
    return cid


def test_the_funnel_counts_each_stage_once_a_message(container, tmp_path) -> None:
    cid = sent_campaign(container, tmp_path)
    with container.uow() as uow:
        found = results(uow.session, uow.session.get(Campaign, cid))
    funnel = found["funnel"]
    assert {s: funnel[s] for s in ("sent", "delivered", "read", "clicked", "converted")} == {
        "sent": 2,
        "delivered": 2,
        "read": 1,
        "clicked": 1,
        "converted": 1,
    }
    assert funnel["planned"] == 4 and funnel["sent_rate"] == 50.0 and funnel["clicked_rate"] == 50.0
    assert found["by_region"]["NP"]["converted"] == 1 and found["by_region"]["NA"]["converted"] == 0
    assert found["by_channel"]["sms"]["sent"] == 2 and found["revenue"] == {"NPR": "129.90"}
    # Kathmandu is UTC+5:45 and Windhoek UTC+2: 14:00 UTC is 19:45 there and 16:00 here.
    assert found["by_local_hour"]["19"]["sent"] == 1 and found["by_local_hour"]["16"]["sent"] == 1
    assert found["heatmap"]["sms"]["19"] == {
        "sent_rate": 100.0,
        "delivered_rate": 100.0,
        "read_rate": 100.0,
        "clicked_rate": 100.0,
        "converted_rate": 100.0,
    }
    assert found["uplift"] is None  # no hold-out group


def test_the_uplift_sets_recipients_beside_the_hold_out(container, tmp_path) -> None:
    cid = sent_campaign(container, tmp_path)
    ram, gita = contact_id(container, RAM), contact_id(container, GITA)
    with container.uow() as uow:
        campaign = uow.session.get(Campaign, cid)
        campaign.holdout_percent, campaign.started_at = 20, NOW
        for person in (ram, gita):  # the hold-out group: skipped at planning, never sent
            held = ledger.message(uow, f"h{person}", person, RAM, NOW, "skipped", campaign_id=cid, reason="holdout")
            held.planned_action, held.channel = "skip", None
        ledger.conversion(uow, ram, "B1", NOW + timedelta(days=2))
        ledger.conversion(uow, gita, "B2", NOW + timedelta(days=9))  # after the window: not counted
        found = results(uow.session, campaign, timedelta(days=7))
    uplift = found["uplift"]
    assert uplift["recipients"] == {"people": 2, "converted": 1, "rate": 50.0}
    assert uplift["holdout"] == {"people": 2, "converted": 1, "rate": 50.0}
    assert uplift["uplift"]["points"] == 0.0 and uplift["uplift"]["low"] < 0 < uplift["uplift"]["high"]


def test_the_results_export_as_text_cells(container, tmp_path) -> None:
    cid = sent_campaign(container, tmp_path)
    with container.uow() as uow:
        found = results(uow.session, uow.session.get(Campaign, cid))
    rows = result_rows(found)
    assert rows[0][:4] == ["breakdown", "value", "planned", "sent"] and rows[1][:2] == ["all", "all"]
    assert ["region", "NP"] in [r[:2] for r in rows] and ["local_hour", "19"] in [r[:2] for r in rows]
    written = write_results(found, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle)) == rows and written == len(rows) - 1
    write_results(found, tmp_path / "r.xlsx")
    sheet = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_index(0).to_python()
    assert [[str(c) for c in row] for row in sheet] == rows


def test_the_cli_and_the_api_give_the_same_figures(container, tmp_path, capsys) -> None:
    cid = sent_campaign(container, tmp_path)
    db = ("--db", container.settings.database_url)
    data = as_json(capsys, *db, "reports", "results", str(cid), "--json")
    assert data["funnel"]["converted"] == 1
    shown = herald(capsys, *db, "reports", "results", "Sale", "--export", str(tmp_path / "out.csv"))
    assert "planned 4 → sent 2 → delivered 2 → read 1 → clicked 1 → converted 1" in shown
    assert (tmp_path / "out.csv").exists()
    herald(capsys, *db, "reports", "results", "Sale", "--export", str(tmp_path / "out.pdf"), code=2)
    assert "name a .csv or .xlsx file" in herald.last_err
    herald(capsys, *db, "reports", "results", "Nothing", code=3)  # not found
    api = api_client(container)
    answer = api.get(f"/api/v1/campaigns/{cid}/results")
    assert answer.status_code == 200 and answer.json()["funnel"] == data["funnel"]
    assert api.get("/api/v1/campaigns/999/results").status_code == 404


TABLE = """currency = "NPR"
[[rate]]
channel = "sms"
region = "NP"
price = "2.50"
"""


def test_the_cost_comes_from_the_price_table_and_the_return_from_revenue_in_its_currency(container, tmp_path) -> None:
    cid = sent_campaign(container, tmp_path)
    with container.uow() as uow:
        campaign = uow.session.get(Campaign, cid)
        by_example = results(uow.session, campaign, prices=container.prices())
        by_table = results(uow.session, campaign, prices=content.parse(TABLE, where="test"))
    assert by_example["cost"]["currency"] == "USD" and by_example["return"] is None  # revenue is in NPR
    assert by_example["cost"]["by_channel"]["sms"] == "0.19"  # Nepal 0.13 + the rest of the world 0.06
    assert by_table["cost"]["total"] == "2.50" and by_table["cost"]["unpriced"][0]["region"] == "NA"
    assert by_table["return"] == {"currency": "NPR", "net": "127.40", "revenue_per_cost": "51.96"}
    with container.uow() as uow:
        assert results(uow.session, uow.session.get(Campaign, cid))["cost"] is None  # no table given


def test_a_cost_the_vendor_reported_stands_in_for_the_price_tables_estimate(container, tmp_path) -> None:
    cid = sent_campaign(container, tmp_path)
    table = content.parse(TABLE, where="test")
    with container.uow() as uow:
        mine = Message.campaign_id == cid
        sita = uow.session.scalars(select(Message).where(mine, Message.contact_id == contact_id(container, SITA))).one()
        receipt = outbox.Receipt("delivered", NOW, sita.id, None, price="1.10", currency="NPR")
        outbox.apply_receipts(uow, [(sita.provider, receipt)], NOW)
        assert (sita.cost, sita.cost_currency) == ("1.10", "NPR")
        cost = results(uow.session, uow.session.get(Campaign, cid), prices=table)["cost"]
    assert (cost["total"], cost["reported"], cost["estimated"]) == ("1.10", "1.10", "0.00")
    assert cost["unpriced"][0]["region"] == "NA"  # Johannes's: no rate, and his vendor said nothing
    with container.uow() as uow:
        johannes = uow.session.scalars(
            select(Message).where(mine, Message.contact_id != sita.contact_id, Message.status == "sent")
        ).one()
        receipt = outbox.Receipt("delivered", NOW, johannes.id, None, price="0.05", currency="USD")
        outbox.apply_receipts(uow, [(johannes.provider, receipt)], NOW)
        cost = results(uow.session, uow.session.get(Campaign, cid), prices=table)["cost"]
    assert cost["reported_elsewhere"] == {"USD": "0.05"} and cost["unpriced"] == []
    assert cost["total"] == "1.10"  # a cost in another currency is shown apart, never converted


def test_a_campaigns_results_read_no_other_campaigns_clicks(container, tmp_path) -> None:
    from tests.plans import scans

    cid = sent_campaign(container, tmp_path)
    with container.uow() as uow, scans(container.engine, frozenset({"clicks", "conversions"})) as found:
        results(uow.session, uow.session.get(Campaign, cid))
    assert found == []
