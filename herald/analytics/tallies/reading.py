"""A campaign's figures read from its tally: the groups as last folded, with the messages changed since
that pass began moved in memory — as of now, at the cost of the few thousand groups and of what changed
(a change committed after the pass began but stamped before it shows once the next pass has read it, a
minute later). Until the first pass has finished, or when more changed since than is worth moving (the
worker fell behind), the figures are grouped from the ledger instead (None here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from herald.analytics.models import TallyMark
from herald.analytics.tallies.changes import Newest, batched, changed, newest
from herald.analytics.tallies.tally import Tally

LEAST = 20_000  # changed messages always moved in memory; beyond this, at most a tenth of the campaign


def read(session: Session, campaign_id: int) -> list[dict[str, Any]] | None:
    """The campaign's groups as results roll them up, or None where it keeps no tally to read."""
    mark = session.get(TallyMark, campaign_id)
    if mark is None or mark.folded_at is None:
        return None
    since, after = mark.folded_at, Newest(mark.clicks_upto, mark.conversions_upto)
    ids = changed(session, campaign_id, since, after, newest(session))
    tally = Tally.load(session, campaign_id)
    if len(ids) > max(LEAST, tally.messages // 10):
        return None
    for chunk in batched(ids):
        tally.fold(session, chunk)
    return tally.views()
