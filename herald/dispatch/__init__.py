"""Dispatch room. Owns no table: it drives the outbox. A worker claims due messages in batches,
re-checks the rules with fresh facts, renders, marks each message inflight (committed) before the
provider is called, sends, and records each result under its lease token."""
