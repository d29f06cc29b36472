"""Automatic tags: owns `tag_rules` and their saved versions. Rules tag contacts from what they do
(counts of events with property conditions in a window) and from what they write (keywords in inbound
replies, Chinese and English), as events arrive and over history on request."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.autotag.cli import app
    from herald.autotag.models import TagRule
    from herald.autotag.schemas import (
        DEFINITION,
        Applied,
        Definition,
        DryRun,
        RuleDeleted,
        RuleDetail,
        RuleOut,
        SavedRule,
        VersionOut,
    )
    from herald.autotag.service import (
        backfill,
        delete_rule,
        dry_run,
        get_rule,
        history,
        list_rules,
        on_events,
        save_rule,
        set_enabled,
    )

__all__ = [
    "app",
    "Applied",
    "backfill",
    "DEFINITION",
    "Definition",
    "delete_rule",
    "dry_run",
    "DryRun",
    "get_rule",
    "history",
    "list_rules",
    "on_events",
    "RuleDeleted",
    "RuleDetail",
    "RuleOut",
    "save_rule",
    "SavedRule",
    "set_enabled",
    "TagRule",
    "VersionOut",
]
__getattr__ = open_door(__name__, __file__)
