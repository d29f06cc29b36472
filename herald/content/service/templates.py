"""Templates and their versions: writing, reviewing and reading them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from herald.content import approval, channels, locales, whatsapp
from herald.content.lint import ERROR, Finding
from herald.content.models import Template, TemplateVersion
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid, NotFound
from herald.types import Channel, Purpose, as_id


def create_template(
    uow: UnitOfWork,
    name: str,
    channel: Channel,
    content: Mapping[str, Any],
    *,
    author: str,
    now: datetime,
    purpose: Purpose = Purpose.MARKETING,
    locale: str = "en",
    presets: Iterable[str] = (),
) -> TemplateVersion:
    """Save a new template as version 1 draft of its first locale; every field is checked now. `presets`
    are the jurisdictions it is written for beyond its locale's (the caller checks they exist)."""
    name = name.strip()
    where = f"template {name!r}"
    if not name:
        raise Invalid("a name is required", where="template")
    if channel is Channel.WHATSAPP and not whatsapp.NAME.match(name):
        raise Invalid("WhatsApp template names use only a-z, 0-9 and _", where=where)
    data = channels.validate(channel.value, content, where)
    if uow.session.scalar(select(Template.id).where(Template.name == name)) is not None:
        raise Conflict(f"template {name!r} already exists; edit it or add a locale or variant")
    loc = locales.normalize(locale, where=f"{where} locale")
    template = Template(
        name=name,
        channel=channel.value,
        purpose=purpose.value,
        category=data.get("category"),
        default_locale=loc,
        presets=list(presets),
        created_by=who(author),
        created_at=now,
    )
    uow.session.add(template)
    uow.flush()
    return _new_version(uow, template, loc, "A", 1, data, author, now)


def add_version(
    uow: UnitOfWork,
    template: Template,
    content: Mapping[str, Any],
    *,
    locale: str,
    variant: str,
    author: str,
    now: datetime,
) -> TemplateVersion:
    """Start another locale or A/B variant of a template, as a draft."""
    loc, var = locales.normalize(locale), _variant(variant)
    if _latest(uow, template.id, loc, var) is not None:
        raise Conflict(f"{template.name} already has {loc} variant {var}; edit it instead")
    data = _validated(template, content)
    return _new_version(uow, template, loc, var, 1, data, author, now)


def edit_version(
    uow: UnitOfWork,
    template: Template,
    content: Mapping[str, Any],
    *,
    locale: str,
    variant: str,
    author: str,
    now: datetime,
) -> TemplateVersion:
    """Change a draft in place, or start the next version from an approved or rejected one."""
    current = latest_version(uow, template, locale, variant)
    data = _validated(template, content)
    if approval.on_edit(current.status) == "in-place":
        current.content, current.author, current.created_at = data, who(author), now
        uow.flush()
        return current
    return _new_version(uow, template, current.locale, current.variant, current.version + 1, data, author, now)


def review(
    uow: UnitOfWork,
    version: TemplateVersion,
    action: str,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    findings: Iterable[Finding] = (),
) -> TemplateVersion:
    """Submit, withdraw, approve or reject a version; lint errors block submitting and approving, and so does
    content that no longer passes the checks at saving (a version saved before a check existed)."""
    status = approval.transition(version.status, action, version.author, actor, reason)
    if action in ("submit", "approve"):
        _validated(get_template(uow, version.template_id), version.content)
    errors = [f for f in findings if f.severity == ERROR]
    if errors and action in ("submit", "approve"):
        raise Invalid("; ".join(f"{f.field}: {f.message}" for f in errors), where=f"lint ({len(errors)} error(s))")
    version.status = status
    if action == "submit":
        version.submitted_at = now
    if action in ("approve", "reject"):
        version.reviewer, version.reviewed_at, version.review_note = who(actor), now, reason
    uow.flush()
    return version


def set_presets(uow: UnitOfWork, template: Template, presets: Iterable[str]) -> Template:
    """Declare the jurisdictions a template is written for; its next review lints against them. Versions
    already approved keep their approval: a new preset takes effect when they are next submitted."""
    template.presets = list(presets)
    uow.flush()
    return template


