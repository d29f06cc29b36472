"""Dispatch room. Owns no table: it drives the outbox. A worker claims due messages in batches, has the
campaigns room prepare them (re-check the rules with fresh facts, render, mark each inflight — committed —
before the provider is called: `campaigns.sending`), sends, and records each result under its lease
token."""
