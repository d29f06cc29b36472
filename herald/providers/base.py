"""The Provider protocol and what flows through it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Callback:
    """A request a vendor made to Herald, as it arrived."""

    url: str  # the address the vendor called, as it was given it (public_url with the path and query)
    headers: Mapping[str, str]
    body: bytes
    at: float  # when it arrived, in Unix seconds

    def header(self, name: str) -> str | None:
        """A header by its name in any case."""
        wanted = name.lower()
        found = self.headers.get(wanted)  # HTTP servers hand ASGI their names in lower case
        if found is not None:
            return found
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def form(self) -> list[tuple[str, str]]:
        """The body's form fields (`application/x-www-form-urlencoded`), in order."""
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass(frozen=True, slots=True)
class Outgoing:
    message_id: int
    idempotency_key: str
    channel: str
    to: str
    body: str
    subject: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    html: str | None = None  # email
    payload: Mapping[str, Any] = field(default_factory=dict)  # channel parts, e.g. a WhatsApp template send
    purpose: str | None = None  # marketing | transactional: marketing mail carries List-Unsubscribe
    sender: str | None = None  # the account's sender to send as (a number, a phone-number id, a From); None: its own


@dataclass(frozen=True, slots=True)
class Accepted:
    provider_message_id: str


@dataclass(frozen=True, slots=True)
class Retryable:
    reason: str
    retry_after: float | None = None  # seconds
    fault: bool = False  # the account is the trouble (unreachable, 5xx), not this message: counts to its circuit
    # The account cannot send at all (credentials refused, no balance): its circuit opens at once and for
    # long, and the message waits for the next account of its route, or for an operator to fix this one.
    fatal: bool = False


@dataclass(frozen=True, slots=True)
class Permanent:
    reason: str
    code: str | None = None  # the vendor's own error code
    suppress: str | None = None  # the vendor says the address must not be messaged again, and why
    # The channel cannot reach this person now (WhatsApp 131026: not a WhatsApp user, an old app): the
    # message may go by the campaign's next channel, where the rules allow, instead of failing.
    fallback: bool = False


@dataclass(frozen=True, slots=True)
class Uncertain:
    """The request may have reached the vendor and got no answer (a timeout): it may have been delivered.
    Such a message is not resent unless the vendor drops repeats; its receipt, or a person, settles it."""

    reason: str


SendResult = Accepted | Retryable | Permanent | Uncertain


def retry_after(headers: Mapping[str, str]) -> float | None:
    """An answer's Retry-After in seconds (the HTTP-date form, which vendors worth waiting on do not send,
    is ignored)."""
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A message left `unknown` (sent, no answer), as a vendor that keeps records can be asked about it."""

    message_id: int
    to: str
    at: datetime  # when it was handed to the vendor


@dataclass(frozen=True, slots=True)
class Report:
    """A status receipt or an inbound message parsed from a webhook."""

    kind: str  # status | inbound
    provider_message_id: str | None
    status: str | None = None  # a status's stage: sent | delivered | read | undelivered | failed
    sender: str | None = None
    text: str | None = None
    at: datetime | None = None
    reference: int | None = None  # Herald's own id of the message, when the vendor carried it back
    code: str | None = None  # the vendor's code, for undelivered or failed
    detail: str | None = None  # the vendor's words
    event: str | None = None  # the vendor's identity of this event, by which a repeat is recognized
    # The channel cannot reach this person (WhatsApp 131026, reported after the send): the message may go
    # by the campaign's next channel, as when the vendor says so at once.
    fallback: bool = False
    # An inbound message's own parts: the channel it came by, the number or id it was sent to, links to
    # its media, the vendor's id of the message it answers, and the vendor's own reading (Twilio's
    # OptOutType: STOP, START, HELP).
    channel: str | None = None
    to: str | None = None
    media: tuple[str, ...] = ()
    replied_to: str | None = None
    vendor_intent: str | None = None
    # What the vendor says the message cost, when it says (decimal text; "0" for one it does not bill).
    price: str | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Checked:
    """What a provider account's check found: whether it can send, and what the vendor said."""

    ok: bool
    detail: str


@runtime_checkable
class Provider(Protocol):
    kind: str
    # Whether resending after a crash is safe because the vendor de-duplicates by idempotency key.
    deduplicates: bool

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]: ...

    async def check(self) -> Checked: ...  # the credentials and the way out, asked of the vendor

    def verify(self, callback: Callback) -> bool: ...

    def parse_webhook(self, callback: Callback) -> list[Report]: ...
