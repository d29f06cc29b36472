"""The optional mail-server check, table by table, with a stand-in resolver (no DNS is asked here)."""

from __future__ import annotations

import dns.exception
import dns.resolver
import pytest

from herald.contacts.addresses.mx import MailDomains
from herald.contacts.importing import importer
from tests.conftest import NOW

ANSWERS = {
    ("example.com", "MX"): "mx",
    ("nomx.example", "MX"): dns.resolver.NoAnswer,
    ("nomx.example", "A"): "a",
    ("gone.example", "MX"): dns.resolver.NXDOMAIN,
    ("slow.example", "MX"): dns.exception.Timeout,
    ("bare.example", "MX"): dns.resolver.NoAnswer,
    ("bare.example", "A"): dns.resolver.NoAnswer,
    ("bare.example", "AAAA"): dns.resolver.NoAnswer,
}


def fake_resolve(asked: list):
    def resolve(name: str, kind: str) -> object:
        asked.append((name, kind))
        answer = ANSWERS[(name, kind)]
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer()
        return answer

    return resolve


@pytest.mark.parametrize(
    ("domain", "takes"),
    [
        ("example.com", True),
        ("nomx.example", True),
        ("gone.example", False),
        ("slow.example", True),
        ("bare.example", False),
    ],
)
def test_which_domains_take_mail(domain, takes) -> None:
    assert MailDomains(fake_resolve([])).takes_mail(domain) is takes


def test_each_domain_is_asked_once_and_unanswered_ones_are_counted() -> None:
    asked: list = []
    mail = MailDomains(fake_resolve(asked))
    for _ in range(3):
        mail.takes_mail("example.com")
        mail.takes_mail("slow.example")
    assert asked == [("example.com", "MX"), ("slow.example", "MX")] and mail.unanswered == 1
    assert MailDomains().resolve is not None  # the real resolver is built lazily, not asked here


def test_an_import_refuses_emails_of_domains_without_mail(container, write_csv) -> None:
    path = write_csv("email\na@example.com\nb@gone.example\n")
    with container.uow() as uow:
        report = importer.import_file(
            uow, path, NOW, check_mx=MailDomains(fake_resolve([])), erasure_key=container.settings.secret_key
        )
    assert report.counts["imported"] == 1 and report.counts["invalid"] == 1
    assert report.problems[0]["reason"] == "the domain has no mail server (no MX record)"
