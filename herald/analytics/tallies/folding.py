"""The worker's pass, once a minute: for each campaign sent lately, the messages that may have changed
since its last pass are folded into its tally, a thousand per transaction so that callbacks and sends
never wait long behind it. A pass reads again what changed a little before the last one began — by time
(`MARGIN`) for messages and contacts, by id (`SLACK`) for clicks and conversions — since a transaction
that stamped its change (or took its id) earlier may commit later; moving a message to the part it
already has changes nothing, so reading one twice is harmless. Once a day a pass reads every message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from herald.analytics.models import TallyMark
from herald.analytics.tallies.changes import Newest, batched, changed, every, newest
from herald.analytics.tallies.tally import Tally
from herald.campaigns import Campaign
from herald.db import UnitOfWork, locks

MARGIN = timedelta(minutes=2)
SLACK = 2_000  # clicks (and conversions) before the newest at the last pass, read again
WHOLE_EVERY = timedelta(days=1)
KEEP_FOR = timedelta(days=60)  # after a campaign finished, how long its tally is kept folded


def fold_tallies(
    make_uow: Callable[[], UnitOfWork], now: datetime, going: Callable[[], bool] = lambda: True
) -> list[str]:
    """Fold what changed into the tally of every campaign started and not long finished, while `going`
    says so (a pass cut short is taken up whole by the next): lines for the worker's log."""
    with make_uow() as uow:
        lately = or_(Campaign.finished_at.is_(None), Campaign.finished_at >= now - KEEP_FOR)
        ids = list(uow.session.scalars(select(Campaign.id).where(Campaign.started_at.is_not(None), lately)))
    lines = []
    for campaign_id in ids:
        if not going():
            break
        moved = fold(make_uow, campaign_id, now, going)
        if moved:
            lines.append(f"campaign {campaign_id}: {moved} messages folded into its figures")
    return lines


def fold(
    make_uow: Callable[[], UnitOfWork], campaign_id: int, now: datetime, going: Callable[[], bool] = lambda: True
) -> int:
    """One pass over what may have changed in the campaign since its last: how many messages moved. A pass
    stopped before its end (`going` turned false) leaves the mark where it was."""
    with make_uow() as uow:
        locks.wait_for_job(uow, locks.TALLIES)
        mark = uow.session.get(TallyMark, campaign_id) or _first(uow, campaign_id)
        upto = newest(uow.session)
        whole = mark.folded_at is None or mark.whole_at is None or now - mark.whole_at >= WHOLE_EVERY
        chunks = _every(make_uow, campaign_id) if whole else batched(_since_last(uow, campaign_id, mark, upto))
    moved = 0
    for chunk in chunks:
        if not going():
            return moved
        with make_uow() as uow:
            locks.wait_for_job(uow, locks.TALLIES)
            tally = Tally.load(uow.session, campaign_id)
            parts = tally.fold(uow.session, chunk)
            tally.write(uow.session, parts)
            moved += len(parts)
    with make_uow() as uow:
        locks.wait_for_job(uow, locks.TALLIES)
        _advance(uow.session.get(TallyMark, campaign_id), now, upto, whole)
    return moved


def _every(make_uow: Callable[[], UnitOfWork], campaign_id: int) -> Iterator[list[int]]:
    """Every message of the campaign, a chunk at a time, each chunk read when its turn comes: a million ids
    held at once would take 40 MB."""
    after = 0
    while True:
        with make_uow() as uow:
            chunk = every(uow.session, campaign_id, after)
        if not chunk:
            return
        yield chunk
        after = chunk[-1]


def _first(uow: UnitOfWork, campaign_id: int) -> TallyMark:
    mark = TallyMark(campaign_id=campaign_id, clicks_upto=0, conversions_upto=0)
    uow.session.add(mark)
    return mark


def _since_last(uow: UnitOfWork, campaign_id: int, mark: TallyMark, upto: Newest) -> list[int]:
    assert mark.folded_at is not None  # else the pass is whole
    after = Newest(max(0, mark.clicks_upto - SLACK), max(0, mark.conversions_upto - SLACK))
    return changed(uow.session, campaign_id, mark.folded_at - MARGIN, after, upto)


def _advance(mark: TallyMark | None, now: datetime, upto: Newest, whole: bool) -> None:
    """What the pass that began `now` covered (a later pass that ended first may have covered more)."""
    if mark is None:  # the campaign was removed meanwhile
        return
    if mark.folded_at is None or now >= mark.folded_at:
        mark.folded_at, mark.clicks_upto, mark.conversions_upto = now, upto.click, upto.conversion
    if whole:
        mark.whole_at = now
