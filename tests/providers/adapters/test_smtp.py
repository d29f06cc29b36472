"""The SMTP provider against a stand-in mail server (aiosmtpd): a pool of connections, TLS, AUTH, DKIM,
and every reply mapped once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from herald.providers import Accepted, Outgoing, Permanent, Retryable, Uncertain
from herald.providers.adapters.letters import Dkim, Letterhead
from herald.providers.adapters.smtp import Server, SmtpProvider, refused
from herald.providers.adapters.unsubscribe import Unsubscribe, signing_key
from herald.sandbox.mail import PASSWORD, USER, FakeMailServer, running

HEAD = Letterhead(
    "Shop <news@shop.example>",
    bounce_address="bounces@mail.shop.example",
    unsubscribe=Unsubscribe("https://herald.shop.example", None, signing_key("secret")),
)


def letter(i: int, to: str | None = None) -> Outgoing:
    return Outgoing(i, f"c1:{i}:0", "email", to or f"p{i}@example.com", "20% off", "Sale", purpose="marketing")


def provider(fake: FakeMailServer, security: str = "none", **options) -> SmtpProvider:
    connections = options.pop("connections", 4)
    head = options.pop("head", HEAD)
    # A generous timeout: on a loaded machine a handshake can take more than a second; the test of a server
    # that never answers asks for a short one.
    timeout = options.pop("timeout", 10.0)
    server = Server(
        "127.0.0.1", fake.port, security, USER, options.pop("password", PASSWORD), timeout=timeout, **options
    )
    return SmtpProvider(server, head, connections)


def test_a_batch_goes_over_the_pool_each_letter_once_with_its_reference_and_bounce_address() -> None:
    with running(FakeMailServer()) as fake:
        results = asyncio.run(provider(fake, connections=3).send([letter(i) for i in range(9)]))
    assert all(isinstance(r, Accepted) for r in results)
    assert {r.provider_message_id for r in results} == set(fake.received) and not fake.repeats
    assert len({got["connection"] for got in fake.received.values()}) == 3
    first = fake.received[results[0].provider_message_id]
    assert first["envelope_from"] == "bounces+m0@mail.shop.example" and first["to"] == "p0@example.com"
    assert first["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["text"].strip() == "20% off"


def test_each_reply_is_mapped_once_and_only_the_unanswered_letter_is_uncertain() -> None:
    faults = {"gone@x.example": "refuse", "later@x.example": "busy", "spam@x.example": "spam"}
    faults |= {"closing@x.example": "broken", "hang@x.example": "hang"}
    with running(FakeMailServer(faults=faults)) as fake:
        batch = [letter(i, to) for i, to in enumerate([*faults, "ok@x.example"])]
        results = asyncio.run(provider(fake, connections=2, timeout=1.0).send(batch))
    gone, later, spam, closing, hang, ok = results
    assert gone == Permanent(gone.reason, "5.1.1", "invalid") and "no such mailbox: 550 5.1.1" in gone.reason
    assert isinstance(later, Retryable) and not later.fault and "451 4.7.1" in later.reason
    assert spam == Permanent("refused: 554 5.7.1 Message rejected as spam", "5.7.1")
    assert isinstance(closing, Retryable) and closing.fault and "421 4.3.2" in closing.reason
    assert isinstance(hang, Uncertain) and "after the letter was sent" in hang.reason
    assert isinstance(ok, Accepted)
    assert sorted(got["to"] for got in fake.received.values()) == ["hang@x.example", "ok@x.example"]


@pytest.mark.parametrize(
    ("stage", "code", "message", "expected"),
    [
        ("recipient", 550, "5.1.10 Recipient address rejected: null MX", Permanent("", "5.1.10", "invalid")),
        ("recipient", 550, "Mailbox unavailable", Permanent("", "550")),
        ("recipient", 552, "5.2.2 Mailbox full", Permanent("", "5.2.2")),
        ("sender", 553, "5.7.1 Sender address rejected: not owned by user", Retryable("", fatal=True)),
        ("sender", 451, "4.3.0 Temporary lookup failure", Retryable("")),
        ("content", 421, "4.4.2 Timeout", Retryable("", fault=True)),
    ],
)
def test_replies_refusing_a_step_are_mapped_by_stage_and_code(stage, code, message, expected) -> None:
    found = refused(stage, code, message)
    assert type(found) is type(expected) and found.reason and message.split()[-1] in found.reason
    if isinstance(expected, Permanent):
        assert (found.code, found.suppress) == (expected.code, expected.suppress)
    else:
        assert (found.fault, found.fatal) == (expected.fault, expected.fatal)


def test_a_server_that_closes_connections_after_some_letters_gets_the_rest_on_new_ones() -> None:
    with running(FakeMailServer(per_connection=2)) as fake:
        results = asyncio.run(provider(fake, connections=1).send([letter(i) for i in range(5)]))
    assert all(isinstance(r, Accepted) for r in results), results
    assert len(fake.received) == 5 and not fake.repeats
    assert len({got["connection"] for got in fake.received.values()}) == 3


def test_a_refused_password_pauses_the_account_and_check_says_why() -> None:
    with running(FakeMailServer()) as fake:
        wrong = provider(fake, password="not-it")
        results = asyncio.run(wrong.send([letter(1), letter(2)]))
        checked = asyncio.run(wrong.check())
        good = asyncio.run(provider(fake).check())
    assert all(isinstance(r, Retryable) and r.fatal and "535" in r.reason for r in results)
    assert not checked.ok and "refuses the username and password" in checked.detail
    assert good.ok and good.detail == f"127.0.0.1:{fake.port} answered (no encryption, signed in as herald)"
    assert not fake.received


def test_a_server_that_cannot_be_reached_is_the_accounts_fault_for_every_letter() -> None:
    fake = FakeMailServer(port=1)
    results = asyncio.run(provider(fake).send([letter(1), letter(2), letter(3)]))
    assert all(isinstance(r, Retryable) and r.fault and "cannot connect to 127.0.0.1:1" in r.reason for r in results)
    assert not asyncio.run(provider(fake).check()).ok


class Flaky(SmtpProvider):
    """A provider whose second connection cannot be made (a server limiting connections per client)."""

    tries = 0

    async def connect(self):
        self.tries += 1
        if self.tries == 2:
            return Retryable("too many connections", fault=True)
        return await super().connect()


def test_a_connection_that_cannot_be_made_leaves_its_letters_to_the_others() -> None:
    with running(FakeMailServer()) as fake:
        flaky = Flaky(Server("127.0.0.1", fake.port, "none", USER, PASSWORD, timeout=10.0), HEAD, 3)
        results = asyncio.run(flaky.send([letter(i) for i in range(6)]))
    assert all(isinstance(r, Accepted) for r in results) and len(fake.received) == 6


def test_starttls_with_the_servers_authority_then_auth(certificate) -> None:
    with running(FakeMailServer(), starttls=certificate.server_context()) as fake:
        trusted = provider(fake, "starttls", ca_file=str(certificate.path))
        assert asyncio.run(trusted.check()).detail.endswith("(STARTTLS, signed in as herald)")
        results = asyncio.run(trusted.send([letter(1)]))
        untrusted = asyncio.run(provider(fake, "starttls").send([letter(2)]))
        plain = asyncio.run(provider(fake, "none").send([letter(3)]))
    assert isinstance(results[0], Accepted) and len(fake.received) == 1
    assert isinstance(untrusted[0], Retryable) and untrusted[0].fatal and "TLS" in untrusted[0].reason
    assert isinstance(plain[0], Retryable)  # the server asks for STARTTLS before anything else


def test_tls_from_the_first_byte(certificate) -> None:
    with running(FakeMailServer(), tls=certificate.server_context()) as fake:
        results = asyncio.run(provider(fake, "tls", ca_file=str(certificate.path)).send([letter(1)]))
    assert isinstance(results[0], Accepted) and len(fake.received) == 1


def test_the_server_finds_the_dkim_signature_good(dkim_key) -> None:
    signed = Letterhead(HEAD.sender, unsubscribe=HEAD.unsubscribe, dkim=Dkim("shop.example", "s1", dkim_key.pem))
    fake = FakeMailServer(dkim_records={b"s1._domainkey.shop.example.": dkim_key.record})
    with running(fake):
        results = asyncio.run(provider(fake, head=signed).send([letter(1)]))
    assert fake.received[results[0].provider_message_id]["dkim"] is True


def test_a_letter_with_a_sender_of_its_own_goes_from_that_address() -> None:
    with running(FakeMailServer()) as fake:
        own = replace(letter(1), sender="Shop Deals <deals@shop.example>")
        results = asyncio.run(provider(fake).send([own, letter(2)]))
    senders = {
        fake.received[r.provider_message_id]["to"]: fake.received[r.provider_message_id]["headers"]["From"]
        for r in results
    }
    assert senders == {"p1@example.com": "Shop Deals <deals@shop.example>", "p2@example.com": HEAD.sender}
