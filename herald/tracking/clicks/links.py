"""Short links and opens. When a message is prepared, each link in an SMS or a mail becomes a short link
of its own (`public_url/l/CODE`, one code per message and link, random and never sequential) and a
marketing mail gets a pixel (`public_url/o/CODE.gif`). Following one records the click — person or
machine, device and system — and leads on; a person's click or open is also an event of the contact
(`message.clicked`, `message.opened`), so segments and tags read them."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, insert, select

from herald.content import Composed
from herald.db import UnitOfWork, insert_new
from herald.events import EventIn, record_events
from herald.outbox import Message
from herald.tracking.clicks.agents import Agent, read_agent, read_open
from herald.tracking.models import Click, Link, Open
from herald.tracking.reactions import after_events

ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8  # 62^8 ≈ 2×10^14 codes: guessing one that exists is hopeless
PIXEL = -1  # the position of a mail's open pixel among its links
# A link in text ends at a space, a quote or bracket, or Chinese punctuation; a full stop or comma right
# after it belongs to the sentence.
URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+")
TRAILING = ".,;:!?)]'\""
HREF = re.compile(r"""(href\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)


def new_code() -> str:
    """A random short code (the operating system's randomness)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


class Shortener:
    """Rewrites the links of prepared messages to short links on Herald's own address."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def shorten(self, uow: UnitOfWork, message_id: int, channel: str, composed: Composed, now: datetime) -> Composed:
        """The message with its links made short (and, for a mail with HTML, its open pixel)."""
        if channel not in ("sms", "email"):
            return composed  # a WhatsApp template's text is Meta's, as approved
        codes: dict[str, str] = {}

        def short(url: str) -> str:
            if url.startswith(self.base):  # Herald's own pages (unsubscribing) stay as they are
                return url
            if url not in codes:
                codes[url] = self._keep(uow, message_id, url, len(codes), now)
            return f"{self.base}/l/{codes[url]}"

        body = _in_text(composed.body, short)
        html = composed.html
        if html is not None:
            html = HREF.sub(lambda m: f"{m[1]}{m[2]}{short(m[3])}{m[2]}", html)
            code = self._keep(uow, message_id, "", PIXEL, now)
            pixel = f'<img src="{self.base}/o/{code}.gif" width="1" height="1" alt="">'
            html = html.replace("</body>", pixel + "</body>") if "</body>" in html else html + pixel
        return replace(composed, body=body, html=html)

    def _keep(self, uow: UnitOfWork, message_id: int, url: str, position: int, now: datetime) -> str:
        while True:  # a code drawn twice (never, in practice) is drawn again
            code = new_code()
            values = {"code": code, "message_id": message_id, "url": url, "position": position, "created_at": now}
            if insert_new(uow.session, Link, values, ["code"]) is not None:
                return code


def _in_text(text: str, short: Callable[[str], str]) -> str:
    def swap(match: re.Match[str]) -> str:
        url = match[0]
        kept = url.rstrip(TRAILING)
        return short(kept) + url[len(kept) :]

    return URL.sub(swap, text)


def visitor(key: bytes, ip: str, user_agent: str) -> str:
    """Who followed a link, as a keyed digest of their address and agent (the address is not kept)."""
    return hmac.new(key, f"{ip}|{user_agent}".encode(), hashlib.sha256).hexdigest()[:32]


class Found(NamedTuple):
    """A link as a click reads it (its columns, not an object the session keeps: clicks come in floods)."""

    id: int
    code: str
    message_id: int
    url: str
    position: int


BY_CODE = (  # made once: the same question every time, asked thousands of times a second
    # When it went: the moment it was handed to the vendor (the send result is recorded a little later,
    # once the whole batch's answers are in); a scanner follows a link within seconds of that.
    select(
        Link.id,
        Link.code,
        Link.message_id,
        Link.url,
        Link.position,
        func.coalesce(Message.given_at, Message.sent_at),
        Message.contact_id,
    )
    .join(Message, Message.id == Link.message_id)
    .where(Link.code.in_(bindparam("codes", expanding=True)))
)


@dataclass(frozen=True)
class Visit:
    """A request for a short link (or a mail's pixel), as it arrived."""

    code: str
    user_agent: str
    ip: str
    method: str = "GET"
    purpose: str = ""  # the Purpose or Sec-Purpose header: a look-ahead, not a click
    pixel: bool = False


def record_visits(uow: UnitOfWork, visits: Sequence[Visit], key: bytes, now: datetime) -> list[str | None]:
    """Record each click or open; where each link leads ("" for a pixel), None for a code that does not
    exist. A person's clicks and opens become their contacts' events, all in one go."""
    found = _links(uow, {v.code for v in visits})
    clicks: list[dict[str, object]] = []
    opens: list[dict[str, object]] = []
    events: list[EventIn] = []
    leads: list[str | None] = []
    for visit in visits:
        link, sent_at, contact = found.get(visit.code, (None, None, 0))
        if link is None or (link.position == PIXEL) != visit.pixel:
            leads.append(None)
            continue
        leads.append(link.url)
        seconds = (now - sent_at).total_seconds() if sent_at is not None else None
        if visit.pixel:
            agent = read_open(visit.user_agent, visit.ip or None, seconds)
            opens.append({"message_id": link.message_id, "at": now, "human": agent.human, "why": agent.why[:255]})
            opens[-1]["device"] = agent.device
        else:
            agent = read_agent(visit.user_agent, visit.method, visit.purpose, seconds)
            who = visitor(key, visit.ip, visit.user_agent)
            clicks.append({"link_id": link.id, "message_id": link.message_id, "at": now, "human": agent.human})
            clicks[-1] |= {"why": agent.why[:255], "device": agent.device, "os": agent.os, "browser": agent.browser}
            clicks[-1]["visitor"] = who
        if agent.human:
            events.append(_event(link, contact, agent, visit.pixel, now))
    for table, rows in ((Click.__table__, clicks), (Open.__table__, opens)):
        if rows:  # plain rows into the table: nothing here needs the ORM's bookkeeping of objects
            uow.session.execute(insert(table), rows)
    if events:
        record_events(uow, events, now, source="tracking", after=after_events)
    return leads


def _event(link: Found, contact: int, agent: Agent, pixel: bool, now: datetime) -> EventIn:
    """A person's click or open as their contact's event (its own random id: each visit is one)."""
    if pixel:
        said: dict[str, object] = {"message_id": link.message_id}
        return EventIn("message.opened", now, contact, properties=said, event_id=f"open:{secrets.token_hex(12)}")
    said = {"message_id": link.message_id, "url": link.url, "device": agent.device, "os": agent.os}
    return EventIn("message.clicked", now, contact, properties=said, event_id=f"click:{secrets.token_hex(12)}")


def _links(uow: UnitOfWork, codes: set[str]) -> dict[str, tuple[Found, datetime | None, int]]:
    """The links with these codes, each with when its message went and to whom."""
    wanted = [c for c in codes if len(c) == CODE_LENGTH and c.isalnum()]
    if not wanted:
        return {}
    rows = uow.session.execute(BY_CODE, {"codes": wanted})
    return {row.code: (Found(*row[:5]), row[5], row[6]) for row in rows}
