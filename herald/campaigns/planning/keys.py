"""The set-based planner's SQL (see `bulk`): a contact's facts as one key, its draws, and its outbox row.
Every expression is built by SQLAlchemy and renders for SQLite and PostgreSQL alike; every value is bound
or one of this module's own integer constants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
)
from sqlalchemy import select as select_

from herald import outbox
from herald.campaigns.planning import assign
from herald.campaigns.planning.plans import Plan, key_prefix
from herald.contacts import AllowedAddress, Consent, Contact, Suppression
from herald.db import UTCDateTime
from herald.rules import DECISION_FACTS
from herald.types import MessageStatus

# Separators no fact holds: JSON text escapes control characters, and the rest are codes and times.
FIELD, ITEM = "\x1f", "\x1e"
HOLDOUT = ""  # the variant of hold-out rows in the key table
PHONE_CHANNELS = ("sms", "whatsapp")


def _formatted(parts: list, sep: str) -> ColumnElement[str]:
    """The parts as one text, NULL as '': `format`, which SQLite (3.38+) and PostgreSQL both have, costs one
    call where a chain of `coalesce(…) || sep` costs two a part (measured: the key of a million contacts
    in about two thirds of the time)."""
    return func.format(sep.join(["%s"] * len(parts)), *parts, type_=String)


def _listed(columns: list, where) -> ColumnElement[str]:
    """Each matching row's columns as one item, the items joined (in no set order: an order that differs
    only splits a class in two, it never merges unlike ones)."""
    return select_(func.aggregate_strings(_formatted(columns, "|"), ITEM)).where(where).scalar_subquery()


def fact_key(
    p: Plan, now: datetime, empty: frozenset[str] = frozenset(), sends: Table | None = None
) -> ColumnElement[str]:
    """Everything the policy's rules read of a contact, as text: equal keys, equal decisions (see
    `rules.memo`). The contact's own columns always count; the stored facts only where a rule reads them,
    and not from a table in `empty` (which no contact has a row in, so every contact's part is the same).
    `sends` is the table `recent_sends_listed` filled, when a rule reads past sends."""
    sql, reads, parts = fact_sql(p, now, sends), p.decider.policy.reads, []
    for fact in DECISION_FACTS:  # the one definition of what a decision reads (beside `rules.Recipient`)
        if not fact.stored or (fact.name in reads and fact.name not in empty):
            parts.extend(sql[fact.name]())
    return _formatted(parts, FIELD)


def fact_sql(p: Plan, now: datetime, sends: Table | None) -> dict[str, Callable[[], list]]:
    """Each decision fact (`rules.DECISION_FACTS`) as the SQL expressions that hold it for a contact."""
    live = or_(Suppression.expires_at.is_(None), Suppression.expires_at > now)
    at_address = or_(
        and_(Suppression.address == Contact.phone, Suppression.channel.in_(PHONE_CHANNELS)),
        and_(Suppression.address == Contact.email, Suppression.channel == "email"),
    )
    allowed = or_(
        and_(AllowedAddress.address == Contact.phone, AllowedAddress.channel.in_(PHONE_CHANNELS)),
        and_(AllowedAddress.address == Contact.email, AllowedAddress.channel == "email"),
    )
    listed = _listed([Suppression.channel, Suppression.reason], and_(at_address, live))
    return {
        "addresses": lambda: [
            func.substr(Contact.phone, 1, p.decider.prefix),
            case((Contact.email.is_(None), "0"), else_="1"),
        ],
        "timezones": lambda: [Contact.timezone, Contact.phone_timezones],
        "region": lambda: [Contact.region],
        "line_type": lambda: [Contact.line_type],
        "lifecycle": lambda: [Contact.attributes["lifecycle"].as_string(), Contact.attributes["stage"].as_string()],
        # Kept on the contact by the database (migration 0013): no subquery a contact for its consents, and
        # one only for the few the suppression list names (which entries are in force depends on `now`).
        "consents": lambda: [Contact.consent_key],
        "suppressions": lambda: [case((Contact.on_suppression_list, listed))],
        "allow_list": lambda: [_listed([AllowedAddress.channel], allowed)],
        "sends": lambda: (
            [] if sends is None else [select_(sends.c.listed).where(sends.c.contact_id == Contact.id).scalar_subquery()]
        ),
        # When they last wrote on WhatsApp (the tracking room notes it on the contact): few have, so the
        # rest share one key as before.
        "inbound": lambda: [Contact.whatsapp_inbound_at],
    }


def recent_sends_listed(p: Plan, now: datetime) -> Select | None:
    """(contact_id, listed) of each contact with a send a rule can still see (none older than the policy's
    look-back: it changes no decision), read once for the whole plan; None when no rule reads sends."""
    lookback = p.decider.policy.send_lookback
    if not lookback:
        return None
    recent = outbox.sends_since(now - lookback).subquery()
    item = _formatted([recent.c.channel, recent.c.purpose, recent.c.at], "|")
    return select_(recent.c.contact_id, func.aggregate_strings(item, ITEM)).group_by(recent.c.contact_id)


FACT_TABLES = {"consents": Consent, "suppressions": Suppression, "allow_list": AllowedAddress}


def empty_facts(conn) -> frozenset[str]:
    """The stored facts whose tables hold no row at all (a small business's allow-list, as a rule)."""
    return frozenset(
        name
        for name, model in FACT_TABLES.items()
        if conn.execute(select_(literal(1)).select_from(model).limit(1)).first() is None
    )


def draw(campaign_id: int, salt: int) -> ColumnElement[int]:
    """`assign.draw` of each contact, in SQL."""
    terms: list[ColumnElement[Any]] = [literal_column(str(n)) for n in assign.draw_terms(campaign_id, salt)]
    multiplier, constant, again = terms
    prime: ColumnElement[Any] = literal_column(str(assign.PRIME))
    z = (cast(Contact.id, BigInteger) % prime * multiplier + constant) % prime
    z = (z * z + again) % prime
    return (z * z + multiplier) % prime % literal_column(str(assign.SCALE))


def variant_of(p: Plan) -> ColumnElement[str]:
    """The contact's variant name (`assign.pick`), or HOLDOUT in the hold-out group (`assign.within`)."""
    campaign, edge, whens = p.campaign, 0.0, []
    if len(p.variants) == 1:
        name: ColumnElement[str] = literal(p.variants[0].name, String)
    else:
        point = draw(campaign.id, assign.VARIANT)
        for v in p.variants[:-1]:
            edge += v.weight * assign.SCALE / 100
            whens.append((point < edge, v.name))
        name = case(*whens, else_=p.variants[-1].name)
    if not campaign.holdout_percent:
        return name
    return case(
        (draw(campaign.id, assign.HOLDOUT) < campaign.holdout_percent * assign.SCALE / 100, HOLDOUT), else_=name
    )


def in_canary(p: Plan) -> ColumnElement[int]:
    """1 for contacts queued during the rollout's canary (everyone without a rollout), else 0."""
    if p.canary_percent is None:
        return literal(1, BigInteger)
    return case((draw(p.campaign.id, assign.CANARY) < p.canary_percent * assign.SCALE / 100, 1), else_=0)


# The outbox row's columns, in the order `message_rows` selects them.
MESSAGE_COLUMNS = outbox.ROW_COLUMNS


def message_rows(p: Plan, now: datetime, rows, decisions) -> Select:
    """The outbox rows: each contact of `rows` with the decision for its key and variant."""
    skip, held = decisions.c.action == "skip", rows.c.canary == 0
    stamp = literal(now, UTCDateTime)
    address = case(
        (decisions.c.channel == "email", rows.c.email),
        (decisions.c.channel.in_(PHONE_CHANNELS), rows.c.phone),
        else_=None,
    )
    status = case(
        (skip, MessageStatus.SKIPPED.value), (held, MessageStatus.HELD.value), else_=MessageStatus.QUEUED.value
    )
    columns = [
        literal(key_prefix(p.campaign.id, p.run)) + cast(rows.c.contact_id, String),
        literal(p.campaign.id),
        rows.c.contact_id,
        decisions.c.template_id,
        literal(p.campaign.purpose),
        decisions.c.channel,
        address,
        status,
        decisions.c.action,
        decisions.c.reason,
        decisions.c.due_at,
        decisions.c.trail_id,
        literal(0),
        stamp,
        stamp,
        case((rows.c.variant == HOLDOUT, None), else_=rows.c.variant),
        literal(p.run),
        case((and_(~skip, held), p.held_as), else_=None),
        decisions.c.buckets,
    ]
    joined = rows.join(decisions, and_(decisions.c.fkey == rows.c.fkey, decisions.c.variant == rows.c.variant))
    # SQLite reads `ON CONFLICT` after a join's ON as part of the join unless a WHERE comes between.
    return select_(*columns).select_from(joined).where(literal_column("1") == 1).order_by(rows.c.contact_id)
