"""Dispatch room. Owns no table: it drives the outbox. A worker claims due messages in batches, has the
campaigns room prepare them (re-check the rules with fresh facts, render, mark each inflight — committed —
before the provider is called: `campaigns.sending`), sends, and records each result under its lease
token."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.dispatch.retry import RetryPolicy
    from herald.dispatch.worker import Worker

__all__ = ["RetryPolicy", "Worker"]
__getattr__ = open_door(__name__, __file__)