def get_template(uow: UnitOfWork, ref: str | int) -> Template:
    """A template by id or name, or NotFound."""
    number = as_id(ref)
    found = Template.id == number if number is not None else Template.name == str(ref)
    template = uow.session.scalar(select(Template).where(found))
    if template is None:
        raise NotFound(f"template {ref!r} does not exist")
    return template


def latest_version(
    uow: UnitOfWork, template: Template, locale: str | None = None, variant: str = "A"
) -> TemplateVersion:
    """The newest version of a locale (default: the template's own) and variant, or NotFound."""
    loc = locales.normalize(locale) if locale else template.default_locale
    found = _latest(uow, template.id, loc, _variant(variant))
    if found is None:
        raise NotFound(f"{template.name} has no {loc} variant {_variant(variant)}")
    return found


def versions(uow: UnitOfWork, template: Template) -> list[TemplateVersion]:
    """Every version of a template, by locale, variant and version."""
    return list(
        uow.session.scalars(
            select(TemplateVersion)
            .where(TemplateVersion.template_id == template.id)
            .order_by(TemplateVersion.locale, TemplateVersion.variant, TemplateVersion.version)
        )
    )


def newest_versions(uow: UnitOfWork, template: Template) -> dict[tuple[str, str], TemplateVersion]:
    """The newest version of each (locale, variant), whatever its status."""
    return {(v.locale, v.variant): v for v in versions(uow, template)}


def all_templates(uow: UnitOfWork) -> list[Template]:
    """Every template, oldest first."""
    return list(uow.session.scalars(select(Template).order_by(Template.id)))


def approved_versions(uow: UnitOfWork, template_id: int) -> dict[tuple[str, str], TemplateVersion]:
    """The newest approved version of each (locale, variant): what may be sent."""
    rows = uow.session.scalars(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template_id, TemplateVersion.status == "approved")
        .order_by(TemplateVersion.version)
    )
    return {(v.locale, v.variant): v for v in rows}


def survey_of(uow: UnitOfWork, template_id: int | None) -> str | None:
    """The question a template's approved versions ask (nps, satisfaction, yes_no), or None."""
    if template_id is None:
        return None
    asked = sorted(
        str(v.content["survey"]) for v in approved_versions(uow, template_id).values() if v.content.get("survey")
    )
    return asked[0] if asked else None


def _new_version(
    uow: UnitOfWork,
    template: Template,
    locale: str,
    variant: str,
    number: int,
    data: dict[str, Any],
    author: str,
    now: datetime,
) -> TemplateVersion:
    version = TemplateVersion(
        template_id=template.id,
        locale=locale,
        variant=variant,
        version=number,
        status="draft",
        content=data,
        author=who(author),
        created_at=now,
    )
    uow.session.add(version)
    uow.flush()
    return version


def _latest(uow: UnitOfWork, template_id: int, locale: str, variant: str) -> TemplateVersion | None:
    return uow.session.scalar(
        select(TemplateVersion)
        .where(
            TemplateVersion.template_id == template_id,
            TemplateVersion.locale == locale,
            TemplateVersion.variant == variant,
        )
        .order_by(TemplateVersion.version.desc())
        .limit(1)
    )


def _validated(template: Template, content: Mapping[str, Any]) -> dict[str, Any]:
    data = channels.validate(template.channel, content, f"template {template.name!r}")
    if template.channel == "whatsapp" and data.get("category") != template.category:
        raise Invalid(
            f"every version of {template.name} must keep category {template.category}",
            where=f"template {template.name!r} category",
        )
    return data


def _variant(variant: str) -> str:
    text = str(variant or "").strip().upper()
    if not text.isalnum() or len(text) > 16:
        raise Invalid(f"{variant!r} is not a variant name such as A, B or C", where="variant")
    return text


def who(name: str) -> str:
    """Who wrote or reviewed, as kept: required, trimmed, at most 64 characters."""
    text = str(name or "").strip()
    if not text:
        raise Invalid("say who you are (--by)", where="author")
    return text[:64]
