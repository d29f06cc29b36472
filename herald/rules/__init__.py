"""The rules engine: pure. Frozen facts in (`facts`), a `Decision` with its trail out (`engine.decide`).
Policies are data: presets in `presets/*.toml`, overridden per campaign (`policy`). No database, network,
web framework or clock: `now` is always an argument."""

from herald.rules.decision import Decision, Defer, RuleOutcome, Send, Skip, Verdict
from herald.rules.engine import decide
from herald.rules.facts import ConsentFact, MessageIntent, Recipient, SendFact
from herald.rules.policy import Policy, load_policy

__all__ = ["ConsentFact", "Decision", "Defer", "MessageIntent", "Policy", "Recipient", "RuleOutcome", "Send",
           "SendFact", "Skip", "Verdict", "decide", "load_policy"]
