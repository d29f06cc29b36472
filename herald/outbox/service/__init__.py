"""Use cases of the outbox; the only writer of `messages`. Services never commit.

`queue` puts messages in the queue and takes a campaign's or a contact's out of it; `leases` is the
worker's side — claiming under a lease, giving to a provider, handing back, and what crashed or was stopped
mid-send; `outcomes` records what became of each claimed message, fenced by its token; `receipts` moves a
sent message forward as its vendor reports delivery."""

from herald.outbox.service.leases import (
    Claimed,
    claim_batch,
    give,
    hand_back,
    mark_inflight,
    mark_stopped,
    reconcile_expired,
    stop_in_flight,
)
from herald.outbox.service.outcomes import (
    RESOLUTIONS,
    fall_back,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_skipped,
    mark_unknown,
    not_sent,
    resolve_unknown,
)
from herald.outbox.service.queue import (
    ROW_BASE,
    ROW_COLUMNS,
    cancel,
    enqueue,
    enqueue_select,
    forget_contact,
    hold,
    move_contact,
    release,
    release_as,
    trail_ids,
)
from herald.outbox.service.receipts import STAGES, Applied, Receipt, apply_receipt, apply_receipts

__all__ = [
    "RESOLUTIONS",
    "ROW_BASE",
    "ROW_COLUMNS",
    "STAGES",
    "Applied",
    "Claimed",
    "Receipt",
    "apply_receipt",
    "apply_receipts",
    "cancel",
    "claim_batch",
    "enqueue",
    "enqueue_select",
    "fall_back",
    "give",
    "forget_contact",
    "hand_back",
    "hold",
    "mark_failed",
    "mark_inflight",
    "mark_retry",
    "mark_sent",
    "mark_skipped",
    "mark_stopped",
    "mark_unknown",
    "move_contact",
    "not_sent",
    "reconcile_expired",
    "release",
    "release_as",
    "resolve_unknown",
    "stop_in_flight",
    "trail_ids",
]
