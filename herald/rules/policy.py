"""Policies: ordered, parameterized rules loaded from a preset (TOML data) with per-campaign overrides.

Overrides are `{rule: {param: value}}`; `{rule: {enabled = false}}` drops a rule and naming a rule the
preset lacks adds it with its defaults. Every parameter is checked here, once, so a broken policy is
refused before any recipient is looked at.

A table may run a rule under its own name, `[rules.florida_cap] rule = "frequency_cap"`, so one policy can
hold several caps or windows; `regions = ["US"]`, `prefixes = ["+1305"]` and `label` narrow it to some
recipients (the rule passes the others, saying it applies to `label` only).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from herald.errors import Invalid
from herald.rules.builtin import RULES, RuleType
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

SCOPE_KEYS = ("rule", "regions", "prefixes", "label")
USAGE_RULES = frozenset({"sender_capacity", "whatsapp_limits"})  # rules that read the senders' shared usage
Call = tuple[Callable[..., RuleOutcome], Mapping[str, Any]]  # what the engine calls for a rule, and its params


@dataclass(frozen=True)
class Scope:
    """Which recipients a rule speaks for: by country and by number prefix (an area code)."""

    regions: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    label: str = ""

    def covers(self, r: Recipient, channel: Channel) -> bool:
        if self.regions and (r.region or "").upper() not in self.regions:
            return False
        return not self.prefixes or r.addresses.get(channel, "").startswith(self.prefixes)


@dataclass(frozen=True)
class Jurisdiction:
    """A preset a policy follows: its rules judge the recipients in its countries, on its channels."""

    name: str
    regions: frozenset[str]
    channels: frozenset[str]


@dataclass(frozen=True)
class RuleSpec:
    rule: RuleType
    params: Mapping[str, Any]  # checked and normalized
    raw: Mapping[str, Any]  # as written, for display
    name: str = ""  # the table's name; the rule's own when empty
    scope: Scope | None = None
    follows: Jurisdiction | None = None  # the followed preset it comes from (judges its recipients alone)

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.rule.name)

    def evaluate(self, r: Recipient, intent: MessageIntent, channel: Channel, at: datetime) -> RuleOutcome:
        """The rule's outcome under this table's name, or a pass for recipients outside its scope."""
        if self.scope is not None and not self.scope.covers(r, channel):
            return RuleOutcome(self.name, channel, Verdict.PASS, f"applies to {self.scope.label} only")
        outcome: RuleOutcome = self.rule.evaluate(r, intent, channel, self.params, at)
        return outcome if self.name == outcome.rule else outcome._replace(rule=self.name)


@dataclass(frozen=True)
class Policy:
    name: str
    rules: tuple[RuleSpec, ...]
    description: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)
    calls: tuple[Call, ...] = field(init=False, repr=False, compare=False)
    # (region, channel) -> the followed presets' calls for recipients there, after the policy's own
    regional: Mapping[tuple[str, str], tuple[Call, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # What the engine calls per rule: the rule's own function where the table adds nothing to it, so a
        # decision does not pay a wrapper's call six times over.
        calls = tuple(
            (s.rule.evaluate, s.params)
            if s.scope is None and s.name == s.rule.name
            else (lambda r, intent, channel, params, at, s=s: s.evaluate(r, intent, channel, at), s.params)
            for s in self.rules
            if s.follows is None
        )
        object.__setattr__(self, "calls", calls)
        regional: dict[tuple[str, str], tuple[Call, ...]] = {}
        for s in self.rules:
            if s.follows is not None:
                call = (lambda r, intent, channel, params, at, s=s: s.evaluate(r, intent, channel, at), s.params)
                for key in ((region, ch) for region in s.follows.regions for ch in s.follows.channels):
                    regional[key] = (*regional.get(key, ()), call)
        object.__setattr__(self, "regional", regional)

    @property
    def follows(self) -> list[str]:
        """The presets whose rules it adds for the recipients they speak for."""
        return list(dict.fromkeys(s.follows.name for s in self.rules if s.follows is not None))

    @property
    def reads_usage(self) -> bool:
        """Whether a rule reads the senders' shared allowances, so usage must be loaded for it."""
        return any(s.rule.name in USAGE_RULES for s in self.rules)

    @property
    def send_lookback(self) -> timedelta:
        """How far back from the moment it judges any rule reads a recipient's past sends."""
        return max((s.rule.lookback(s.params) for s in self.rules), default=timedelta(0))

    @property
    def reads(self) -> frozenset[str]:
        """The recipient's stored facts some rule reads, beyond the contact's own row."""
        return frozenset().union(*(s.rule.reads for s in self.rules))

    def describe(self) -> list[dict[str, Any]]:
        return [
            {"rule": s.name, "summary": s.rule.summary, "params": dict(s.raw)}
            | ({"for": sorted(s.follows.regions)} if s.follows else {})
            for s in self.rules
        ]


def preset_names() -> list[str]:
    folder = resources.files("herald.rules") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def presets_for(locale: str, channel: str) -> list[str]:
    """The presets written for templates of this locale and channel: those whose `[applies]` table lists
    the locale (or "*") and the channel. A template is linted against these as well as its own."""
    return _applying("locales", locale.casefold(), channel)


