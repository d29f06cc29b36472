"""Analytics room: the read side. Owns no table; reads campaigns and the outbox ledger to report what
was planned, sent, deferred and skipped, and why."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.analytics.cli import quality_command
    from herald.analytics.queries import campaign_report

__all__ = ["campaign_report", "quality_command"]
__getattr__ = open_door(__name__, __file__)
