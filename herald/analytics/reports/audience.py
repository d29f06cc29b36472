"""What the audience looks like, for the dashboard: tags, lifecycle stages, the RFM grid, regions and
carriers. Reads only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald.analytics.reports.quality import top_values
from herald.contacts import Contact
from herald.scores import STAGES, ContactScore
from herald.tags import ContactTag, Tag, TagCategory


def audience_report(session: Session, now: datetime) -> dict[str, Any]:
    live = Contact.erased_at.is_(None)
    stages = dict(session.execute(select(ContactScore.stage, func.count()).group_by(ContactScore.stage)).all())
    grid = session.execute(
        select(ContactScore.r, ContactScore.f, func.count())
        .where(ContactScore.r.is_not(None))
        .group_by(ContactScore.r, ContactScore.f)
    ).all()
    carrying = (ContactTag.tag_id == Tag.id) & ((ContactTag.expires_at.is_(None)) | (ContactTag.expires_at > now))
    tags = session.execute(
        select(Tag.name, TagCategory.name, func.count(ContactTag.contact_id))
        .outerjoin(TagCategory, TagCategory.id == Tag.category_id)
        .outerjoin(ContactTag, carrying)
        .group_by(Tag.name, TagCategory.name)
        .order_by(func.count(ContactTag.contact_id).desc(), Tag.name)
    ).all()
    return {
        "contacts": session.scalar(select(func.count()).select_from(Contact).where(live)) or 0,
        "tags": [{"tag": t, "category": c, "contacts": n} for t, c, n in tags],
        "lifecycle": {s: stages.get(s, 0) for s in STAGES},
        "scored_at": session.scalar(select(func.max(ContactScore.computed_at))),
        "rfm_grid": [{"r": r, "f": f, "contacts": n} for r, f, n in sorted(grid)],
        "by_region": top_values(session, Contact.region, live),
        "by_carrier": top_values(session, Contact.carrier, live, Contact.phone.is_not(None)),
    }
