"""The optional mail-server check of email domains (`--check-mx`, off by default: it needs DNS and time).
A domain with no MX record and no address record (the implicit MX of RFC 5321) takes no mail; a domain
the resolver cannot answer for in time is given the benefit of the doubt. Each domain is asked once."""

from __future__ import annotations

from collections.abc import Callable

import dns.exception
import dns.resolver

Resolve = Callable[[str, str], object]


class MailDomains:
    def __init__(self, resolve: Resolve | None = None, timeout: float = 3.0) -> None:
        if resolve is None:
            resolver = dns.resolver.Resolver()
            resolver.lifetime = timeout

            def resolve(name: str, kind: str) -> object:
                return resolver.resolve(name, kind)

        self.resolve = resolve
        self.known: dict[str, bool] = {}
        self.unanswered = 0  # domains the resolver could not answer for

    def takes_mail(self, domain: str) -> bool:
        """Whether the domain has a mail server (or could not be checked)."""
        if domain not in self.known:
            self.known[domain] = self._ask(domain)
        return self.known[domain]

    def _ask(self, domain: str) -> bool:
        for kind in ("MX", "A", "AAAA"):
            try:
                self.resolve(domain, kind)
                return True
            except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
                return False
            except dns.resolver.NoAnswer:
                continue
            except dns.exception.DNSException:
                self.unanswered += 1
                return True
        return False
