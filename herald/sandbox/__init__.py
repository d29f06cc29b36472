"""Sandbox: local stand-ins for the vendors Herald speaks to, on 127.0.0.1, in their own wire formats,
signatures and faults — for operators rehearsing a setup, for the tests, and for the demo. `herald sandbox`
serves them; `gateway` stands in for an in-house webhook gateway, `twilio` for Twilio's Messages API,
`aliyun` for Alibaba Cloud SMS, `whatsapp`
for Meta's WhatsApp Cloud API, `mail` for a mail submission server, `smsc` for an SMPP SMSC."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.sandbox.cli import serve
    from herald.sandbox.faults import Faults
    from herald.sandbox.vendors import ENVIRON, Ports, Vendors, running_vendors

__all__ = ["ENVIRON", "Faults", "Ports", "Vendors", "running_vendors", "serve"]
__getattr__ = open_door(__name__, __file__)
