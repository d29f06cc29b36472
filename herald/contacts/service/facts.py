"""The facts the database keeps on each contact for campaign plans (migration 0013): `consent_key`, its
consents as one text, and `on_suppression_list`. Triggers keep them whoever writes. New contacts of a
batch go in with the key their consents will give them (`keys_ahead`), on both databases. On SQLite a
batch insert of contacts or consents suspends the insert trigger (see `db.bulk.triggers_suspended`) and
sets the rest of the batch's facts here, one statement per 5,000 contacts, exactly as the trigger would.
On PostgreSQL the consent trigger works a statement at a time and writes a key only where it differs, so
it rewrites none of the new contacts'."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text

from herald.db import UnitOfWork
from herald.db.bulk import sqlite_stamp
from herald.types import Purpose

if TYPE_CHECKING:
    from herald.contacts.service.common import ContactInput

CONTACT_LISTED = "contact_listed_insert"
CONSENT_KEYED = "consent_key_insert"
BULK = 50  # rows below which the triggers do the work (suspending one costs two schema changes)
# How the consents table names each field of `rules.ConsentFact`, in the fact's order: the consent key is
# those fields, so a decision that reads consents sees exactly what the key holds (a test holds the two equal).
CONSENT_FACT_COLUMNS = {
    "channel": "channel",
    "purpose": "purpose",
    "status": "status",
    "at": "recorded_at",
    "source": "source",
    "evidence": "has_evidence",
}
# The trigger's own expression (migration 0013); a test holds them equal. Built of the constants above only.
CONSENT_KEY = (
    f"(SELECT group_concat(format('{'|'.join(['%s'] * len(CONSENT_FACT_COLUMNS))}', "  # noqa: S608
    f"{', '.join('x.' + c for c in CONSENT_FACT_COLUMNS.values())}), char(30)) "
    "FROM consents x WHERE x.contact_id = contacts.id)"
)
LISTED = (
    "EXISTS (SELECT 1 FROM suppressions s WHERE (s.address = contacts.phone AND s.channel IN "
    "('sms', 'whatsapp')) OR (s.address = contacts.email AND s.channel = 'email'))"
)
CHUNK = 5000


def mark_listed(uow: UnitOfWork, contact_ids: Collection[int]) -> None:
    """Flag the contacts the suppression list names at one of their addresses (new contacts, unflagged)."""
    conn = uow.session.connection()
    if conn.exec_driver_sql("SELECT 1 FROM suppressions LIMIT 1").first() is None:
        return  # nobody is listed: every new contact keeps the column's default
    _each_chunk(uow, contact_ids, f"UPDATE contacts SET on_suppression_list = 1 WHERE {LISTED} AND id IN ")  # noqa: S608


def key_consents(uow: UnitOfWork, contact_ids: Collection[int]) -> None:
    """Set the consent key of the contacts whose consents a batch inserted."""
    _each_chunk(uow, contact_ids, f"UPDATE contacts SET consent_key = {CONSENT_KEY} WHERE id IN ")  # noqa: S608


def _each_chunk(uow: UnitOfWork, contact_ids: Collection[int], head: str) -> None:
    conn, ids = uow.session.connection(), sorted(contact_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = tuple(ids[start : start + CHUNK])
        conn.exec_driver_sql(f"{head}({', '.join('?' * len(chunk))})", chunk)  # ids only, as parameters


RENDERS_UTC = text("SELECT timestamptz '2000-01-01 00:00:00.5+00'::text = '2000-01-01 00:00:00.5+00'")


def keys_ahead(uow: UnitOfWork, items: Sequence[ContactInput], now: datetime, source: str) -> list[str | None] | None:
    """Each new contact's consent key as the database will compute it once the consents its row carries
    are in (read in the order of channels, as both databases read them). On SQLite a batch's consent
    trigger is suspended and nobody else computes them; on PostgreSQL the statement trigger writes only a
    key that differs, so a wrong one is never left, and where the session renders times otherwise than as
    UTC in ISO style this gives None and the trigger does it all."""
    if uow.session.get_bind().dialect.name == "sqlite":
        moment, proofs = sqlite_stamp, ("0", "1")
    elif uow.session.execute(RENDERS_UTC).scalar():
        moment, proofs = _as_postgres, ("f", "t")
    else:
        return None
    made: dict[tuple, str] = {}  # the rows of a file mostly share their consents, moment and source

    def key(item: ContactInput) -> str:
        given = (
            tuple(item.consents.items()),
            item.consent_at or now,
            item.consent_source or source,
            proofs[bool(item.evidence or item.consent_ip)],
        )
        found = made.get(given)
        if found is None:
            found = made[given] = _key(*given, moment)
        return found

    return [key(item) if item.consents else None for item in items]


def _key(consents: tuple[tuple[str, str], ...], at: datetime, said: str, proof: str, moment) -> str:
    when = moment(at)
    return "\x1e".join(
        f"{channel}|{Purpose.MARKETING.value}|{status}|{when}|{said}|{proof}" for channel, status in sorted(consents)
    )


def _as_postgres(moment: datetime) -> str:
    """A timestamptz as PostgreSQL writes it in UTC, ISO style: no trailing zeros of the fraction."""
    utc = moment.astimezone(UTC)
    fraction = f".{utc.microsecond:06d}".rstrip("0") if utc.microsecond else ""
    return f"{utc:%Y-%m-%d %H:%M:%S}{fraction}+00"
