"""Reports mail servers send back, read: delivery status notifications (RFC 3464: a hard or soft bounce,
with the enhanced status code of RFC 3463) and abuse reports (RFC 5965, ARF: a person pressed "this is
spam"). Pure: the report's bytes in, what it says out; a message that is neither is `unknown`.

Which message a report is about comes from the address it was sent to (VERP: `bounces+m42@…`, see
`letters`) or, for an abuse report, from the original's Message-ID (`<herald.42.DIGEST@…>`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message

HERALD_ID = re.compile(r"<herald\.(\d{1,18})\.([0-9a-f]{12})@")
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# Codes that say the address itself is bad: no such mailbox or domain, a bad address. Other permanent
# failures (a full mailbox, a policy refusal, spam filtering) may pass: they count toward the limit.
INVALID_ADDRESS = {"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.4.4"}


@dataclass(frozen=True)
class MailReport:
    """What one report says of one recipient."""

    kind: str  # hard | soft | complaint | delivered | unknown
    recipient: str | None = None
    status: str | None = None  # the enhanced status code, 5.1.1
    detail: str | None = None  # the remote server's words, or the feedback type
    message_id: int | None = None  # Herald's message, from the original's Message-ID
    digest: str | None = None  # that Message-ID's check, to be matched against the message

    @property
    def invalid_address(self) -> bool:
        """Whether the report says the address itself does not exist (rather than a passing refusal)."""
        return self.kind == "hard" and self.status in INVALID_ADDRESS


def read_report(raw: bytes) -> list[MailReport]:
    """What a report says, one entry per recipient it names."""
    mail = message_from_bytes(raw, policy=policy.default)
    kind = mail.get_content_type()
    report = str(mail.get_param("report-type") or "").lower() if kind == "multipart/report" else ""
    original = _original(mail)
    if report == "feedback-report":
        return [_complaint(mail, original)]
    if report == "delivery-status":
        return _delivery(mail, original)
    return [MailReport("unknown", None, None, str(mail.get("Subject") or "")[:200], *original)]


def _parts(mail: Message) -> list[Message]:
    return list(mail.walk())


Original = tuple[int | None, str | None]  # Herald's message id, and its Message-ID's check


def _original(mail: Message) -> Original:
    """Herald's message the report is about, from the original's Message-ID where it is enclosed."""
    for part in _parts(mail):
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            found = HERALD_ID.search(_text(part))
            if found:
                return int(found.group(1)), found.group(2)
    return None, None


def _text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # message/rfc822: the enclosed message
        return "\n".join(str(p) for p in payload)
    return str(payload)


def _fields(part: Message) -> list[dict[str, str]]:
    """A delivery-status part's groups of fields (the message's, then one per recipient), names lowered."""
    groups: list[dict[str, str]] = []
    payload = part.get_payload()
    blocks = [str(p) for p in payload] if isinstance(payload, list) else re.split(r"\n\s*\n", str(payload))
    for block in blocks:
        fields: dict[str, str] = {}
        for line in re.sub(r"\n[ \t]+", " ", block.replace("\r\n", "\n")).split("\n"):
            name, colon, value = line.partition(":")
            if colon and name.strip():
                fields[name.strip().lower()] = value.strip()
        if fields:
            groups.append(fields)
    return groups


def _delivery(mail: Message, original: Original) -> list[MailReport]:
    status_part = next((p for p in _parts(mail) if p.get_content_type() == "message/delivery-status"), None)
    groups = _fields(status_part) if status_part is not None else []
    found = [_recipient(g, original) for g in groups if "final-recipient" in g or "original-recipient" in g]
    return found or [MailReport("unknown", None, None, "a delivery report that names no recipient", *original)]


def _recipient(fields: dict[str, str], original: Original) -> MailReport:
    address = (fields.get("final-recipient") or fields.get("original-recipient") or "").partition(";")[2].strip()
    code = STATUS.search(fields.get("status", ""))
    status = ".".join(code.groups()) if code else None
    action = fields.get("action", "").lower()
    detail = (fields.get("diagnostic-code") or "").partition(";")[2].strip() or fields.get("diagnostic-code")
    if action == "delivered" or (status or "").startswith("2."):
        kind = "delivered"
    elif action == "failed" or (status or "").startswith("5."):
        kind = "hard"
    elif action in ("delayed", "relayed", "expanded") or (status or "").startswith("4."):
        kind = "soft"
    else:
        kind = "unknown"
    return MailReport(kind, address.lower() or None, status, detail[:500] if detail else None, *original)


def _complaint(mail: Message, original: Original) -> MailReport:
    part = next((p for p in _parts(mail) if p.get_content_type() == "message/feedback-report"), None)
    fields = {k: v for g in _fields(part) for k, v in g.items()} if part is not None else {}
    address = fields.get("original-rcpt-to") or fields.get("removal-recipient") or ""
    feedback = fields.get("feedback-type", "abuse").lower()
    kind = "complaint" if feedback in ("abuse", "fraud", "other", "virus") else "unknown"
    return MailReport(kind, address.strip("<> ").lower() or None, None, feedback, *original)
