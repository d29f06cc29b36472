"""The audience's jurisdictions: which presets speak for the recipients a campaign would reach, by their
numbers' countries and the channel, when the campaign's policy is another. Preflight names each with the
recipients it covers, the rules in which it differs from the campaign's policy (none where the policy
follows it), and what the campaign's templates break under its lint — so a marketer sending under
`default` learns, before starting, that 40 of the recipients are in mainland China and the text lacks its
【signature】."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from herald import content
from herald.campaigns.models import Campaign
from herald.campaigns.planning import runs
from herald.content import Finding, Profile, Template, TemplateVersion, lint_content
from herald.db import UnitOfWork
from herald.rules import Policy, differing, load_policy, presets_for_region

ProfileFor = Callable[[list[str]], Profile]  # the lint profile of these presets


def audience_jurisdictions(
    uow: UnitOfWork, campaign: Campaign, reached: Counter, profile: Profile, profile_for: ProfileFor
) -> list[dict[str, Any]]:
    """Each preset, other than the campaign's, that speaks for some of the recipients it would reach
    (`reached`: messages by channel and region), with what sending under the campaign's policy misses."""
    covered = _covered(campaign.preset, reached)
    policy = runs.policy_of(campaign)
    templates = runs.templates_of(uow, campaign).values()
    found = []
    for (preset, channel), regions in sorted(covered.items()):
        own = [t for t in templates if t.channel == channel]
        followed = preset in policy.follows  # its rules judge them already: only its lint is news
        found.append(
            {
                "preset": preset,
                "channel": channel,
                "recipients": sum(regions.values()),
                "regions": dict(regions.most_common()),
                "followed": followed,
                "rules": [] if followed else differing_rules(policy, load_policy(preset)),
                "findings": _findings(uow, own, profile, profile_for([preset])),
                "segment": None if followed else _segment(campaign, preset, channel, regions),
            }
        )
    return found


def _segment(campaign: Campaign, preset: str, channel: str, regions: Counter) -> str | None:
    """The audience of a campaign of their own under that preset: this one's segment narrowed to the
    preset's countries (none for a static list)."""
    if campaign.static_list:
        return None
    if preset in presets_for_region(None, channel):  # it speaks for everyone on the channel
        return campaign.segment
    return f"({campaign.segment}) and ({' or '.join(f'region:{r}' for r in sorted(regions))})"


def _covered(own: str, reached: Counter) -> dict[tuple[str, str], Counter]:
    covered: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for (channel, region), n in reached.items():
        for preset in presets_for_region(region, channel):
            if preset != own:
                covered[(preset, channel)][region or "?"] += n
    return covered


def differing_rules(policy: Policy, other: Policy) -> list[str]:
    """The other policy's rules that this one lacks or holds with other parameters."""
    return [s.name for s in differing(policy.rules, other.rules)]


def _findings(
    uow: UnitOfWork, templates: Iterable[Template], profile: Profile, theirs: Profile
) -> list[dict[str, Any]]:
    """What the templates' approved versions break under the other preset's lint and not under the
    campaign's own (that lint is shown already)."""
    found = []
    for template in templates:
        for version in content.approved_versions(uow, template.id).values():
            already = set(_lint(template, version, profile))
            found += [
                {"template": template.name, "version": f"{version.locale}/{version.variant} v{version.version}"}
                | f.as_dict()
                for f in _lint(template, version, theirs)
                if f not in already
            ]
    return found


def _lint(template: Template, version: TemplateVersion, profile: Profile) -> list[Finding]:
    return lint_content(template.channel, template.purpose, version.content, profile)
