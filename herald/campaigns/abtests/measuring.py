"""Whether a campaign can measure its A/B test's metric: what each variant's templates can report (links
Herald can count the clicks of, coupons that name their message), checked with the test's settings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from herald import content
from herald.campaigns.abtests import experiment
from herald.campaigns.planning import assign
from herald.db import UnitOfWork
from herald.errors import Invalid

LINK = re.compile(r"https?://", re.IGNORECASE)


def check_test(
    uow: UnitOfWork,
    variants: Sequence[assign.Variant],
    settings: Mapping[str, Any],
    tracks_links: bool,
    rollout: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The test's settings, checked: its metric must be one every variant can measure."""
    if rollout:
        raise Invalid("a campaign has an A/B test phase or a rollout canary, not both", where="A/B test")
    measures = {v.name: _measures(uow, v) for v in variants}
    return experiment.check(settings, measures, tracks_links)


def _measures(uow: UnitOfWork, variant: assign.Variant) -> experiment.Measures:
    """What a variant's templates (any version) can report: links in SMS or e-mail, coupons."""
    links = coupons = False
    for channel, template_id in variant.templates:
        template = content.get_template(uow, template_id)
        for version in content.newest_versions(uow, template).values():
            coupons = coupons or bool(content.coupon_pools(channel, version.content))
            if channel in ("sms", "email") and version.content.get("track_links") is not False:
                links = links or any(LINK.search(t) for t in version.content.values() if isinstance(t, str))
    return experiment.Measures(variant.channels, links, coupons)
