"""Tracking room. Owns `receipts`: what vendors report after they took a message, kept once per vendor
event and applied through the outbox (a message moves forward; an `unknown` one is settled). Webhook
routes are thin: the raw body is verified by the account's adapter, parsed, and handed here. Also the
unsubscribe link of marketing mail: e-mail marketing consent revoked, with the request as its proof."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.tracking.models import ReceiptRecord
    from herald.tracking.optouts import unsubscribe
    from herald.tracking.service import apply_waiting, record_receipts

__all__ = ["apply_waiting", "ReceiptRecord", "record_receipts", "unsubscribe"]
__getattr__ = open_door(__name__, __file__)
