"""Policies: ordered, parameterized rules loaded from a preset (TOML data) with per-campaign overrides.

Overrides are `{rule: {param: value}}`; `{rule: {enabled = false}}` drops a rule and naming a rule the
preset lacks adds it with its defaults. Every parameter is checked here, once, so a broken policy is
refused before any recipient is looked at.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from herald.errors import Invalid
from herald.rules.builtin import RULES, RuleType


@dataclass(frozen=True)
class RuleSpec:
    rule: RuleType
    params: Mapping[str, Any]  # checked and normalized
    raw: Mapping[str, Any]  # as written, for display

    @property
    def name(self) -> str:
        return self.rule.name


@dataclass(frozen=True)
class Policy:
    name: str
    rules: tuple[RuleSpec, ...]
    description: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> list[dict[str, Any]]:
        return [{"rule": s.name, "summary": s.rule.summary, "params": dict(s.raw)} for s in self.rules]


def preset_names() -> list[str]:
    folder = resources.files("herald.rules") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


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
    """Build a checked Policy from a preset and overrides."""
    data = read_preset(preset)
    rules: dict[str, dict[str, Any]] = {k: dict(v) for k, v in data.get("rules", {}).items()}
    for rule_name, params in (overrides or {}).items():
        if not isinstance(params, Mapping):
            raise Invalid("expected a table of parameters", where=f"policy override {rule_name!r}")
        rules.setdefault(rule_name, {}).update(params)
    specs = []
    for rule_name, params in rules.items():
        if params.pop("enabled", True) is False:
            continue
        specs.append(_spec(rule_name, params))
    return Policy(preset, tuple(specs), data.get("description", ""), dict(overrides or {}))


def _spec(rule_name: str, params: dict[str, Any]) -> RuleSpec:
    rule = RULES.get(rule_name)
    if rule is None:
        raise Invalid(f"unknown rule {rule_name!r} (known: {', '.join(RULES)})", where="policy")
    unknown = sorted(set(params) - set(rule.defaults))
    if unknown:
        known = ", ".join(rule.defaults) or "none"
        raise Invalid(f"unknown parameter(s) {', '.join(unknown)} (known: {known})", where=f"rule {rule_name}")
    raw = {**rule.defaults, **params}
    try:
        return RuleSpec(rule, rule.check(raw), raw)
    except ValueError as exc:
        raise Invalid(str(exc), where=f"rule {rule_name}") from None
