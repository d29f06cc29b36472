"""Every stand-in at once, with the provider accounts and routes that point Herald at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from herald.sandbox import gateway, twilio
from herald.sandbox.faults import Faults

ENVIRON = {"SANDBOX_GATEWAY_SECRET": gateway.SECRET, "SANDBOX_TWILIO_TOKEN": twilio.TOKEN}


@dataclass
class Vendors:
    gateway: gateway.FakeGateway
    twilio: twilio.FakeTwilio

    def accounts(self) -> dict[str, dict[str, Any]]:
        """`[providers.*]` tables for the stand-ins (secrets by `env:`, see ENVIRON)."""
        return {
            "sandbox-twilio": {
                "kind": "twilio",
                "account_sid": twilio.SID,
                "auth_token": "env:SANDBOX_TWILIO_TOKEN",
                "from": "+15005550006",
                "base_url": self.twilio.url,
            },
            "sandbox-gateway": {"kind": "webhook", "url": self.gateway.url, "secret": "env:SANDBOX_GATEWAY_SECRET"},
        }

    @staticmethod
    def routing() -> dict[str, Any]:
        return {
            "sms": ["sandbox-twilio", "sandbox-gateway"],
            "whatsapp": ["sandbox-twilio"],
            "email": ["sandbox-gateway"],
        }

    def taken_in(self) -> dict[str, int]:
        return {
            "twilio": len(self.twilio.created),
            "gateway": len(self.gateway.received),
            "refused": len(self.gateway.refused),
        }


@contextmanager
def running_vendors(faults: Faults | None = None, gateway_port: int = 0, twilio_port: int = 0) -> Iterator[Vendors]:
    """Serve every stand-in until the block ends."""
    faults = faults or Faults()
    vendors = Vendors(gateway.FakeGateway(random=faults), twilio.FakeTwilio(random=faults))
    with ExitStack() as stack:
        stack.enter_context(gateway.running(vendors.gateway, gateway_port))
        stack.enter_context(twilio.running(vendors.twilio, twilio_port))
        yield vendors
