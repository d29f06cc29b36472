"""Campaigns room. Owns `campaigns`. Reads contacts, tags, segments, content and the outbox ledger to
gather facts in bulk (`facts`) and turns a campaign into outbox rows, one decision and trail per
recipient (`planner`); writes messages only through the outbox service."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.campaigns.abtest import choose_winner, conclude_test, testing, wait_test
    from herald.campaigns.abtests.experiment import step as test_step
    from herald.campaigns.checks.compliance import checked_presets, lint_profile, template_presets
    from herald.campaigns.checks.preflight import preflight, refuse_if_blocked
    from herald.campaigns.checks.preview import Request, preview
    from herald.campaigns.context import build_context
    from herald.campaigns.explain import describe, why_not
    from herald.campaigns.models import Campaign
    from herald.campaigns.overrides import lines_of, overrides_of
    from herald.campaigns.planning.schedule import said_trigger
    from herald.campaigns.prepared import BatchCounts, Links, Prepared
    from herald.campaigns.schemas import (
        CampaignIn,
        CampaignOut,
        Explained,
        Newcomers,
        Preflight,
        Report,
        ScheduleIn,
        Started,
        Touched,
        Why,
        campaign_out,
    )
    from herald.campaigns.sending import prepare
    from herald.campaigns.service import (
        STARTED,
        Audience,
        cancel_campaign,
        clone_campaign,
        create_campaign,
        get_campaign,
        move_members,
        pause_campaign,
        plan_campaign,
        plan_newcomers,
        resume_campaign,
        schedule_campaign,
        tick,
    )
    from herald.campaigns.service.triggers import note_triggered

__all__ = [
    "lines_of",
    "overrides_of",
    "build_context",
    "choose_winner",
    "conclude_test",
    "test_step",
    "testing",
    "wait_test",
    "Audience",
    "BatchCounts",
    "Campaign",
    "campaign_out",
    "CampaignIn",
    "CampaignOut",
    "cancel_campaign",
    "checked_presets",
    "clone_campaign",
    "create_campaign",
    "describe",
    "Explained",
    "get_campaign",
    "lint_profile",
    "move_members",
    "note_triggered",
    "said_trigger",
    "Newcomers",
    "pause_campaign",
    "plan_campaign",
    "plan_newcomers",
    "preflight",
    "Preflight",
    "Links",
    "prepare",
    "Prepared",
    "preview",
    "refuse_if_blocked",
    "Report",
    "Request",
    "resume_campaign",
    "schedule_campaign",
    "ScheduleIn",
    "Started",
    "STARTED",
    "template_presets",
    "tick",
    "Touched",
    "Why",
    "why_not",
]
__getattr__ = open_door(__name__, __file__)
