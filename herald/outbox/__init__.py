"""Outbox room. Owns `messages`: one row per (campaign or journey step, contact), queue and ledger at once.
A row is written, under a unique idempotency key, before any provider is called; every later change is
an UPDATE fenced by the lease token of the worker that claimed it."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.outbox.models import Message
    from herald.outbox.queries import (
        addresses_taken,
        breakdown,
        bucket_use,
        failure_rates,
        for_campaign_contact,
        keys_taken,
        leased,
        pending,
        recent_sends,
        rejections,
        sample_trails,
        sends_since,
        settled_counts,
        units_sent,
        unknown_messages,
    )
    from herald.outbox.service import (
        RESOLUTIONS,
        ROW_COLUMNS,
        Claimed,
        cancel,
        claim_batch,
        enqueue,
        enqueue_select,
        forget_contact,
        hand_back,
        hold,
        mark_failed,
        mark_inflight,
        mark_retry,
        mark_sent,
        mark_skipped,
        mark_stopped,
        mark_unknown,
        move_contact,
        reconcile_expired,
        release,
        resolve_unknown,
        trail_ids,
    )

__all__ = [
    "addresses_taken",
    "breakdown",
    "bucket_use",
    "cancel",
    "claim_batch",
    "Claimed",
    "enqueue",
    "enqueue_select",
    "failure_rates",
    "for_campaign_contact",
    "forget_contact",
    "hand_back",
    "hold",
    "keys_taken",
    "leased",
    "mark_failed",
    "mark_inflight",
    "mark_retry",
    "mark_sent",
    "mark_skipped",
    "mark_stopped",
    "mark_unknown",
    "Message",
    "move_contact",
    "pending",
    "recent_sends",
    "reconcile_expired",
    "rejections",
    "release",
    "RESOLUTIONS",
    "resolve_unknown",
    "ROW_COLUMNS",
    "sample_trails",
    "sends_since",
    "settled_counts",
    "trail_ids",
    "units_sent",
    "unknown_messages",
]
__getattr__ = open_door(__name__, __file__)
