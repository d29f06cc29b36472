"""Storage plumbing: engines (SQLite WAL or PostgreSQL), the declarative base, the unit of work and
Alembic migrations. It owns no table of its own and imports no room."""

from herald.db.base import Base, JSONType, UTCDateTime
from herald.db.claims import IN_QUEUE, take_due
from herald.db.engine import make_engine
from herald.db.uow import UnitOfWork, insert_new, rowcount, sessions, upsert_insert

__all__ = [
    "IN_QUEUE",
    "take_due",
    "Base",
    "JSONType",
    "UTCDateTime",
    "UnitOfWork",
    "insert_new",
    "make_engine",
    "rowcount",
    "sessions",
    "upsert_insert",
]
