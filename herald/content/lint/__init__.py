"""Compliance lint: what a template breaks before anyone sends it. Pure.

Jurisdiction checks (China's 【signature】 and 退订 text, the US's STOP/HELP and sender name) are switched on
and parameterized by the `[lint]` table of the same presets the rules engine reads; channel checks
(WhatsApp's template rules, marketing email's unsubscribe link and postal address), banned words, link
domains and advice always run. Errors block approval; warnings inform.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from herald.content import vendors
from herald.content.channels import lint_fields
from herald.content.lint.channel_rules import advice, email_rules, routes, whatsapp_rules
from herald.content.lint.drafts import ERROR, WARNING, Draft, Finding, Profile
from herald.content.lint.jurisdictions import JURISDICTION
from herald.content.lint.words import banned_words, find_words, links

__all__ = ["ERROR", "WARNING", "Draft", "Finding", "Profile", "find_words", "lint", "lint_content", "unknown_checks"]

ALWAYS: tuple[Callable[[Draft, Profile], list[Finding]], ...] = (
    whatsapp_rules,
    routes,
    email_rules,
    banned_words,
    links,
    advice,
)


def lint(draft: Draft, profile: Profile) -> list[Finding]:
    """Every finding for one template version, errors first."""
    found: list[Finding] = []
    for name, check in JURISDICTION.items():
        if name in profile.checks:
            found += check(draft, profile, dict(profile.checks[name]))
    for always in ALWAYS:
        found += always(draft, profile)
    return sorted(found, key=lambda f: (f.severity != ERROR, f.field, f.line or 0, f.column or 0))


def unknown_checks(checks: Iterable[str]) -> list[str]:
    """Names in a preset's `[lint]` table that no check answers to."""
    return sorted(set(checks) - set(JURISDICTION))


def lint_content(channel: str, purpose: str, content: Mapping[str, Any], profile: Profile) -> list[Finding]:
    """Lint one version's stored content."""
    params = dict(content.get("params", {})) if channel == "whatsapp" else {}
    fields, codes = lint_fields(channel, content), vendors.codes(content)
    return lint(Draft(channel, purpose, fields, content.get("category"), params, codes), profile)
