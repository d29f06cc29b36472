"""Who gets what, stable per contact: A/B/n variants by weight, the hold-out control group and the rollout
canary. Each draw is a hash of the campaign and the contact, so planning again, pausing and resuming, or
a worker re-deciding always lands a contact in the same group. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from herald.errors import Invalid

SCALE = 10_000  # draws are 0..9999: weights and shares to a hundredth of a percent
VARIANT, HOLDOUT, CANARY = 1, 2, 3
# The draw is integer arithmetic modulo the prime 2**31 - 1 in which every product stays below 2**63, so
# the set-based planner computes the very same draw in SQL on SQLite and PostgreSQL alike: an affine map
# of the contact id (a multiplier of its own per purpose), then two squarings to scatter consecutive ids.
PRIME = 2_147_483_647
CAMPAIGN = 1_812_433_253
SALTS = {
    VARIANT: (1_597_334_677, 362_436_069),
    HOLDOUT: (1_664_525_123, 1_013_904_223),
    CANARY: (2_024_337_457, 521_288_629),
}


@dataclass(frozen=True)
class Variant:
    name: str
    weight: float
    templates: tuple[tuple[str, int], ...]  # (channel, template id) in the order channels are tried

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.templates)

    def template_for(self, channel: str) -> int:
        return dict(self.templates)[channel]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "weight": self.weight, "templates": [list(t) for t in self.templates]}


def from_stored(data: Sequence[dict[str, Any]]) -> tuple[Variant, ...]:
    return tuple(Variant(d["name"], d["weight"], tuple((ch, t) for ch, t in d["templates"])) for d in data)


def draw_terms(campaign_id: int, salt: int) -> tuple[int, int, int]:
    """(multiplier of the contact id, constant, second constant) of a campaign's draws for a purpose."""
    multiplier, constant = SALTS[salt]
    return multiplier, ((campaign_id % PRIME) * CAMPAIGN + constant) % PRIME, constant


def draw(campaign_id: int, contact_id: int, salt: int) -> int:
    """A stable pseudo-random number in 0..9999 for this contact, campaign and purpose."""
    multiplier, constant, again = draw_terms(campaign_id, salt)
    z = ((contact_id % PRIME) * multiplier + constant) % PRIME
    z = (z * z + again) % PRIME
    return ((z * z + multiplier) % PRIME) % SCALE


def check_variants(variants: Sequence[Variant]) -> None:
    """Names unique, weights positive and adding up to 100, every variant with a template."""
    if not variants:
        raise Invalid("a campaign needs at least one variant", where="variants")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise Invalid(f"variant names must differ, got {', '.join(names)}", where="variants")
    for v in variants:
        if not v.name or len(v.name) > 16 or not v.name.replace("-", "").replace("_", "").isalnum():
            raise Invalid(f"{v.name!r} is not a variant name (letters, digits, - and _, at most 16)", where="variants")
        if not v.weight > 0:
            raise Invalid(f"variant {v.name}: weight must be above 0, got {v.weight}", where="variants")
        if not v.templates:
            raise Invalid(f"variant {v.name} has no template", where="variants")
    total = sum(v.weight for v in variants)
    if abs(total - 100) > 1e-6:
        raise Invalid(f"variant weights add up to {total:g}, not 100", where="variants")


def pick(variants: Sequence[Variant], campaign_id: int, contact_id: int) -> Variant:
    """The contact's variant: cumulative weights over one draw."""
    point, edge = draw(campaign_id, contact_id, VARIANT), 0.0
    for v in variants:
        edge += v.weight * SCALE / 100
        if point < edge:
            return v
    return variants[-1]  # rounding at the top edge


def within(share_percent: float, campaign_id: int, contact_id: int, salt: int) -> bool:
    """Whether the contact falls in a share (the hold-out, the canary) of the audience."""
    return draw(campaign_id, contact_id, salt) < share_percent * SCALE / 100


def percent(value: float, where: str, low: float = 0.0, high: float = 100.0) -> float:
    if not low <= value <= high:
        raise Invalid(f"expected a percentage from {low:g} to {high:g}, got {value:g}", where=where)
    return value
