"""Use cases of the automatic tags room; the only writer of `tag_rules`. Services never commit.

Both ways of applying a rule — to events as they arrive and to history on request — ask one question,
"who qualifies now, and since when", so a back-fill gives the tags live arrival would have given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from herald import tags
from herald.autotag.keywords import Matcher
from herald.autotag.models import TagRule, TagRuleVersion
from herald.autotag.rules import RULE_NAME, EventRule, KeywordRule, Rule, canonical, read_rule, tag_for
from herald.contacts import Contact
from herald.db import UnitOfWork
from herald.db.jsonpath import json_text
from herald.errors import Invalid
from herald.events import Event, EventIn, record_events
from herald.segments import passes
from herald.tags import Tag

Grants = dict[str, dict[int, datetime | None]]  # tag name -> contact id -> until when (None: for good)


def save_rule(uow: UnitOfWork, name: str, definition: Mapping[str, Any], by: str, now: datetime) -> TagRule:
    """Create a rule or save a new version of it; an unchanged definition saves nothing."""
    if not RULE_NAME.fullmatch(name) or len(name) > 48:
        raise Invalid(f"{name!r} is not a rule name (letters, digits, _ : . - ; up to 48)", where="rule name")
    stored = canonical(definition)
    rule = uow.session.scalar(select(TagRule).where(TagRule.name == name))
    if rule is not None and rule.definition == stored:
        return rule
    if rule is None:
        rule = TagRule(name=name, version=0, enabled=True)
        uow.session.add(rule)
    rule.kind, rule.definition, rule.version = stored["kind"], stored, rule.version + 1
    rule.updated_at, rule.updated_by = now, by[:64]
    uow.flush()
    uow.session.add(
        TagRuleVersion(rule_id=rule.id, version=rule.version, definition=stored, saved_at=now, saved_by=by[:64])
    )
    uow.flush()
    return rule


def get_rule(uow: UnitOfWork, name: str) -> TagRule:
    """The rule with this name, or NotFound."""
    return uow.named(TagRule, name, f"tag rule {name!r} does not exist (see `herald tags rules list`)")


def list_rules(uow: UnitOfWork) -> list[TagRule]:
    """Every rule, by name."""
    return list(uow.session.scalars(select(TagRule).order_by(TagRule.name)))


def history(uow: UnitOfWork, name: str) -> list[TagRuleVersion]:
    """Every saved version of a rule, oldest first."""
    rule = get_rule(uow, name)
    return list(
        uow.session.scalars(
            select(TagRuleVersion).where(TagRuleVersion.rule_id == rule.id).order_by(TagRuleVersion.version)
        )
    )


def set_enabled(uow: UnitOfWork, name: str, enabled: bool) -> TagRule:
    """Switch a rule on or off for arriving events (back-fill still runs it on request)."""
    rule = get_rule(uow, name)
    rule.enabled = enabled
    uow.flush()
    return rule


def delete_rule(uow: UnitOfWork, name: str) -> None:
    """Delete a rule and its history; the tags it applied stay on the contacts."""
    uow.session.delete(get_rule(uow, name))
    uow.flush()


def dry_run(uow: UnitOfWork, definition: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """What applying a definition over history would change, without writing: contacts that qualify,
    would be newly tagged, would have a tag extended, per tag."""
    grants = _grants(uow, read_rule(definition), now)
    report: dict[str, Any] = {"qualify": 0, "would_tag": 0, "would_extend": 0, "tags": {}}
    for name, given in sorted(grants.items()):
        existing = uow.session.scalar(select(Tag.id).where(Tag.name == name))
        new, longer = tags.grant_changes(uow, existing, given, now)
        report["tags"][name] = {"qualify": len(given), "would_tag": len(new), "would_extend": len(longer)}
        report["qualify"] += len(given)
        report["would_tag"] += len(new)
        report["would_extend"] += len(longer)
    return report


def backfill(uow: UnitOfWork, name: str, now: datetime) -> dict[str, Any]:
    """Apply a saved rule over all history, as if every event had just arrived."""
    rule = get_rule(uow, name)
    return _apply(uow, rule, _grants(uow, read_rule(rule.definition), now), now)


def on_events(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]], now: datetime) -> dict[str, int]:
    """Apply every enabled rule to events just stored (the events room calls this as they arrive)."""
    kinds = {r["type"] for r in rows}
    applied = {"tagged": 0, "extended": 0}
    for rule in uow.session.scalars(select(TagRule).where(TagRule.enabled.is_(True)).order_by(TagRule.name)):
        parsed = read_rule(rule.definition)
        if parsed.event not in kinds:
            continue
        mine = [r for r in rows if r["type"] == parsed.event]
        if isinstance(parsed, EventRule):
            grants = _event_grants(uow, parsed, now, sorted({r["contact_id"] for r in mine}))
        else:
            grants = _keyword_grants(parsed, now, ((r["contact_id"], r["properties"], r["occurred_at"]) for r in mine))
        result = _apply(uow, rule, grants, now)
        applied["tagged"] += result["tagged"]
        applied["extended"] += result["extended"]
    return applied


def record(uow: UnitOfWork, events: Sequence[EventIn | str], now: datetime, **options: Any) -> list[dict[str, Any]]:
    """Record events and apply the automatic tag rules to them: the Python call for ingestion."""
    return record_events(uow, events, now, after=on_events, **options)


def _apply(uow: UnitOfWork, rule: TagRule, grants: Grants, now: datetime) -> dict[str, Any]:
    category = rule.definition.get("category")
    done: dict[str, Any] = {"rule": rule.name, "version": rule.version, "tagged": 0, "extended": 0, "tags": {}}
    for name, given in sorted(grants.items()):
        tag = tags.ensure_tag(uow, name, now, kind="rule", category=category)
        result = tags.grant_tag(uow, tag, given, f"rule:{rule.name}@{rule.version}", now)
        done["tags"][name] = result
        done["tagged"] += result["tagged"]
        done["extended"] += result["extended"]
    return done


def _grants(uow: UnitOfWork, rule: Rule, now: datetime) -> Grants:
    """What the rule grants over all history, leaving out people erased at their request (their events
    may outlive them; events arriving now are never theirs)."""
    if isinstance(rule, EventRule):
        return _living(uow, _event_grants(uow, rule, now, None))
    stmt = select(Event.contact_id, json_text(Event.properties, rule.field), Event.occurred_at).where(
        Event.type == rule.event, *([Event.occurred_at >= now - rule.within] if rule.within else [])
    )
    rows = uow.session.execute(stmt.execution_options(yield_per=5000))
    return _living(uow, _keyword_grants(rule, now, ((cid, {rule.field: text}, at) for cid, text, at in rows)))


def _event_grants(uow: UnitOfWork, rule: EventRule, now: datetime, contact_ids: list[int] | None) -> Grants:
    """Who has `count` qualifying events now, per tag, until the latest one's time plus `expires`."""
    groups = [json_text(Event.properties, name) for name in rule.groups]
    where = [Event.type == rule.event]
    if rule.within is not None:
        where.append(Event.occurred_at >= now - rule.within)
    if rule.where is not None:
        where.append(passes(rule.where, Event.properties, now))
    stmt = (
        select(Event.contact_id, func.max(Event.occurred_at), *groups).where(*where).group_by(Event.contact_id, *groups)
    )
    if rule.count > 1:
        stmt = stmt.having(func.count() >= rule.count)
    grants: Grants = {}
    for chunk in _chunks(contact_ids):
        chosen = stmt if chunk is None else stmt.where(Event.contact_id.in_(chunk))
        for cid, last, *values in uow.session.execute(chosen.execution_options(yield_per=5000)):
            _grant(grants, tag_for(rule, tuple(values)), cid, last, rule.expires, now)
    return grants


