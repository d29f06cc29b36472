"""The SMPP provider against a stand-in SMSC: a transceiver bind, a window of submit_sm, long texts in
parts, receipts read from deliver_sm (even before the submit_sm_resp), and every status mapped once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from herald.providers import Accepted, Outgoing, Permanent, Retryable, SmppProvider, Uncertain
from herald.providers.smpp.adapter import refused
from herald.sandbox.smsc import PASSWORD, SYSTEM_ID, FakeSmsc, running


def sms(i: int, to: str, text: str = "Hi") -> Outgoing:
    return Outgoing(i, f"c1:{i}:0", "sms", to, text)


def provider(fake: FakeSmsc, password: str = PASSWORD, **options) -> SmppProvider:
    return SmppProvider("127.0.0.1", fake.port, SYSTEM_ID, password, "Herald", timeout=1.0, **options)


def test_texts_short_and_long_go_over_one_bind_and_come_out_whole_at_the_smsc() -> None:
    texts = ["Hi €5 off [today]", "你好😀" * 40, "[x] " * 60]
    with running(FakeSmsc()) as fake:
        smpp = provider(fake, validity_seconds=86_400)
        results = asyncio.run(smpp.send([sms(i, f"+97798412345{i:02d}", t) for i, t in enumerate(texts)]))
    assert all(isinstance(r, Accepted) for r in results) and fake.binds == 1
    got = {r["to"]: r for r in fake.received}
    assert [got[f"97798412345{i:02d}"]["text"] for i in range(3)] == texts
    assert [got[f"97798412345{i:02d}"]["coding"] for i in range(3)] == [0, 8, 0]
    assert got["9779841234500"]["from"] == "Herald" and got["9779841234500"]["validity"] == "000001000000000R"
    assert fake.submits == 1 + 3 + 3 and len(results[1].provider_message_id.split(",")) == 3


def test_a_receipt_is_read_even_when_it_comes_before_the_answer_to_its_submit() -> None:
    with running(FakeSmsc(faults={"9779841234567": "early"})) as fake:
        smpp = provider(fake)
        [early, plain] = asyncio.run(smpp.send([sms(1, "+9779841234567"), sms(2, "+9779841234568")]))
    receipts = {r.provider_message_id: r.status for r in smpp.reports if r.kind == "status"}
    assert receipts == {early.provider_message_id: "delivered", plain.provider_message_id: "delivered"}


def test_each_status_is_mapped_once_and_only_the_unanswered_submit_is_uncertain() -> None:
    faults = {"1001": "throttle", "1002": "full", "1003": "invalid", "1004": "hang", "1005": "broken"}
    with running(FakeSmsc(faults=faults)) as fake:
        results = asyncio.run(provider(fake).send([sms(i, "+" + n) for i, n in enumerate([*faults, "1006"])]))
    throttled, full, invalid, hang, broken, ok = results
    assert throttled == Retryable("the SMSC asks to slow down: ESME_RTHROTTLED (0x00000058)", 1.0)
    assert isinstance(full, Retryable) and full.retry_after == 5.0 and "ESME_RMSGQFUL" in full.reason
    assert invalid == Permanent("invalid number: ESME_RINVDSTADR (0x0000000B)", "0x0000000B", "invalid")
    assert isinstance(hang, Uncertain) and isinstance(ok, Accepted)
    assert isinstance(broken, Retryable) and broken.fault
    assert refused(0x00000045) == Permanent("refused: ESME_RSUBMITFAIL (0x00000045)", "0x00000045")
    assert refused(0x000000C0).reason == "refused: status (0x000000C0)"


def test_a_refused_bind_pauses_the_account_and_check_says_why() -> None:
    with running(FakeSmsc()) as fake:
        wrong = provider(fake, password="nope")
        results = asyncio.run(wrong.send([sms(1, "+1001"), sms(2, "+1002")]))
        checked = asyncio.run(wrong.check())
        good = asyncio.run(provider(fake).check())
    assert all(isinstance(r, Retryable) and r.fatal and "ESME_RINVPASWD" in r.reason for r in results)
    assert not checked.ok and "refuses the bind" in checked.detail
    assert good.ok and good.detail == f"bound to 127.0.0.1:{fake.port} as herald (transceiver)"
    assert fake.submits == 0 and fake.refused_binds == 2


def test_an_smsc_that_cannot_be_reached_is_the_accounts_fault() -> None:
    results = asyncio.run(provider(FakeSmsc(port=1)).send([sms(1, "+1001")]))
    assert isinstance(results[0], Retryable) and results[0].fault and "cannot connect" in results[0].reason


def test_a_text_too_long_for_sms_fails_without_reaching_the_smsc() -> None:
    with running(FakeSmsc()) as fake:
        [result] = asyncio.run(provider(fake).send([sms(1, "+1001", "x" * 153 * 256)]))
    assert isinstance(result, Permanent) and "SMS allows 255" in result.reason and fake.submits == 0


def test_a_handset_message_on_the_bind_is_kept_as_inbound() -> None:
    from herald.providers.smpp import pdu

    smpp = provider(FakeSmsc())
    smpp._delivered(pdu.Delivered("9779841234567", "Herald", 0, 8, "退订".encode("utf-16-be")))
    smpp._delivered(pdu.Delivered("9779841234567", "Herald", pdu.ESM_RECEIPT, 0, b"not a receipt"))
    assert [(r.kind, r.sender, r.text) for r in smpp.reports] == [("inbound", "+9779841234567", "退订")]


def test_a_bind_lost_midway_is_made_again_for_what_was_not_yet_submitted() -> None:
    with running(FakeSmsc(faults={"1002": "drop"})) as fake:
        smpp = provider(fake, window=1)  # one at a time: the ones behind the lost submit were never sent
        results = asyncio.run(smpp.send([sms(i, f"+100{i}") for i in range(1, 5)]))
    first, lost, *rest = results
    assert isinstance(first, Accepted) and isinstance(lost, Uncertain) and all(isinstance(r, Accepted) for r in rest)
    assert fake.binds == 2 and sorted(r["to"] for r in fake.received) == ["1001", "1003", "1004"]
    assert fake.pongs == 2  # the SMSC's enquire_link after each bind was answered


def test_a_message_with_a_sender_of_its_own_goes_from_that_source_address() -> None:
    with running(FakeSmsc()) as fake:
        item = replace(sms(1, "+9779841234567"), sender="+9771000001")
        results = asyncio.run(provider(fake).send([item, sms(2, "+9779841234568")]))
    assert all(isinstance(r, Accepted) for r in results)
    assert {r["to"]: r["from"] for r in fake.received} == {"9779841234567": "9771000001", "9779841234568": "Herald"}
