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
        buckets,
        health_of,
        notices_of,
        record_health,
        record_notice,
        sender_bucket,
        take,
    )
    from herald.dispatch.worker import Worker

__all__ = [
    "buckets",
    "CircuitPolicy",
    "Health",
    "health_of",
    "notices_of",
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
