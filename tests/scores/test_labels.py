"""Clusters are named in words a marketer would use, and every name is a distinct tag."""

from __future__ import annotations

import pytest

from herald.scores.labels import Profile, label, names

EVERYONE = Profile(size=100, buyers=0.6, recency_days=60, purchases=2.5, spent=300, engagement=0.8)


@pytest.mark.parametrize(
    ("group", "words"),
    [
        (Profile(20, 1.0, 10, 6, 900, 0.2), "recent repeat high-value buyers"),
        (Profile(20, 0.9, 200, 1, 40, 0.0), "lapsed one-time low-value buyers"),
        (Profile(20, 1.0, 30, 1.2, 500, 3.0), "engaged recent one-time high-value buyers"),
        (Profile(20, 0.5, 60, 2.5, 300, 0.5), "recent repeat high-value buyers"),  # equal to everyone's: the upper word
        (Profile(20, 0.1, 0, 0, 0, 4.0), "engaged non-buyers"),
        (Profile(20, 0.0, 0, 0, 0, 0.0), "quiet non-buyers"),
    ],
)
def test_clusters_are_described_against_everyone(group, words) -> None:
    assert label(group, EVERYONE) == words


def test_engagement_needs_at_least_one_click_or_reply_when_few_engage() -> None:
    quiet = Profile(100, 0.0, 0, 0, 0, 0.1)
    assert label(Profile(10, 0.0, 0, 0, 0, 0.5), quiet) == "quiet non-buyers"


def test_tag_names_are_unique() -> None:
    assert names(["quiet non-buyers", "recent repeat high-value buyers", "quiet non-buyers"]) == [
        "cluster:quiet-non-buyers",
        "cluster:recent-repeat-high-value-buyers",
        "cluster:quiet-non-buyers-2",
    ]
