"""Providers room: one adapter per vendor protocol behind the `Provider` protocol. Each sends a batch and
maps the vendor's answers, once, to Accepted | Retryable | Permanent; each verifies and parses its own
webhooks. No database, no web framework."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.providers.base import Accepted, Outgoing, Permanent, Provider, Report, Retryable, SendResult
    from herald.providers.file import FileProvider
    from herald.providers.lookup import Looked, Lookup, TwilioLookup

__all__ = [
    "Accepted",
    "FileProvider",
    "Looked",
    "Lookup",
    "Outgoing",
    "Permanent",
    "Provider",
    "Report",
    "Retryable",
    "SendResult",
    "TwilioLookup",
]
__getattr__ = open_door(__name__, __file__)