def presets_for_region(region: str | None, channel: str) -> list[str]:
    """The presets that speak for recipients in this country on this channel: those whose `[applies]`
    table lists the region and the channel. Preflight names them when a campaign's policy is another."""
    return _applying("regions", (region or "").casefold(), channel)


def _applying(key: str, wanted: str, channel: str) -> list[str]:
    found = []
    for name in preset_names():
        applies = read_preset(name).get("applies", {})
        listed = {str(x).casefold() for x in applies.get(key, [])}
        if (wanted in listed or "*" in listed) and channel in applies.get("channels", []):
            found.append(name)
    return found


def read_preset(name: str) -> dict[str, Any]:
    """The preset's TOML as data; unknown names list the ones that exist."""
    path = resources.files("herald.rules") / "presets" / f"{name}.toml"
    if not name.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        raise Invalid(f"unknown preset {name!r} (available: {', '.join(preset_names())})", where="policy")
    return parse_preset(path.read_text(encoding="utf-8"), name)


def parse_preset(text: str, name: str) -> dict[str, Any]:
    """A preset's TOML text as data; a syntax error names the preset and the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(str(exc), where=f"preset {name}") from None


def load_policy(preset: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Policy:
    """Build a checked Policy from a preset and overrides. A preset that names others in `follow` adds, for
    the recipients each speaks for, that preset's rules that differ from its own (as `cn-sms.quiet_hours`;
    an override of that name changes or drops one)."""
    data = read_preset(preset)
    follow = _followed(preset, data.get("follow", []))
    rules: dict[str, dict[str, Any]] = {k: dict(v) for k, v in data.get("rules", {}).items()}
    theirs: dict[str, dict[str, dict[str, Any]]] = {
        j.name: {k: dict(v) for k, v in read_preset(j.name).get("rules", {}).items()} for j in follow
    }
    for rule_name, params in (overrides or {}).items():
        if not isinstance(params, Mapping):
            raise Invalid("expected a table of parameters", where=f"policy override {rule_name!r}")
        owner, _, own_name = rule_name.partition(".")
        if owner in theirs and own_name:
            theirs[owner].setdefault(own_name, {}).update(params)
        else:
            rules.setdefault(rule_name, {}).update(params)
    specs = own = _specs(rules)
    for j in follow:
        specs = specs + [
            replace(s, name=f"{j.name}.{s.name}", follows=j) for s in differing(own, _specs(theirs[j.name]))
        ]
    return Policy(preset, tuple(specs), data.get("description", ""), dict(overrides or {}))


def differing(base: Iterable[RuleSpec], other: Iterable[RuleSpec]) -> list[RuleSpec]:
    """The other's rules that the base lacks or holds with other parameters."""
    mine = {s.name: s.raw for s in base}
    return [s for s in other if mine.get(s.name) != s.raw]


def _specs(rules: dict[str, dict[str, Any]]) -> list[RuleSpec]:
    return [_spec(name, params) for name, params in rules.items() if params.pop("enabled", True) is not False]


def _followed(preset: str, names: object) -> list[Jurisdiction]:
    """The presets a preset follows, each speaking for countries of its own (not everyone)."""
    where = f"preset {preset} follow"
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise Invalid(f"expected a list of preset names, got {names!r}", where=where)
    found = []
    for name in names:
        applies = read_preset(name).get("applies", {})
        regions = [str(r).upper() for r in applies.get("regions", [])]
        if not regions or "*" in regions or name == preset:
            raise Invalid(f"{name!r} speaks for no country of its own ([applies] regions)", where=where)
        found.append(Jurisdiction(name, frozenset(regions), frozenset(applies.get("channels", []))))
    return found


def _spec(name: str, params: dict[str, Any]) -> RuleSpec:
    kind = params.pop("rule", name)
    rule = RULES.get(kind)
    if rule is None:
        raise Invalid(f"unknown rule {kind!r} (known: {', '.join(RULES)})", where=f"policy [rules.{name}]")
    unknown = sorted(set(params) - set(rule.defaults) - set(SCOPE_KEYS))
    if unknown:
        known = ", ".join([*rule.defaults, *SCOPE_KEYS[1:]])
        raise Invalid(f"unknown parameter(s) {', '.join(unknown)} (known: {known})", where=f"rule {name}")
    try:
        scope = _scope(params)
        raw = {**rule.defaults, **{k: v for k, v in params.items() if k not in SCOPE_KEYS}}
        shown = {
            **raw,
            **({"rule": kind} if kind != name else {}),
            **{k: params[k] for k in SCOPE_KEYS[1:] if k in params},
        }
        return RuleSpec(rule, rule.check(raw), shown, name, scope)
    except ValueError as exc:
        raise Invalid(str(exc), where=f"rule {name}") from None


def _scope(params: Mapping[str, Any]) -> Scope | None:
    regions, prefixes = params.get("regions", []), params.get("prefixes", [])
    if not regions and not prefixes:
        return None
    for key, value in (("regions", regions), ("prefixes", prefixes)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"{key}: expected a list of strings, got {value!r}")
    if any(not p.startswith("+") or not p[1:].isdigit() for p in prefixes):
        raise ValueError(f'prefixes: expected E.164 prefixes such as "+1305", got {prefixes!r}')
    label = str(params.get("label") or ", ".join([*regions, *prefixes]))
    return Scope(frozenset(r.upper() for r in regions), tuple(prefixes), label)
