"""Set-based planning: the planner's answer for a whole audience without a Python step per recipient.

Recipients whose facts are alike get the same decision (see `rules.memo`). So the database writes each
recipient's facts as one key (`keys.fact_key`: zone, region, line type, number prefix, lifecycle,
consents, suppressions, the allow-list and the sends a rule can still see) with its variant and canary
draws computed in SQL. Herald decides once per distinct key and variant, from the facts of its first
member, and one `INSERT … SELECT` per chunk writes every row from that small table of decisions: the
rows the recipient-by-recipient planner writes, trail for trail.

It serves a run's first plan when no rule reads the senders' shared usage. Usage changes the answer as
the plan fills it, and a re-plan must skip addresses planned already: both go recipient by recipient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, MetaData, Select, String, Table, Text, delete, exists, func, select

from herald import outbox
from herald.campaigns.planning import keys
from herald.campaigns.planning.assign import Variant
from herald.campaigns.planning.facts import Interner, load_recipients
from herald.campaigns.planning.plans import Plan, PlanStats
from herald.campaigns.planning.rows import HOLDOUT, RowMaker, Trails
from herald.campaigns.planning.schedule import next_local
from herald.contacts import Contact
from herald.db import UnitOfWork, UTCDateTime
from herald.outbox import Message
from herald.rules import Decision, Recipient, Skip

CHUNK = 50_000

_temp = MetaData()
# On SQLite, INTEGER PRIMARY KEY makes the id the row's own key; BIGINT would add a second index to fill.
ID = BigInteger().with_variant(Integer(), "sqlite")
# The addresses ride along, so writing the outbox rows reads the two temporary tables and nothing else.
ROWS = Table(
    "plan_rows",
    _temp,
    Column("contact_id", ID, primary_key=True),
    Column("fkey", Text),
    Column("variant", String(16)),
    Column("canary", Integer),
    Column("phone", String(20)),
    Column("email", String(320)),
    prefixes=["TEMPORARY"],
)
DECISIONS = Table(
    "plan_decisions",
    _temp,
    Column("fkey", Text, primary_key=True),
    Column("variant", String(16), primary_key=True),
    Column("template_id", Integer),
    Column("channel", String(16)),
    Column("action", String(8)),
    Column("reason", String(64)),
    Column("due_at", UTCDateTime),
    Column("trail_id", Integer),
    Column("buckets", String(64)),
    prefixes=["TEMPORARY"],
)
# Each contact's recent sends, listed once for the plan: the key reads one row by id, not the ledger.
SENDS = Table(
    "plan_sends", _temp, Column("contact_id", ID, primary_key=True), Column("listed", Text), prefixes=["TEMPORARY"]
)
TEMPORARY = (ROWS, DECISIONS, SENDS)


def applies(uow: UnitOfWork, p: Plan) -> bool:
    """Whether this plan can be made set-based: no shared usage, and nothing planned for the run yet."""
    if p.usage is not None or p.best_within or p.delay:  # a best time is each recipient's own, not their group's
        return False
    planned = exists().where(Message.campaign_id == p.campaign.id, Message.run == p.run)
    return not uow.session.scalar(select(planned))


def plan(
    uow: UnitOfWork, p: Plan, audience: Select, now: datetime, progress: Callable[[int], None] | None = None
) -> PlanStats:
    """Decide for every recipient of the audience and enqueue the results, a chunk of ids at a time."""
    conn = uow.session.connection()
    for table in TEMPORARY:
        table.drop(conn, checkfirst=True)
        table.create(conn)
    try:
        return _chunks(uow, _Writer(uow, p, now), audience, progress)
    finally:
        for table in TEMPORARY:
            table.drop(conn, checkfirst=True)


def _chunks(uow: UnitOfWork, writer: _Writer, audience: Select, progress: Callable[[int], None] | None) -> PlanStats:
    conn, stats, last = uow.session.connection(), PlanStats(), 0
    while True:
        # The audience's own SELECT (of contacts, in id order) with the key columns added: no join back.
        chunk = audience.where(Contact.id > last).limit(CHUNK).add_columns(*writer.facts)
        conn.execute(ROWS.insert().from_select(["contact_id", "fkey", "variant", "canary", "phone", "email"], chunk))
        size, top = conn.execute(select(func.count(), func.max(ROWS.c.contact_id))).one()
        if not size:
            return stats
        last = top
        groups = conn.execute(
            select(
                ROWS.c.fkey,
                ROWS.c.variant,
                func.min(ROWS.c.contact_id).label("first"),
                func.count().label("size"),
                func.sum(ROWS.c.canary).label("canary"),
            ).group_by(ROWS.c.fkey, ROWS.c.variant)
        ).all()
        writer.decide([g for g in groups if (g.fkey, g.variant) not in writer.known])
        new = outbox.enqueue_select(uow, keys.MESSAGE_COLUMNS, writer.rows_to_enqueue)
        stats.audience += size
        stats.new += new
        stats.already_planned += size - new
        if new == size:  # as the row-by-row planner: exact counts only when nothing was planned already
            writer.count(stats, groups)
        conn.execute(delete(ROWS))
        if progress:
            progress(size)


class _Writer:
    """The statements of one plan, and what was decided for each distinct key and variant."""

    def __init__(self, uow: UnitOfWork, p: Plan, now: datetime) -> None:
        self.uow, self.p, self.now = uow, p, now
        self.rows = RowMaker(p, now, Trails(uow, write=True))
        self.known: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
        self.intern = Interner()
        self.variants = {v.name: v for v in p.variants}
        conn = uow.session.connection()
        recent = keys.recent_sends_listed(p, now)
        if recent is not None:
            conn.execute(SENDS.insert().from_select(["contact_id", "listed"], recent))
        self.facts = (
            keys.fact_key(p, now, keys.empty_facts(conn), SENDS if recent is not None else None),
            keys.variant_of(p),
            keys.in_canary(p),
            Contact.phone,
            Contact.email,
        )
        self.rows_to_enqueue = keys.message_rows(p, now, ROWS, DECISIONS)

    def decide(self, groups: list) -> None:
        """Decide for each new (key, variant) from the facts of its first member, and store the rows."""
        if not groups:
            return
        people = load_recipients(self.uow.session, [g.first for g in groups], self.now, self.intern)
        made = []
        for fkey, name, first, *_ in groups:
            variant = self.variants.get(name)
            row = self.rows(first, variant, self._decision(people[first], variant), None)
            made.append(
                {
                    "fkey": fkey,
                    "variant": name,
                    "template_id": row["template_id"],
                    "channel": row["channel"],
                    "action": row["planned_action"],
                    "reason": row["reason"],
                    "due_at": row["due_at"],
                    "buckets": row["buckets"],
                    "trail": row["trail"],
                }
            )
            self.known[(fkey, name)] = (row["planned_action"], row["reason"], row["channel"])
        for row, trail_id in zip(made, self.rows.trails.ids_for([m.pop("trail") for m in made]), strict=True):
            row["trail_id"] = trail_id
        self.uow.session.connection().execute(DECISIONS.insert(), made)

    def _decision(self, recipient: Recipient, variant: Variant | None) -> Decision:
        if variant is None:
            return Skip("holdout", HOLDOUT)
        p = self.p
        at = next_local(self.now, p.local_time, recipient.timezones, p.local_day) if p.local_time else self.now
        return p.decider(recipient, p.intents[variant.name], at)

    def count(self, stats: PlanStats, groups: Sequence) -> None:
        """The chunk's counts, from its groups: the figures the row-by-row planner counts."""
        for fkey, name, _, size, canary in groups:
            action, reason, channel = self.known[(fkey, name)]
            stats.actions[action] += size
            stats.by_variant[name or "hold-out"] += size
            if reason:
                stats.skipped_by[reason] += size
            if channel:
                stats.by_channel[channel] += size
                if self.p.canary_percent is not None and self.p.held_as == "abtest":
                    stats.held_for_test += size - canary
                elif self.p.canary_percent is not None:
                    stats.held_for_rollout += size - canary
