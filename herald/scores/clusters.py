"""Customer clusters: k-means over RFM and engagement, each cluster a computed tag named in words.

Features are scaled so no unit dominates: days since the last purchase, and the logarithms of purchases,
spend and recent clicks and replies (a few big spenders would otherwise make every other customer one
cluster). Each run replaces the previous run's tags in the `clusters` category."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from herald import tags
from herald.contacts import Contact
from herald.db import UnitOfWork
from herald.errors import Invalid
from herald.events import Event
from herald.scores.labels import Profile, label, names
from herald.scores.models import ContactScore
from herald.tags import Tag, TagCategory

CATEGORY = "clusters"
ENGAGEMENT = ("message.clicked", "message.replied")
ENGAGEMENT_DAYS = 90


def cluster(uow: UnitOfWork, now: datetime, k: int = 4, seed: int = 0) -> list[dict[str, Any]]:
    """Group scored contacts into k clusters and tag each; returns each cluster's tag, words, size and
    profile. Run `compute` first: clusters read the stored scores."""
    import numpy as np
    from sklearn.cluster import KMeans

    if not 2 <= k <= 12:
        raise Invalid(f"expected 2 to 12 clusters, got {k}", where="k")
    ids, raw = _features(uow, now)
    if len(ids) < k:
        raise Invalid(
            f"{len(ids)} scored contacts cannot make {k} clusters; run `herald scores compute` first", where="clusters"
        )
    scaled = _scaled(np, raw)
    k = min(k, len(np.unique(scaled, axis=0)))
    found = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(scaled)
    overall = _profile(np, raw)
    groups = sorted(range(k), key=lambda g: -int((found == g).sum()))
    words = [label(_profile(np, raw[found == g]), overall) for g in groups]
    _forget_previous(uow)
    category = _category(uow, now)
    result = []
    for g, text, name in zip(groups, words, names(words), strict=True):
        members = ids[found == g]
        profile = _profile(np, raw[found == g])
        tag = tags.create_tag(uow, name, now, f"{text}: {profile.size} contacts", category=category, kind="computed")
        tags.grant_tag(uow, tag, dict.fromkeys(members.tolist()), "clusters", now)
        result.append({"tag": name, "label": text, "contacts": profile.size, "profile": profile.__dict__})
    return result


def _features(uow: UnitOfWork, now: datetime):
    import numpy as np

    engaged = dict(
        uow.session.execute(
            select(Event.contact_id, func.count())
            .where(Event.type.in_(ENGAGEMENT), Event.occurred_at >= now - timedelta(days=ENGAGEMENT_DAYS))
            .group_by(Event.contact_id)
        ).all()
    )
    rows = uow.session.execute(
        select(ContactScore.contact_id, ContactScore.last_purchase, ContactScore.purchases, ContactScore.spent)
        .join(Contact, Contact.id == ContactScore.contact_id)
        .where(Contact.erased_at.is_(None))
        .order_by(ContactScore.contact_id)
    ).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    raw = np.array(
        [
            [
                1.0 if last else 0.0,
                (now - last).total_seconds() / 86400 if last else np.nan,
                float(n),
                float(spent),
                float(engaged.get(cid, 0)),
            ]
            for cid, last, n, spent in rows
        ],
        dtype=float,
    ).reshape(-1, 5)
    return ids, raw


def _scaled(np, raw):
    """Bought or not, recency (never-buyers a year past the longest), log purchases, log spend, log engagement."""
    recency = raw[:, 1].copy()
    longest = np.nanmax(recency) if np.any(~np.isnan(recency)) else 0.0
    recency[np.isnan(recency)] = longest + 365
    columns = np.column_stack([raw[:, 0], recency, np.log1p(raw[:, 2]), np.log1p(raw[:, 3]), np.log1p(raw[:, 4])])
    spread = columns.std(axis=0)
    return (columns - columns.mean(axis=0)) / np.where(spread > 0, spread, 1.0)


def _profile(np, raw) -> Profile:
    buyers = raw[raw[:, 0] > 0]
    recency, purchases, spent = 0.0, 0.0, 0.0
    if len(buyers):
        recency = float(np.median(buyers[:, 1]))
        purchases, spent = float(buyers[:, 2].mean()), float(buyers[:, 3].mean())
    return Profile(
        len(raw),
        float(raw[:, 0].mean()),
        round(recency, 1),
        round(purchases, 2),
        round(spent, 2),
        round(float(raw[:, 4].mean()), 2),
    )


def _forget_previous(uow: UnitOfWork) -> None:
    old = uow.session.scalars(
        select(Tag.name)
        .join(TagCategory, TagCategory.id == Tag.category_id)
        .where(TagCategory.name == CATEGORY, Tag.kind == "computed")
    )
    for name in list(old):
        tags.delete_tag(uow, name)


def _category(uow: UnitOfWork, now: datetime) -> str:
    if uow.session.scalar(select(TagCategory.id).where(TagCategory.name == CATEGORY)) is None:
        tags.create_category(uow, CATEGORY, now, "Customer clusters from RFM and engagement (computed)")
    return CATEGORY
