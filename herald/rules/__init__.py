"""The rules engine: pure. Frozen facts in (`facts`), a `Decision` with its trail out (`engine.decide`).
Policies are data: presets in `presets/*.toml`, overridden per campaign (`policy`). No database, network,
web framework or clock: `now` is always an argument. The door is loaded eagerly: every module here is
pure and small."""

from herald.rules.builtin.common import zone
from herald.rules.decision import Decision, Defer, RuleOutcome, Send, Skip, Verdict, trail_json
from herald.rules.engine import decide
from herald.rules.facts import (
    DECISION_FACTS,
    STORED_FACTS,
    ConsentFact,
    DecisionFact,
    MessageIntent,
    Recipient,
    SendFact,
)
from herald.rules.memo import Decider
from herald.rules.policy import (
    Policy,
    differing,
    load_policy,
    parse_preset,
    preset_names,
    presets_for,
    presets_for_region,
    read_preset,
)
from herald.rules.usage import Usage, sender_bucket
from herald.rules.wording import explain, lines

__all__ = [
    "DECISION_FACTS",
    "STORED_FACTS",
    "DecisionFact",
    "ConsentFact",
    "Decider",
    "Decision",
    "Defer",
    "MessageIntent",
    "Policy",
    "Recipient",
    "RuleOutcome",
    "Send",
    "SendFact",
    "Skip",
    "Usage",
    "Verdict",
    "decide",
    "differing",
    "explain",
    "lines",
    "load_policy",
    "parse_preset",
    "presets_for",
    "presets_for_region",
    "preset_names",
    "read_preset",
    "sender_bucket",
    "trail_json",
    "zone",
]
