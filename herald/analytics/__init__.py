"""Analytics room: the read side. Owns no table; reads campaigns and the outbox ledger to report what
was planned, sent, deferred and skipped, and why."""
