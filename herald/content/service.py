"""Use cases of the content room; the only writer of its tables (templates and their versions, coupon
codes, the operator's banned-word edits)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from herald.content import approval, channels, locales, whatsapp
from herald.content.lint import ERROR, Finding
from herald.content.models import CouponCode, LintWord, Template, TemplateVersion
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid, NotFound
from herald.types import Channel, Purpose, as_id, parse_enum


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
        created_by=_who(author),
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
        current.content, current.author, current.created_at = data, _who(author), now
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
        version.reviewer, version.reviewed_at, version.review_note = _who(actor), now, reason
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


def apply_meta_status(uow: UnitOfWork, updates: Iterable[Mapping[str, Any]], now: datetime) -> int:
    """Record Meta's review of WhatsApp templates (from its status webhook or a sync); returns how many
    versions it changed (a status read again changes nothing).
    Statuses apply in the order of their own time: a late or replayed APPROVED never re-enables a template
    Meta has paused since."""
    changed = 0
    for update in sorted(updates, key=lambda u: u.get("time") or 0):
        version = _meta_target(uow, update["name"], update["language"])
        at = datetime.fromtimestamp(update["time"], UTC) if update.get("time") is not None else now
        if version is None or (version.meta_updated_at is not None and at < version.meta_updated_at):
            continue
        before = (version.meta_status, version.meta_reason, version.meta_template_id)
        version.meta_status, version.meta_reason = update["status"], update.get("reason") or None
        version.meta_template_id = update.get("id") or version.meta_template_id
        version.meta_updated_at = at
        changed += before != (version.meta_status, version.meta_reason, version.meta_template_id)
    uow.flush()
    return changed


def _meta_target(uow: UnitOfWork, name: str, language: str) -> TemplateVersion | None:
    # Variant A is submitted to Meta under the template's name, others as name_<variant>.
    base, _, suffix = name.rpartition("_")
    candidates = [(name, "A")] + ([(base, suffix.upper())] if base else [])
    for family, variant in candidates:
        template = uow.session.scalar(select(Template).where(Template.name == family, Template.channel == "whatsapp"))
        if template is None:
            continue
        try:
            loc = locales.normalize(language)
        except Invalid:
            return None
        approved = approved_versions(uow, template.id).get((loc, variant))
        if approved is not None:
            return approved
    return None


def export_templates(uow: UnitOfWork, refs: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Templates as JSON-ready data: each with the newest version of every locale and variant."""
    wanted = list(refs)
    families = [get_template(uow, r) for r in wanted] if wanted else all_templates(uow)
    out = []
    for t in families:
        out.append(
            {
                "name": t.name,
                "channel": t.channel,
                "purpose": t.purpose,
                "default_locale": t.default_locale,
                "versions": [
                    {"locale": v.locale, "variant": v.variant, "content": v.content}
                    for v in newest_versions(uow, t).values()
                ],
            }
        )
    return out


def import_templates(uow: UnitOfWork, data: Any, *, author: str, now: datetime) -> list[TemplateVersion]:
    """Create templates from exported data, as drafts: imported words are reviewed again before sending."""
    if not isinstance(data, list):
        raise Invalid("expected a list of templates", where="import")
    created = []
    for i, item in enumerate(data):
        where = f"import item {i + 1}"
        if not isinstance(item, Mapping) or not item.get("versions"):
            raise Invalid("expected name, channel and versions", where=where)
        first, *rest = item["versions"]
        version = create_template(
            uow,
            str(item.get("name", "")),
            parse_enum(Channel, item.get("channel"), where),
            first.get("content", {}),
            author=author,
            now=now,
            purpose=parse_enum(Purpose, item.get("purpose", "marketing"), where),
            locale=first.get("locale") or item.get("default_locale") or "en",
        )
        created.append(version)
        template = uow.session.get_one(Template, version.template_id)
        for v in rest:
            created.append(
                add_version(
                    uow,
                    template,
                    v.get("content", {}),
                    locale=v.get("locale", ""),
                    variant=v.get("variant", "A"),
                    author=author,
                    now=now,
                )
            )
    return created


