"""People who write back: a stand-in makes some of the people it delivers to reply a moment later, and
posts the reply to Herald as its vendor would — STOP, 退订, HELP, a complaint, a thank-you. Only Herald's
own messages get replies (those with a reference), never Herald's answers to a reply."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# What people write, in turn: opt-outs in both languages, questions, thanks, a complaint, START.
TEXTS = (
    "STOP",
    "Thanks! See you at the sale",
    "退订",
    "HELP",
    "别再给我发短信了",
    "What time do you open?",
    "please stop texting me",
    "好的，谢谢",
    "这是骚扰，我要投诉",
    "how do I unsubscribe?",
)


SHORT = re.compile(r"https?://\S+?/l/[A-Za-z0-9]+")
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
FRIEND = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
)
PREVIEW = "WhatsApp/2.24.6.77 A"


@dataclass
class Replying:
    """Which messages get a reply: one in `every` (0: none), texts taken in turn, and each address in
    `people` with its own text."""

    every: int = 0
    clicks_every: int = 0  # one message with a link in this many has it followed
    texts: tuple[str, ...] = TEXTS
    people: dict[str, str] = field(default_factory=dict)
    seen: int = 0
    written: list[tuple[str, str]] = field(default_factory=list)  # (address, text) of each reply made
    linked: int = 0
    followed: list[tuple[str, str]] = field(default_factory=list)  # (url, user agent) of each visit made

    def reply_to(self, address: str, reference: str | None) -> str | None:
        """The reply this delivered message gets, or None. `reference` is Herald's id of the message."""
        if not reference or not reference.isdigit() or int(reference) <= 0:
            return None  # Herald's answer to a reply: nobody answers that
        text = self.people.get(address)
        if text is None and self.every:
            self.seen += 1
            text = self.texts[(self.seen // self.every - 1) % len(self.texts)] if self.seen % self.every == 0 else None
        if text is not None:
            self.written.append((address, text))
        return text

    def visits(self, body: str) -> list[tuple[str, str]]:
        """Who follows the message's first short link: now and then its person (after a chat app fetched
        a preview of it), and every third one a friend they passed it to."""
        found = SHORT.search(body) if self.clicks_every else None
        if found is None:
            return []
        self.linked += 1
        if self.linked % self.clicks_every:
            return []
        visits = [(found[0], PREVIEW), (found[0], PHONE)]
        if (self.linked // self.clicks_every) % 3 == 0:
            visits.append((found[0], FRIEND))
        self.followed.extend(visits)
        return visits
