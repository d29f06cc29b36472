"""A message as a mail server takes it: the MIME letter (plain text and HTML as alternatives, the preheader
hidden at the top of the HTML), its headers — Message-ID carrying the message's reference, Reply-To,
List-Unsubscribe for marketing — optionally signed with DKIM, and the envelope sender that brings its
bounces back. Pure: an outgoing message and the time in, bytes out.

Bounces find their message without reading the report: with a bounce address `bounces@mail.shop.example`
the envelope sender of message 42 is `bounces+m42@mail.shop.example` (VERP); `message_of_bounce` reads
it back.
"""

from __future__ import annotations

import hashlib
import html as markup
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import dkim
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

from herald.providers.adapters.unsubscribe import Unsubscribe
from herald.providers.base import Outgoing

# Headers a DKIM signature covers when present; List-Unsubscribe must be covered for one-click to count.
SIGNED = (
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "reply-to",
    "mime-version",
    "content-type",
    "list-unsubscribe",
    "list-unsubscribe-post",
)
# Headers are folded only at RFC 5322's hard limit: List-Unsubscribe stays on one line, as mailbox
# providers parse it most reliably.
LINE = 998
BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
VERP = re.compile(r"\+m(\d{1,18})@")


@dataclass(frozen=True)
class Dkim:
    domain: str
    selector: str
    key: bytes = field(repr=False)  # the private key, PEM

    def __post_init__(self) -> None:
        try:
            parse_pem_private_key(self.key)
        except (UnparsableKeyError, ValueError, IndexError) as exc:
            raise ValueError(f"not a PEM private key ({exc})") from None

    def sign(self, data: bytes, present: list[bytes]) -> bytes:
        """The DKIM-Signature header line for the letter (relaxed canonicalization, rsa-sha256)."""
        signature: bytes = dkim.sign(
            data,
            self.selector.encode(),
            self.domain.encode(),
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=present,
        )
        return signature


@dataclass(frozen=True)
class Letterhead:
    """What every letter of an account carries: its From, Reply-To, bounce address, unsubscribe addresses
    and DKIM key."""

    sender: str  # the From header: `Shop <news@shop.example>` or a bare address
    reply_to: str | None = None
    bounce_address: str | None = None
    unsubscribe: Unsubscribe | None = None
    dkim: Dkim | None = None

    @property
    def domain(self) -> str:
        return parseaddr(self.sender)[1].rpartition("@")[2]


@dataclass(frozen=True)
class Letter:
    envelope_from: str  # MAIL FROM: where bounces go
    data: bytes
    message_id: str
    utf8: bool = False  # an address is not ASCII: the server must take SMTPUTF8


def letter(head: Letterhead, item: Outgoing, now: datetime) -> Letter:
    """The letter for one outgoing message."""
    # Only an address that is not ASCII needs SMTPUTF8; a display name or subject in Chinese is encoded.
    utf8 = not (item.to.isascii() and parseaddr(head.sender)[1].isascii())
    message = EmailMessage(policy=(policy.SMTPUTF8 if utf8 else policy.SMTP).clone(max_line_length=LINE))
    reference = message_id(item, head.domain)
    message["From"] = head.sender
    message["To"] = item.to
    message["Subject"] = item.subject or ""
    message["Date"] = format_datetime(now)
    message["Message-ID"] = reference
    if head.reply_to:
        message["Reply-To"] = head.reply_to
    for name, value in _list_headers(head, item).items():
        message[name] = value
    for name, value in item.headers.items():
        message[name] = value
    message.set_content(item.body)
    if item.html:
        message.add_alternative(with_preheader(item.html, item.payload.get("preheader")), subtype="html")
    data = message.as_bytes()
    if head.dkim:
        present = [name.encode() for name in SIGNED if name in message]
        data = head.dkim.sign(data, present) + data
    return Letter(envelope_from(head, item.message_id), data, reference, utf8)


def _list_headers(head: Letterhead, item: Outgoing) -> dict[str, str]:
    """List-Unsubscribe for anything but transactional mail (a receipt is not a list one leaves)."""
    if head.unsubscribe is None or item.purpose == "transactional":
        return {}
    return head.unsubscribe.headers(item.message_id)


def message_id(item: Outgoing, domain: str) -> str:
    """The Message-ID: the same on every attempt, naming the message, unguessable from outside."""
    digest = hashlib.sha256(item.idempotency_key.encode()).hexdigest()[:12]
    return f"<herald.{item.message_id}.{digest}@{domain}>"


def envelope_from(head: Letterhead, message: int) -> str:
    """MAIL FROM: the bounce address with the message's number (VERP), else the From address."""
    if not head.bounce_address:
        return parseaddr(head.sender)[1]
    local, _, domain = parseaddr(head.bounce_address)[1].rpartition("@")
    return f"{local}+m{message}@{domain}"


def message_of_bounce(recipient: str) -> int | None:
    """The message a bounce was addressed for (its VERP envelope), or None."""
    found = VERP.search(recipient)
    return int(found.group(1)) if found else None


def with_preheader(html: str, preheader: str | None) -> str:
    """The HTML with the preheader as the first, hidden, text of the body (what inboxes show after the
    subject)."""
    if not preheader:
        return html
    hidden = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">' + markup.escape(preheader) + "</div>"
    )
    found = BODY_TAG.search(html)
    return html[: found.end()] + hidden + html[found.end() :] if found else hidden + html
