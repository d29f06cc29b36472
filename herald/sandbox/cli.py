"""`herald sandbox`: the stand-ins on 127.0.0.1 until Ctrl-C, and the herald.toml that points at them."""

from __future__ import annotations

import base64
import threading
from contextlib import ExitStack

from herald.console import err, out
from herald.sandbox import gateway, twilio
from herald.sandbox.faults import Faults

CONFIG = """# Provider accounts pointing at `herald sandbox` (set the secrets in the worker's environment):
#   export SANDBOX_GATEWAY_SECRET={secret}
#   export SANDBOX_TWILIO_TOKEN={token}
[providers.sandbox-gateway]
kind = "webhook"
url = "{gateway}"
secret = "env:SANDBOX_GATEWAY_SECRET"

[providers.sandbox-twilio]
kind = "twilio"
account_sid = "{sid}"
auth_token = "env:SANDBOX_TWILIO_TOKEN"
from = "+15005550006"
base_url = "{twilio}"

[routing]
sms = ["sandbox-twilio", "sandbox-gateway"]
whatsapp = ["sandbox-twilio"]
email = ["sandbox-gateway"]
"""


def serve(faults: Faults, gateway_port: int, twilio_port: int, stop: threading.Event) -> tuple[int, int, int]:
    """Serve both stand-ins until `stop` is set; returns what each took in (gateway, twilio) and the
    requests refused as unauthentic."""
    fake_gateway = gateway.FakeGateway(random=faults)
    fake_twilio = twilio.FakeTwilio(random=faults)
    with ExitStack() as stack:
        stack.enter_context(gateway.running(fake_gateway, gateway_port))
        stack.enter_context(twilio.running(fake_twilio, twilio_port))
        key = base64.b64decode(gateway.SECRET.removeprefix("whsec_"))
        out.print(
            CONFIG.format(
                secret=gateway.SECRET,
                token=twilio.TOKEN,
                gateway=fake_gateway.url,
                sid=twilio.SID,
                twilio=fake_twilio.url,
            ),
            markup=False,
        )
        err.print(f"Sandbox running ({len(key)}-byte gateway key); Ctrl-C to stop.")
        try:
            stop.wait()
        except KeyboardInterrupt:  # Ctrl-C: stop serving, and say what was taken in
            pass
    return len(fake_gateway.received), len(fake_twilio.created), len(fake_gateway.refused)
