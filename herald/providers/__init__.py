"""Providers room: one adapter per vendor protocol behind the `Provider` protocol. Each sends a batch and
maps the vendor's answers, once, to Accepted | Retryable | Permanent; each verifies and parses its own
webhooks. No database, no web framework."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.providers.adapters.aliyun import AliyunProvider
    from herald.providers.adapters.file import FileProvider
    from herald.providers.adapters.letters import message_of_bounce
    from herald.providers.adapters.smtp import SmtpProvider
    from herald.providers.adapters.twilio import TwilioProvider
    from herald.providers.adapters.unsubscribe import message_of as unsubscribed_message
    from herald.providers.adapters.unsubscribe import signing_key as unsubscribe_key
    from herald.providers.adapters.webhook import WebhookProvider, signature, signing_key
    from herald.providers.adapters.whatsapp_cloud import WhatsAppCloudProvider
    from herald.providers.base import (
        Accepted,
        Callback,
        Checked,
        Outgoing,
        Permanent,
        Provider,
        Report,
        Retryable,
        SendResult,
        Uncertain,
        Unsettled,
    )
    from herald.providers.configured.accounts import (
        CHANNELS,
        Account,
        Routing,
        from_channel_kinds,
        read_accounts,
        read_routing,
        shown,
    )
    from herald.providers.configured.factories import Shared as ProviderShared
    from herald.providers.configured.factories import provider_of
    from herald.providers.configured.kinds import KINDS as PROVIDER_KINDS
    from herald.providers.configured.senders import Choice as SenderChoice
    from herald.providers.configured.senders import Sender
    from herald.providers.incoming.bounces import MailReport, read_report
    from herald.providers.incoming.callbacks import meta_signed, standard_signed, twilio_signed
    from herald.providers.incoming.notices import AccountNotice, meta_notices
    from herald.providers.lookup import Looked, Lookup, TwilioLookup
    from herald.providers.meta_templates import MetaTemplates
    from herald.providers.meta_templates import creation as meta_template_creation
    from herald.providers.smpp.adapter import SmppProvider

__all__ = [
    "Accepted",
    "Account",
    "AliyunProvider",
    "Callback",
    "CHANNELS",
    "Checked",
    "FileProvider",
    "from_channel_kinds",
    "Looked",
    "message_of_bounce",
    "MailReport",
    "AccountNotice",
    "meta_notices",
    "read_report",
    "signature",
    "signing_key",
    "meta_signed",
    "meta_template_creation",
    "MetaTemplates",
    "Lookup",
    "Outgoing",
    "Permanent",
    "Provider",
    "provider_of",
    "ProviderShared",
    "PROVIDER_KINDS",
    "read_accounts",
    "read_routing",
    "Report",
    "Retryable",
    "Routing",
    "Sender",
    "SenderChoice",
    "SendResult",
    "shown",
    "SmppProvider",
    "standard_signed",
    "SmtpProvider",
    "TwilioLookup",
    "TwilioProvider",
    "twilio_signed",
    "Uncertain",
    "Unsettled",
    "unsubscribe_key",
    "unsubscribed_message",
    "WebhookProvider",
    "WhatsAppCloudProvider",
]
__getattr__ = open_door(__name__, __file__)
