"""Jobs one worker at a time does for everyone: a second worker's transaction is told to leave them."""

from __future__ import annotations

from herald.db import locks


def test_a_job_is_done_by_one_transaction_at_a_time(container) -> None:
    postgres = container.engine.dialect.name == "postgresql"
    with container.uow() as first:
        assert locks.claim_job(first, locks.SCORES)
        if postgres:  # SQLite's writer lock would make a second transaction wait instead
            with container.uow() as second:
                assert not locks.claim_job(second, locks.SCORES)
    with container.uow() as later:
        assert locks.claim_job(later, locks.SCORES)  # released when the first unit of work ended
