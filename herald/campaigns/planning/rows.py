"""A plan's outbox rows: one per decision, with what every row of the plan shares read once, and each
distinct decision's trail stored once."""

from __future__ import annotations

import json
from datetime import datetime

from herald import outbox
from herald.campaigns.planning import assign
from herald.campaigns.planning.assign import Variant
from herald.campaigns.planning.plans import Plan, idempotency_key
from herald.db import UnitOfWork
from herald.rules import (
    Decision,
    Defer,
    RuleOutcome,
    Skip,
    Verdict,
    trail_json,
)
from herald.types import Channel, MessageStatus

HOLDOUT = (
    RuleOutcome(
        "holdout",
        Channel.SMS,
        Verdict.SKIP,
        "in the campaign's hold-out control group: kept back on purpose to measure the campaign's effect",
    ),
)


class Trails:
    """Each distinct decision's trail, serialized once and stored once (see `outbox.trail_ids`)."""

    def __init__(self, uow: UnitOfWork, write: bool) -> None:
        self.uow, self.write = uow, write
        self.texts: dict[int, tuple[Decision, str]] = {}
        self.ids: dict[str, int] = {}

    def text(self, decision: Decision) -> str:
        found = self.texts.get(id(decision))
        if found is None:
            if len(self.texts) > 5_000:
                self.texts.clear()
            # The decision is kept with its text so that its id is not reused while cached.
            found = self.texts[id(decision)] = (decision, json.dumps(trail_json(decision), ensure_ascii=False))
        return found[1]

    def ids_for(self, texts: list[str]) -> list[int | None]:
        """Trail ids for a batch's trails, storing the ones not seen before."""
        if not self.write:
            return [None] * len(texts)
        if len(self.ids) > 5_000:
            self.ids.clear()
        missing = {t for t in texts if t not in self.ids}
        if missing:
            self.ids.update(outbox.trail_ids(self.uow, missing))
        return [self.ids[t] for t in texts]


class RowMaker:
    """Outbox rows of one plan; what every row shares is read from the campaign once."""

    def __init__(self, p: Plan, now: datetime, trails: Trails) -> None:
        c = p.campaign
        self.campaign_id, self.purpose, self.run, self.now, self.trails = c.id, c.purpose, p.run, now, trails
        self.canary, self.held_as = p.canary_percent, p.held_as
        # Per variant: channel -> template, and None -> its first template (for skipped rows).
        self.templates = {v.name: {**dict(v.templates), None: v.templates[0][1]} for v in p.variants}
        self.first_template = p.variants[0].templates[0][1]

    def __call__(self, cid: int, variant: Variant | None, decision: Decision, address: str | None) -> dict:
        now = self.now
        status, held, reason, due, buckets, channel = MessageStatus.SKIPPED, None, None, now, None, None
        if isinstance(decision, Skip):
            reason = decision.reason
        else:
            status, channel = MessageStatus.QUEUED, str(decision.channel)
            due = decision.until if isinstance(decision, Defer) else decision.at
            buckets = ",".join(decision.buckets) or None
            if self.canary is not None and not assign.within(self.canary, self.campaign_id, cid, assign.CANARY):
                status, held = MessageStatus.HELD, self.held_as
        template = self.templates[variant.name][channel] if variant else self.first_template
        return {
            "idempotency_key": idempotency_key(self.campaign_id, cid, self.run),
            "campaign_id": self.campaign_id,
            "contact_id": cid,
            "template_id": template,
            "purpose": self.purpose,
            "channel": channel,
            "address": address,
            "status": status,
            "planned_action": decision.action,
            "reason": reason,
            "due_at": due,
            "trail": self.trails.text(decision),
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
            "variant": variant.name if variant else None,
            "run": self.run,
            "held": held,
            "buckets": buckets,
        }
