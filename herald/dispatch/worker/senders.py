"""Which sender each message goes from, for the worker: the accounts' senders (herald.toml), each contact's
sticky sender and the senders that used up today's limit (the database), and the pure choice
(`providers.senders`). Loaded once the batch's contacts are locked, so two workers never choose
differently for one contact; new choices are kept in the same transaction as the messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from herald.db import UnitOfWork
from herald.dispatch import service
from herald.providers import Sender, SenderChoice


class StickySenders:
    def __init__(self, senders: Mapping[str, tuple[Sender, ...]]) -> None:
        self.senders = senders  # account -> its senders, its own first (accounts that list senders only)
        self.choice = SenderChoice(senders)

    def load(self, uow: UnitOfWork, contacts: Sequence[int], now: datetime) -> None:
        """Read these contacts' sticky senders, and which senders have no room left today."""
        keys = {
            service.sender_bucket(account, s.name): (account, s)
            for account, senders in self.senders.items()
            for s in senders
            if s.daily_limit is not None
        }
        used = service.used_today(uow.session, keys, now)
        full = frozenset((a, s.name) for key, (a, s) in keys.items() if used.get(key, 0) >= (s.daily_limit or 0))
        self.choice = SenderChoice(self.senders, service.sticky_of(uow.session, contacts, self.senders), full)

    def pick(self, account: str, contact: int, region: str | None, pool: str | None) -> Sender | None:
        return self.choice.pick(account, contact, region, pool)

    def keep(self, uow: UnitOfWork, now: datetime) -> None:
        """Record the sticky senders chosen in this batch."""
        service.keep_sticky(uow, self.choice.chosen, now)
