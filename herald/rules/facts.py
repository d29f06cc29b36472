"""What the engine is told about a recipient and a message. Gathered in bulk by the planner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from herald.rules.usage import Usage
from herald.types import Channel, Purpose


@dataclass(frozen=True, slots=True)
class ConsentFact:
    channel: Channel
    purpose: Purpose
    status: str  # granted | revoked
    at: datetime
    source: str | None = None  # import, form, api, keyword…
    evidence: bool = False  # proof was recorded with it (the text agreed to, the form, the IP)


@dataclass(frozen=True, slots=True)
class SendFact:
    channel: Channel
    purpose: Purpose
    at: datetime


@dataclass(frozen=True, slots=True)
class Recipient:
    contact_id: int | None
    addresses: Mapping[Channel, str]
    timezones: tuple[str, ...] = ()  # the contact's own zone alone, else every zone its number may be in
    region: str | None = None
    line_type: str | None = None
    consents: tuple[ConsentFact, ...] = ()
    suppressions: Mapping[Channel, str] = field(default_factory=dict)  # channel -> reason
    lifecycle: str | None = None
    sends: tuple[SendFact, ...] = ()
    last_inbound: Mapping[Channel, datetime] = field(default_factory=dict)
    allow_listed: frozenset[Channel] = frozenset()  # channels whose address is on the allow-list


@dataclass(frozen=True, slots=True)
class DecisionFact:
    """One thing a decision may read of a recipient: the one definition the rules' memory, the set-based
    planner's SQL key and the loaders derive theirs from (a test holds every `Recipient` field covered)."""

    name: str  # as a rule's READS names it
    field: str  # the Recipient field that holds it
    kind: str  # how a key holds it: "address" (its prefix only), "mapping" (sorted items) or "value"
    stored: bool  # read from a table beyond the contact's own row, so gathered only when a rule reads it


DECISION_FACTS = (
    DecisionFact("addresses", "addresses", "address", stored=False),
    DecisionFact("timezones", "timezones", "value", stored=False),
    DecisionFact("region", "region", "value", stored=False),
    DecisionFact("line_type", "line_type", "value", stored=False),
    DecisionFact("consents", "consents", "value", stored=True),
    DecisionFact("suppressions", "suppressions", "mapping", stored=True),
    DecisionFact("lifecycle", "lifecycle", "value", stored=True),
    DecisionFact("sends", "sends", "value", stored=True),
    DecisionFact("inbound", "last_inbound", "mapping", stored=True),
    DecisionFact("allow_list", "allow_listed", "value", stored=True),
)
# Who the recipient is: no rule reads it, so recipients alike in every decision fact share a decision.
IDENTITY_FIELDS = ("contact_id",)
STORED_FACTS = frozenset(f.name for f in DECISION_FACTS if f.stored)


@dataclass(frozen=True, slots=True)
class MessageIntent:
    purpose: Purpose
    channels: tuple[Channel, ...]  # preference order
    template_category: str | None = None
    template_status: str | None = None
    priority: int = 0
    usage: Usage | None = None  # the senders' shared allowances, for capacity rules; None where unknown
