"""The jurisdiction presets the rules engine reads also drive template lint: this joins a preset's `[lint]`
table, the sender's settings and the operator's banned-word edits into one lint profile."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from herald import content
from herald.config import Settings
from herald.content import Profile, TemplateRoute, unknown_checks
from herald.db import UnitOfWork
from herald.errors import Invalid
from herald.rules import presets_for, read_preset


def lint_profile(
    uow: UnitOfWork, settings: Settings, presets: Iterable[str] = (), routes: tuple[TemplateRoute, ...] = ()
) -> Profile:
    """The lint profile for the given presets (default: the configured one), with the routes whose accounts
    send only their vendor's approved templates."""
    checks: dict[str, dict[str, Any]] = {}
    banned: set[str] = set()
    for name in list(presets) or [settings.policy_preset]:
        table = dict(read_preset(name).get("lint", {}))
        banned |= set(table.pop("banned_words", []))
        unknown = unknown_checks(table)
        if unknown:
            raise Invalid(f"unknown lint check(s) {', '.join(unknown)}", where=f"preset {name} [lint]")
        checks.update({k: dict(v) for k, v in table.items()})
    edits = content.lint_words(uow)
    return Profile(
        checks,
        sender_names=_split(settings.sender_name),
        postal_address=settings.postal_address,
        help_reply=settings.help_reply,
        link_domains=tuple(d.lower() for d in _split(settings.link_domains)),
        banned_words=tuple(sorted((banned | set(edits["ban"])) - set(edits["allow"]))),
        template_routes=routes,
    )


def checked_presets(names: Iterable[str]) -> list[str]:
    """The preset names, each checked to exist, without repeats."""
    found: list[str] = []
    for name in names:
        read_preset(name)
        if name not in found:
            found.append(name)
    return found


def template_presets(
    settings: Settings, channel: str, declared: Iterable[str], locale: str, extra: Iterable[str] = ()
) -> list[str]:
    """Every jurisdiction a template version is written for: the installation's preset, those whose
    `[applies]` names the version's locale and channel, those the template declares, and any asked for."""
    return checked_presets([settings.policy_preset, *presets_for(locale, channel), *declared, *extra])


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())