def _keyword_grants(rule: KeywordRule, now: datetime, texts: Iterable[tuple[int, Mapping, datetime]]) -> Grants:
    matcher = Matcher(rule.words())
    grants: Grants = {}
    for cid, properties, at in texts:
        if rule.within is not None and at < now - rule.within:
            continue
        text = properties.get(rule.field)
        if isinstance(text, str) and matcher.matches(text):
            _grant(grants, rule.tag, cid, at, rule.expires, now)
    return grants


def _grant(grants: Grants, tag: str | None, cid: int, at: datetime, expires, now: datetime) -> None:
    until = at + expires if expires is not None else None
    if tag is None or (until is not None and until <= now):
        return
    given = grants.setdefault(tag, {})
    if cid not in given or (given[cid] is not None and (until is None or until > given[cid])):
        given[cid] = until


def _living(uow: UnitOfWork, grants: Grants) -> Grants:
    """The grants without people erased at their request."""
    ids = sorted({cid for given in grants.values() for cid in given})
    gone: set[int] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        erased = select(Contact.id).where(Contact.id.in_(chunk), Contact.erased_at.is_not(None))
        gone.update(uow.session.scalars(erased))
    return {tag: {c: u for c, u in given.items() if c not in gone} for tag, given in grants.items()}


def _chunks(ids: list[int] | None, size: int = 5000) -> Iterable[list[int] | None]:
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
