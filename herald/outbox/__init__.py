"""Outbox room. Owns `messages`: one row per (campaign or journey step, contact), queue and ledger at once.
A row is written, under a unique idempotency key, before any provider is called; every later change is
an UPDATE fenced by the lease token of the worker that claimed it."""
