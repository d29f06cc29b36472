"""Every stand-in at once, with the provider accounts and routes that point Herald at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from herald.sandbox import aliyun, gateway, mail, smsc, twilio, whatsapp
from herald.sandbox.faults import Faults
from herald.sandbox.replies import Replying

ENVIRON = {
    "SANDBOX_GATEWAY_SECRET": gateway.SECRET,
    "SANDBOX_TWILIO_TOKEN": twilio.TOKEN,
    "SANDBOX_ALIYUN_SECRET": aliyun.SECRET,
    "SANDBOX_ALIYUN_REPORT_TOKEN": aliyun.REPORT_TOKEN,
    "SANDBOX_WHATSAPP_TOKEN": whatsapp.TOKEN,
    "SANDBOX_WHATSAPP_APP_SECRET": whatsapp.APP_SECRET,
    "SANDBOX_MAIL_PASSWORD": mail.PASSWORD,
    "SANDBOX_SMPP_PASSWORD": smsc.PASSWORD,
}


@dataclass(frozen=True)
class Ports:
    gateway: int = 0
    twilio: int = 0
    aliyun: int = 0
    whatsapp: int = 0
    mail: int = 0
    smpp: int = 0


@dataclass
class Vendors:
    gateway: gateway.FakeGateway
    twilio: twilio.FakeTwilio
    aliyun: aliyun.FakeAliyun
    whatsapp: whatsapp.FakeWhatsApp
    mail: mail.FakeMailServer
    smsc: smsc.FakeSmsc

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
            "sandbox-aliyun": {
                "kind": "aliyun",
                "access_key_id": aliyun.KEY_ID,
                "access_key_secret": "env:SANDBOX_ALIYUN_SECRET",
                "sign_name": aliyun.SIGN,
                "endpoint": self.aliyun.url,
                "report_token": "env:SANDBOX_ALIYUN_REPORT_TOKEN",
            },
            "sandbox-whatsapp": {
                "kind": "whatsapp_cloud",
                "phone_number_id": whatsapp.NUMBER_ID,
                "waba_id": whatsapp.WABA_ID,
                "access_token": "env:SANDBOX_WHATSAPP_TOKEN",
                "app_secret": "env:SANDBOX_WHATSAPP_APP_SECRET",
                "base_url": self.whatsapp.url,
            },
            "sandbox-mail": {
                "kind": "smtp",
                "host": self.mail.host,
                "port": self.mail.port,
                "security": "none",  # a private relay on this machine; a real server takes STARTTLS
                "username": mail.USER,
                "password": "env:SANDBOX_MAIL_PASSWORD",
                "from": "Herald Sandbox <news@sandbox.herald.test>",
                "bounce_address": "bounces@sandbox.herald.test",
                "unsubscribe_mailto": "unsubscribe@sandbox.herald.test",
            },
            "sandbox-smpp": {
                "kind": "smpp",
                "host": self.smsc.host,
                "port": self.smsc.port,
                "system_id": smsc.SYSTEM_ID,
                "password": "env:SANDBOX_SMPP_PASSWORD",
                "source": "Herald",
            },
            "sandbox-gateway": {"kind": "webhook", "url": self.gateway.url, "secret": "env:SANDBOX_GATEWAY_SECRET"},
        }

    @staticmethod
    def routing() -> dict[str, Any]:
        return {
            # Mainland China by Aliyun where the template names its Aliyun code, else by Twilio.
            "sms": {
                "default": ["sandbox-twilio", "sandbox-smpp", "sandbox-gateway"],
                "CN": ["sandbox-aliyun", "sandbox-twilio"],
            },
            "whatsapp": ["sandbox-whatsapp", "sandbox-twilio"],
            "email": ["sandbox-mail", "sandbox-gateway"],
        }

    def receipts_pending(self) -> bool:
        """Whether any stand-in still has receipts to post."""
        return any(v.receipts.pending for v in (self.twilio, self.whatsapp, self.gateway, self.aliyun))

    def replies_written(self) -> list[tuple[str, str]]:
        """(address, text) of every reply the stand-ins' people wrote."""
        return [r for v in (self.twilio, self.whatsapp, self.gateway, self.aliyun) for r in v.replies.written]

    def links_followed(self) -> list[tuple[str, str]]:
        """(url, user agent) of every visit the stand-ins' people (and chat apps) made."""
        return [f for v in (self.twilio, self.whatsapp, self.gateway, self.aliyun) for f in v.replies.followed]

    def taken_in(self) -> dict[str, int]:
        return {
            "twilio": len(self.twilio.created),
            "aliyun": len(self.aliyun.sent),
            "whatsapp": len(self.whatsapp.sent),
            "mail": len(self.mail.received),
            "smpp": len(self.smsc.received),
            "gateway": len(self.gateway.received),
            "refused": len(self.gateway.refused) + len(self.aliyun.refused),
        }


@contextmanager
def running_vendors(
    faults: Faults | None = None,
    ports: Ports | None = None,
    herald: str | None = None,
    replies_every: int = 0,
    clicks_every: int = 0,
) -> Iterator[Vendors]:
    """Serve every stand-in until the block ends (each on any free port unless `ports` names one); with
    Herald's address, the WhatsApp and Aliyun stand-ins send their webhooks to the sandbox accounts'
    routes. With `replies_every`, one person in that many writes back (STOP, 退订, HELP, thanks …); with
    `clicks_every`, one in that many follows the message's link."""
    faults, ports = faults or Faults(), ports or Ports()
    vendors = Vendors(
        gateway.FakeGateway(random=faults, replies=Replying(replies_every, clicks_every)),
        twilio.FakeTwilio(random=faults, replies=Replying(replies_every, clicks_every)),
        aliyun.FakeAliyun(
            random=faults,
            report_url=f"{herald}/webhooks/aliyun/sandbox-aliyun/report/{aliyun.REPORT_TOKEN}" if herald else "",
            replies=Replying(replies_every, clicks_every),
        ),
        whatsapp.FakeWhatsApp(
            random=faults,
            webhook=f"{herald}/webhooks/whatsapp/sandbox-whatsapp" if herald else "",
            replies=Replying(replies_every, clicks_every),
        ),
        mail.FakeMailServer(random=faults),
        smsc.FakeSmsc(random=faults),
    )
    with ExitStack() as stack:
        stack.enter_context(gateway.running(vendors.gateway, ports.gateway))
        stack.enter_context(twilio.running(vendors.twilio, ports.twilio))
        stack.enter_context(aliyun.running(vendors.aliyun, ports.aliyun))
        stack.enter_context(whatsapp.running(vendors.whatsapp, ports.whatsapp))
        stack.enter_context(mail.running(vendors.mail, ports.mail))
        stack.enter_context(smsc.running(vendors.smsc, ports.smpp))
        yield vendors
