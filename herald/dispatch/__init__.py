"""Dispatch room. Owns `provider_health` (each account's circuit), `pacing_buckets` (each account's and
sender's rate and daily use), both shared by every worker, and `sticky_senders`; and drives the outbox. A
worker claims due messages in batches, has the campaigns room prepare them (re-check the rules with fresh
facts, render, mark each inflight — committed — before the provider is called: `campaigns.sending`),
sends, and records each result under its lease token."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.dispatch.circuit import CircuitPolicy, Health
    from herald.dispatch.pacing import Bucket as PacingBucket
    from herald.dispatch.pacing import Limits as PacingLimits
    from herald.dispatch.retry import RetryPolicy
    from herald.dispatch.service import (
        UNTIL_RESUMED,
        buckets,
        health_of,
        notice_events,
        notices_of,
        pause_account,
        record_health,
        record_notice,
        resume_account,
        sender_bucket,
        take,
    )
    from herald.dispatch.worker.loop import Worker

__all__ = [
    "buckets",
    "CircuitPolicy",
    "Health",
    "health_of",
    "notice_events",
    "UNTIL_RESUMED",
    "notices_of",
    "pause_account",
    "resume_account",
    "PacingBucket",
    "PacingLimits",
    "record_health",
    "record_notice",
    "RetryPolicy",
    "sender_bucket",
    "take",
    "Worker",
]
__getattr__ = open_door(__name__, __file__)
