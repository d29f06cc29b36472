"""decide() with a memory, for planning large audiences. Most recipients of a campaign share their facts
(the same zone, consent taken on the same import day, nothing sent lately); only who they are differs,
and no rule reads that. Recipients whose facts match get the same Decision object, so the planner can
also serialize each distinct trail once.

What a rule may read of an address is bounded: the country code (WhatsApp's +1 rule) or a scope's
prefix; the whole address only appears in a trail when it is suppressed, and then it is in the key.
Rules that read the senders' usage change their answer as the plan fills it, so with usage present
the memory is not used for policies that hold them."""

from __future__ import annotations

from datetime import datetime

from herald.rules.decision import Decision
from herald.rules.engine import decide
from herald.rules.facts import MessageIntent, Recipient
from herald.rules.policy import Policy

USAGE_RULES = frozenset({"sender_capacity", "whatsapp_limits"})
LIMIT = 5_000


class Decider:
    def __init__(self, policy: Policy, limit: int = LIMIT) -> None:
        self.policy, self.limit = policy, limit
        self.prefix = max([2, *(len(p) for s in policy.rules if s.scope for p in s.scope.prefixes)])
        self.reads_usage = any(s.rule.name in USAGE_RULES for s in policy.rules)
        self.memory: dict[tuple, Decision] = {}
        self.hits = self.misses = 0

    def __call__(self, r: Recipient, intent: MessageIntent, now: datetime) -> Decision:
        if self.reads_usage and intent.usage is not None:
            self.misses += 1
            return decide(r, intent, self.policy, now)
        key = (intent, now, *self._facts(r, intent))
        found = self.memory.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        if len(self.memory) >= self.limit:
            self.memory.clear()
        decision = self.memory[key] = decide(r, intent, self.policy, now)
        return decision

    def _facts(self, r: Recipient, intent: MessageIntent) -> tuple:
        found = [r.addresses.get(c) for c in intent.channels]
        suppressed = tuple(sorted(r.suppressions.items())) if r.suppressions else ()
        addresses = tuple(found) if suppressed else tuple(a and a[:self.prefix] for a in found)
        inbound = tuple(sorted(r.last_inbound.items())) if r.last_inbound else ()
        return (addresses, r.timezones, r.region, r.line_type, r.consents, suppressed, r.lifecycle, r.sends, inbound,
                r.allow_listed)
