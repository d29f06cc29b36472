"""decide() with a memory, for planning large audiences. Most recipients of a campaign share their facts
(the same zone, consent taken on the same import day, nothing sent lately); only who they are differs,
and no rule reads that. Recipients whose facts match get the same Decision object, so the planner can
also serialize each distinct trail once.

What a rule may read of an address is bounded: the country code (WhatsApp's +1 rule) or a scope's
prefix; no trail names the address (trails are shared, and stored once for all who share them).
Rules that read the senders' usage change their answer as the plan fills it, so with usage present
the memory is not used for policies that hold them; nor for recipients with recent sends, whose
facts rarely recur."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from typing import Any

from herald.rules.decision import Decision
from herald.rules.engine import decide
from herald.rules.facts import DECISION_FACTS, MessageIntent, Recipient
from herald.rules.policy import Policy
from herald.types import Channel

LIMIT = 5_000
FactKey = tuple[tuple[str | None, ...], tuple[Any, ...], tuple[tuple[Any, ...], ...]]
# Read of every recipient, so each kind of fact is fetched with one C-level getter, not a loop.
_ADDRESSES = attrgetter(next(f.field for f in DECISION_FACTS if f.kind == "address"))  # there is one
_VALUES = attrgetter(*(f.field for f in DECISION_FACTS if f.kind == "value"))
_MAPPINGS = attrgetter(*(f.field for f in DECISION_FACTS if f.kind == "mapping"))
_NO_MAPPINGS = ((),) * sum(f.kind == "mapping" for f in DECISION_FACTS)  # most recipients' (all empty)


class Decider:
    def __init__(self, policy: Policy, limit: int = LIMIT) -> None:
        self.policy, self.limit = policy, limit
        self.prefix = max([2, *(len(p) for s in policy.rules if s.scope for p in s.scope.prefixes)])
        self.reads_usage = policy.reads_usage
        self.memory: dict[
            tuple[MessageIntent, datetime], dict[FactKey, Decision]
        ] = {}  # per (intent, moment): facts -> decision
        self.size = self.hits = self.misses = 0
        self._scope: tuple[MessageIntent, datetime, dict[FactKey, Decision]] | None = None

    def __call__(self, r: Recipient, intent: MessageIntent, now: datetime) -> Decision:
        if r.sends or (self.reads_usage and intent.usage is not None):
            # Recent sends make a recipient's facts nearly unique: remembering them would only push out
            # the fact sets that recur.
            self.misses += 1
            return decide(r, intent, self.policy, now)
        memory = self._memory_for(intent, now)
        key = self._facts(r, intent.channels)
        found = memory.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        if self.size >= self.limit:
            self.memory.clear()
            self._scope, self.size = None, 0
            memory = self._memory_for(intent, now)
        self.size += 1
        decision = memory[key] = decide(r, intent, self.policy, now)
        return decision

    def _memory_for(self, intent: MessageIntent, now: datetime) -> dict[FactKey, Decision]:
        """The memory for this intent and moment; the last one is kept at hand (a planner asks the same
        question of a whole batch), so the intent is hashed once per batch, not per recipient."""
        scope = self._scope
        if scope is not None and scope[0] is intent and scope[1] == now:
            return scope[2]
        memory = self.memory.setdefault((intent, now), {})
        self._scope = (intent, now, memory)
        return memory

    def _facts(self, r: Recipient, channels: tuple[Channel, ...]) -> FactKey:
        """The recipient's decision facts (`rules.facts.DECISION_FACTS`) as a key: an address by its
        prefix alone, a mapping by its sorted items, every other fact as it is."""
        # Lists turned into tuples, not generators: this runs for every recipient of a plan.
        addresses = tuple([a and a[: self.prefix] for a in map(_ADDRESSES(r).get, channels)])
        found = _MAPPINGS(r)
        mappings = tuple([tuple(sorted(m.items())) if m else () for m in found]) if any(found) else _NO_MAPPINGS
        return addresses, _VALUES(r), mappings
