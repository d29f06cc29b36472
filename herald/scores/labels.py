"""Words for customer clusters: a cluster's typical member, compared with everyone, named the way a
marketer would say it ("recent repeat high-value buyers", "engaged non-buyers"). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """A cluster's typical member (or, for `overall`, everyone's): share who ever bought; among buyers,
    median days since the last purchase, mean purchases and mean spend; mean clicks and replies lately."""

    size: int
    buyers: float
    recency_days: float
    purchases: float
    spent: float
    engagement: float


def label(group: Profile, overall: Profile) -> str:
    """The cluster in words."""
    engaged = group.engagement >= max(1.0, overall.engagement)
    if group.buyers < 0.5:
        return ("engaged" if engaged else "quiet") + " non-buyers"
    words = [
        "recent" if group.recency_days <= overall.recency_days else "lapsed",
        "repeat" if group.purchases >= max(2.0, overall.purchases) else "one-time",
        "high-value" if group.spent >= overall.spent else "low-value",
    ]
    return ("engaged " if engaged else "") + " ".join(words) + " buyers"


def names(labels: Sequence[str]) -> list[str]:
    """A tag name per label (`cluster:recent-repeat-high-value-buyers`); a repeated label is numbered."""
    seen: dict[str, int] = {}
    out = []
    for text in labels:
        slug = "cluster:" + text.replace(" ", "-")
        seen[slug] = seen.get(slug, 0) + 1
        out.append(slug if seen[slug] == 1 else f"{slug}-{seen[slug]}")
    return out
