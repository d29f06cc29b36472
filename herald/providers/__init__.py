"""Providers room: one adapter per vendor protocol behind the `Provider` protocol. Each sends a batch and
maps the vendor's answers, once, to Accepted | Retryable | Permanent; each verifies and parses its own
webhooks. No database, no web framework."""

from herald.providers.base import Accepted, Outgoing, Permanent, Provider, Report, Retryable, SendResult

__all__ = ["Accepted", "Outgoing", "Permanent", "Provider", "Report", "Retryable", "SendResult"]
