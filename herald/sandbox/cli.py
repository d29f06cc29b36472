"""`herald sandbox`: the stand-ins on 127.0.0.1 until Ctrl-C, and the herald.toml that points at them."""

from __future__ import annotations

import json
import threading

from herald.console import err, out
from herald.sandbox.faults import Faults
from herald.sandbox.vendors import ENVIRON, Ports, Vendors, running_vendors


def config_text(vendors: Vendors) -> str:
    """The herald.toml tables that point at the stand-ins, with the secrets to export."""
    lines = ["# Provider accounts pointing at `herald sandbox` (export the secrets in the worker's environment):"]
    lines += [f"#   export {name}={value}" for name, value in ENVIRON.items()]
    for name, table in vendors.accounts().items():
        lines += ["", f"[providers.{name}]", *(f"{key} = {json.dumps(value)}" for key, value in table.items())]
    lines += ["", "[routing]"]
    lines += [
        f"{channel} = [{', '.join(repr(a).replace(chr(39), chr(34)) for a in route)}]"
        for channel, route in vendors.routing().items()
    ]
    return "\n".join(lines) + "\n"


def serve(
    faults: Faults,
    ports: Ports,
    stop: threading.Event,
    herald: str | None = None,
    replies_every: int = 0,
    clicks_every: int = 0,
) -> dict[str, int]:
    """Serve every stand-in until `stop` is set (or Ctrl-C); returns what each took in. With Herald's
    address, the WhatsApp and Aliyun stand-ins post their webhooks to it (Twilio and a gateway are told
    where by each message); with `replies_every`, one person in that many writes back, and with
    `clicks_every` one in that many follows the message's short link."""
    with running_vendors(faults, ports, herald, replies_every, clicks_every) as vendors:
        out.print(config_text(vendors), markup=False)
        err.print("Sandbox running; Ctrl-C to stop.")
        try:
            stop.wait()
        except KeyboardInterrupt:  # Ctrl-C: stop serving, and say what was taken in
            pass
        return vendors.taken_in()
