"""People who write back: a stand-in makes some of the people it delivers to reply a moment later, and
posts the reply to Herald as its vendor would — STOP, 退订, HELP, a complaint, a thank-you. Only Herald's
own messages get replies (those with a reference), never Herald's answers to a reply."""

from __future__ import annotations

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


@dataclass
class Replying:
    """Which messages get a reply: one in `every` (0: none), texts taken in turn, and each address in
    `people` with its own text."""

    every: int = 0
    texts: tuple[str, ...] = TEXTS
    people: dict[str, str] = field(default_factory=dict)
    seen: int = 0
    written: list[tuple[str, str]] = field(default_factory=list)  # (address, text) of each reply made

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
