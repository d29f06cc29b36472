"""A provider for each configured account: the kind's adapter built from the account's options and what
every account shares (Herald's public address and its unsubscribe key)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from herald.errors import Invalid
from herald.providers.adapters.aliyun import AliyunProvider
from herald.providers.adapters.file import FileProvider
from herald.providers.adapters.letters import Dkim, Letterhead
from herald.providers.adapters.smtp import Server, SmtpProvider
from herald.providers.adapters.twilio import TwilioProvider
from herald.providers.adapters.unsubscribe import Unsubscribe
from herald.providers.adapters.webhook import WebhookProvider
from herald.providers.adapters.whatsapp_cloud import WhatsAppCloudProvider
from herald.providers.base import Provider
from herald.providers.configured.accounts import Account
from herald.providers.smpp.adapter import SmppProvider


@dataclass(frozen=True)
class Shared:
    """What every account's adapter may need beside its own table."""

    public_url: str | None = None  # where vendors and recipients reach Herald
    unsubscribe_key: bytes = field(default=b"", repr=False)  # signs List-Unsubscribe tokens
    meta_app_secret: str | None = field(default=None, repr=False)  # the whatsapp_app_secret setting


def provider_of(account: Account, shared: Shared) -> Provider:
    """The adapter for an account; refused naming the account and key when an option cannot be used."""
    return FACTORIES[account.kind](account, shared)


def _smpp(a: Account, _: Shared) -> SmppProvider:
    o = a.options
    return SmppProvider(
        o["host"],
        int(o["port"]),
        o["system_id"],
        o["password"],
        str(o["source"]).removeprefix("+"),
        o["system_type"],
        int(o["window"]),
        float(o["timeout"]),
        int(o["validity_hours"]) * 3600 if o["validity_hours"] else None,
        bool(o["flash"]),
        ssl.create_default_context() if o["tls"] else None,
    )


def _smtp(a: Account, shared: Shared) -> SmtpProvider:
    o = a.options
    server = Server(
        o["host"],
        o["port"],
        o["security"],
        o["username"],
        o["password"],
        o["ca_file"],
        float(o["timeout"]),
        o["local_hostname"],
    )
    unsubscribe = Unsubscribe(shared.public_url, o["unsubscribe_mailto"], shared.unsubscribe_key)
    head = Letterhead(o["from"], o["reply_to"], o["bounce_address"], unsubscribe, _dkim(a))
    return SmtpProvider(server, head, int(o["connections"]))


def _dkim(a: Account) -> Dkim | None:
    """The account's DKIM key: PEM text as written (an env: reference), or the path of a PEM file."""
    o, where = a.options, f"[providers.{a.name}] dkim_key"
    if not o["dkim_key"]:
        return None
    key = str(o["dkim_key"])
    if not key.lstrip().startswith("-----BEGIN"):
        path = Path(key)
        if not path.is_file():
            raise Invalid("expected the PEM text of a private key, or the path of a PEM file", where=where)
        key = path.read_text(encoding="ascii", errors="replace")
    try:
        return Dkim(o["dkim_domain"], o["dkim_selector"], key.encode())
    except ValueError as exc:
        raise Invalid(str(exc), where=where) from None


def _callback(shared: Shared, path: str) -> str | None:
    """Where a vendor sends an account's receipts: Herald's own route, when its public address is known."""
    return f"{shared.public_url}{path}" if shared.public_url else None


FACTORIES: dict[str, Callable[[Account, Shared], Provider]] = {
    "aliyun": lambda a, _: AliyunProvider(
        a.options["access_key_id"],
        a.options["access_key_secret"],
        a.options["sign_name"],
        a.options["endpoint"],
        float(a.options["timeout"]),
        a.options["report_token"],
    ),
    "file": lambda a, _: FileProvider(a.options["dir"], a.options["from"]),
    "smpp": _smpp,
    "smtp": _smtp,
    "whatsapp_cloud": lambda a, shared: WhatsAppCloudProvider(
        a.options["phone_number_id"],
        a.options["access_token"],
        a.options["base_url"],
        a.options["api_version"],
        float(a.options["timeout"]),
        a.options["app_secret"] or shared.meta_app_secret,
    ),
    "webhook": lambda a, shared: WebhookProvider(
        a.options["url"],
        a.options["secret"],
        float(a.options["timeout"]),
        bool(a.options["deduplicates"]),
        a.options["from"],
        _callback(shared, f"/webhooks/gateway/{a.name}"),
    ),
    "twilio": lambda a, shared: TwilioProvider(
        a.options["account_sid"],
        a.options["auth_token"],
        {k: a.options[k] for k in ("from", "messaging_service_sid") if a.options[k]},
        a.options["base_url"],
        a.options["api_key_sid"],
        a.options["validity_period"],
        a.options["status_callback"] or _callback(shared, f"/webhooks/twilio/{a.name}/status"),
        float(a.options["timeout"]),
        a.options["callback_token"],
    ),
}
