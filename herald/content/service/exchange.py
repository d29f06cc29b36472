"""Templates to and from outside: export and import as JSON, and Meta's review of WhatsApp templates
(from its status webhook or a sync)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from herald.content import locales
from herald.content.models import Template, TemplateVersion
from herald.content.service.templates import (
    add_version,
    all_templates,
    approved_versions,
    create_template,
    get_template,
    newest_versions,
)
from herald.db import UnitOfWork
from herald.errors import Invalid
from herald.types import Channel, Purpose, parse_enum


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
