"""What preparing a batch of claimed messages works with and hands back: the batch's shared facts, the
senders and links it is given, its counts, and each message made ready for its provider."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from herald.campaigns.models import Campaign
from herald.campaigns.planning.assign import Variant
from herald.contacts import Contact
from herald.content import Composed, Template, TemplateVersion
from herald.db import UnitOfWork
from herald.outbox import Claimed
from herald.providers import Outgoing, Sender
from herald.rules import Policy, Recipient, Send, Usage


@dataclass
class Prepared:
    claimed: Claimed
    outgoing: Outgoing
    provider: str
    units: int = 1  # what the message is metered in: SMS segments, else 1
    sender: str | None = None  # the name of the account's sender it goes from, when the account lists senders


class Senders(Protocol):
    """Which of an account's senders each message goes from (the dispatcher keeps contacts' sticky senders)."""

    def load(self, uow: UnitOfWork, contacts: Sequence[int], now: datetime) -> None: ...

    def pick(self, account: str, contact: int, region: str | None, pool: str | None) -> Sender | None: ...

    def keep(self, uow: UnitOfWork, now: datetime) -> None: ...


class Links(Protocol):
    """Makes a prepared message's links short (the tracking room's, handed down by the dispatcher)."""

    def shorten(
        self, uow: UnitOfWork, message_id: int, channel: str, composed: Composed, now: datetime
    ) -> Composed: ...


@dataclass
class BatchCounts:
    sending: int = 0
    skipped: int = 0
    deferred: int = 0
    failed: int = 0
    held: int = 0  # its campaign was paused or cancelled meanwhile
    lost: int = 0  # lease lost to another worker


@dataclass
class Batch:
    """What one batch shares: its contacts, campaigns, policies, templates and tags."""

    contacts: dict[int, Contact]
    campaigns: dict[int, Campaign]
    policies: dict[int, Policy]
    templates: dict[int, Template]
    approved: dict[int, dict[tuple[str, str], TemplateVersion]]
    tags: dict[int, list[str]]
    variants: dict[int, tuple[Variant, ...]]
    usage: Usage | None = None  # what senders used so far, when a campaign's policy caps them
    senders: Senders | None = None  # picks the sender of accounts that list senders
    links: Links | None = None  # makes links short, when Herald has a public address


@dataclass(frozen=True)
class Going:
    """A message the rules let go, rendered, with the account it goes through."""

    item: Claimed
    campaign: Campaign
    contact: Contact
    recipient: Recipient
    decision: Send
    provider: str
    composed: Composed
