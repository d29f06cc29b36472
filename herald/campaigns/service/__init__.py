"""Use cases of the campaigns room; the only writer of `campaigns` and `campaign_members`. Services never
commit.

`drafts` creates, finds and clones campaigns; `lifecycle` starts, schedules, pauses, resumes and cancels
them; `scheduler` is the worker's beat that starts due runs, judges rollouts and completes campaigns."""

from herald.campaigns.service.drafts import (
    Audience,
    check_feasible,
    clone_campaign,
    create_campaign,
    get_campaign,
    move_members,
)
from herald.campaigns.service.lifecycle import (
    STARTED,
    cancel_campaign,
    pause_campaign,
    plan_campaign,
    plan_newcomers,
    resume_campaign,
    schedule_campaign,
)
from herald.campaigns.service.scheduler import tick

__all__ = [
    "STARTED",
    "Audience",
    "cancel_campaign",
    "check_feasible",
    "clone_campaign",
    "create_campaign",
    "get_campaign",
    "move_members",
    "pause_campaign",
    "plan_campaign",
    "plan_newcomers",
    "resume_campaign",
    "schedule_campaign",
    "tick",
]
