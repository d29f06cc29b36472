"""Where mail servers' reports come in: a small SMTP listener for the bounce domain (point its MX, or a
relay's forward, at `herald inbound mail listen`), or a mailbox read now and then (`herald inbound mail
read`: one saved message, an mbox file or a Maildir folder). Either way each report is read
(`providers.read_report`) and acted on (`record_mail_report`) in a transaction of its own."""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from herald.errors import Invalid

MAX_REPORT = 10 * 1024 * 1024  # bytes: a report larger than this is not a mail server's


def saved_reports(path: Path) -> Iterator[tuple[str | None, bytes]]:
    """(the address it was delivered to, its bytes) of each message at `path`: a Maildir folder, an mbox
    file, or one saved message (.eml)."""
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise Invalid("a folder must be a Maildir (with cur/ and new/)", where=str(path))
        box: Any = mailbox.Maildir(path, factory=None, create=False)
    elif path.is_file():
        head = path.read_bytes()[:5]
        if head != b"From ":
            raw = path.read_bytes()
            yield delivered_to(raw), raw
            return
        box = mailbox.mbox(path, create=False)
    else:
        raise Invalid("no such file or folder", where=str(path))
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        yield delivered_to(raw), raw


def delivered_to(raw: bytes) -> str | None:
    """The address a saved report was delivered to (its VERP address), from the headers a mail server
    adds on delivery, else To."""
    mail = message_from_bytes(raw[:65536], policy=policy.default)
    for header in ("Delivered-To", "X-Original-To", "Envelope-To", "To"):
        if mail.get(header):
            return str(mail[header]).strip("<> ")
    return None


class Listener:
    """The SMTP listener's handler (aiosmtpd): every report taken in is acted on, for each recipient."""

    def __init__(self, act: Callable[[str | None, bytes], object]) -> None:
        self.act = act
        self.taken = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes) or len(raw) > MAX_REPORT:
            return "552 5.3.4 Message too big for a report"
        for rcpt in envelope.rcpt_tos or [None]:
            self.act(rcpt, raw)
        self.taken += 1
        return "250 2.0.0 Report taken"