def add_coupons(uow: UnitOfWork, pool: str, codes: Iterable[str]) -> int:
    """Add codes to a pool; codes already there are left alone. Returns how many were new."""
    pool = _pool(pool)
    fresh = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    known = (
        set(uow.session.scalars(select(CouponCode.code).where(CouponCode.pool == pool, CouponCode.code.in_(fresh))))
        if fresh
        else set()
    )
    new = [c for c in fresh if c not in known]
    uow.session.add_all(CouponCode(pool=pool, code=c) for c in new)
    uow.flush()
    return len(new)


def assign_coupon(
    uow: UnitOfWork, pool: str, contact_id: int, now: datetime, message_id: int | None = None
) -> str | None:
    """The contact's code from a pool: the one they already hold, else the next free one (noted as issued
    by `message_id`, which a redemption is credited to); None if empty."""
    held = uow.session.scalar(
        select(CouponCode.code).where(CouponCode.pool == pool, CouponCode.contact_id == contact_id)
    )
    if held is not None:
        return held
    free = (
        select(CouponCode)
        .where(CouponCode.pool == pool, CouponCode.contact_id.is_(None))
        .order_by(CouponCode.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    code = uow.session.scalar(free)
    if code is None:
        return None
    code.contact_id, code.assigned_at, code.message_id = contact_id, now, message_id
    uow.flush()
    return code.code


def coupon_holder(uow: UnitOfWork, code: str) -> tuple[int | None, int | None] | None:
    """Who holds a code Herald handed out, and the message that issued it; None for a code it never did."""
    found = uow.session.execute(
        select(CouponCode.contact_id, CouponCode.message_id)
        .where(CouponCode.code == code, CouponCode.contact_id.is_not(None))
        .limit(1)
    ).first()
    return (found[0], found[1]) if found is not None else None


def coupon_stock(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Codes per pool: total and still free."""
    rows = uow.session.execute(
        select(CouponCode.pool, func.count(), func.count(CouponCode.contact_id))
        .group_by(CouponCode.pool)
        .order_by(CouponCode.pool)
    )
    return [{"pool": p, "total": total, "free": total - used} for p, total, used in rows]


def set_lint_word(uow: UnitOfWork, word: str, action: str, *, by: str, now: datetime) -> LintWord:
    """Ban a word, or allow one a preset bans; replaces an earlier edit of the same word."""
    word = word.strip()
    if not word or action not in ("ban", "allow"):
        raise Invalid("give a word and ban or allow", where="banned words")
    row = uow.session.scalar(select(LintWord).where(LintWord.word == word))
    if row is None:
        row = LintWord(word=word, action=action, added_by=_who(by), created_at=now)
        uow.session.add(row)
    else:
        row.action, row.added_by, row.created_at = action, _who(by), now
    uow.flush()
    return row


def remove_lint_word(uow: UnitOfWork, word: str) -> None:
    """Forget the operator's edit of a word."""
    row = uow.session.scalar(select(LintWord).where(LintWord.word == word.strip()))
    if row is None:
        raise NotFound(f"{word!r} is not on the list")
    uow.session.delete(row)
    uow.flush()


def lint_words(uow: UnitOfWork) -> dict[str, list[str]]:
    """The operator's edits: {"ban": [...], "allow": [...]}."""
    out: dict[str, list[str]] = {"ban": [], "allow": []}
    for word, action in uow.session.execute(select(LintWord.word, LintWord.action).order_by(LintWord.word)):
        out[action].append(word)
    return out


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
        author=_who(author),
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


def _pool(pool: str) -> str:
    text = str(pool or "").strip()
    if not text.isidentifier():
        raise Invalid(f"{pool!r} is not a pool name (letters, digits and _)", where="coupon pool")
    return text


def _who(name: str) -> str:
    text = str(name or "").strip()
    if not text:
        raise Invalid("say who you are (--by)", where="author")
    return text[:64]
