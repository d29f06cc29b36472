"""The unit of work: one transaction per entry-point action. Services take it as their first argument
and never commit; the entry point's `with` block commits on success and rolls back on any error, so a
failed operation leaves nothing half-written."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, CursorResult, Engine, Result, event, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from herald.errors import NotFound

T = TypeVar("T", bound=Any)


WROTE = "herald_wrote"  # set on a connection's info when a statement of its transaction changed something


def sessions(engine: Engine, info: dict[str, Any] | None = None) -> sessionmaker[Session]:
    """Sessions on `engine`; `info` is what each session's info starts with (the workspace's sealer)."""
    factory = sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info or {})
    event.listen(factory, "after_begin", _remember_connection)
    return factory


def _remember_connection(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    session.info["connection"] = connection


Audit = Callable[["UnitOfWork"], None]


class UnitOfWork:
    """`with UnitOfWork(factory) as uow:` — `uow.session` is the transaction's session.

    An entry point that acts for someone gives the unit of work its `actor` and an `audit` hook: when the
    transaction changed anything, the hook records it — in the same transaction, just before the commit —
    so no write is kept without its record, and services never need to know who called them."""

    def __init__(
        self, factory: sessionmaker[Session], dry_run: bool = False, actor: Any = None, audit: Audit | None = None
    ) -> None:
        self._factory = factory
        self.dry_run = dry_run  # roll back at the end: the caller sees real results, nothing is kept
        self.actor, self.audit = actor, audit
        self.notes: dict[str, Any] = {}  # what services add to the audit record (counts, names)
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None and not self.dry_run:
                if self.audit is not None and self.wrote():
                    self.audit(self)
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()

    def flush(self) -> None:
        self.session.flush()

    def note(self, **detail: Any) -> None:
        """Add to what the audit record of this unit of work says."""
        self.notes.update(detail)

    def wrote(self) -> bool:
        """Whether this transaction changed anything (pending ORM changes are flushed first)."""
        self.session.flush()
        connection = self.session.info.get("connection")
        return connection is not None and not connection.closed and bool(connection.info.get(WROTE))

    def named(self, model: type[T], name: str, missing: str) -> T:
        """The row of `model` whose `name` is this, or NotFound saying `missing`."""
        found = self.session.scalar(select(model).where(model.name == name))
        if found is None:
            raise NotFound(missing)
        return found


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (a DML statement's result is a cursor result)."""
    return cast(CursorResult[Any], result).rowcount


def upsert_insert(session: Session, table: Any) -> Any:
    """An INSERT on `table` that takes `on_conflict_do_nothing` / `on_conflict_do_update`, in the dialect
    of the session's database (both speak the same ON CONFLICT)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


def insert_new(session: Session, table: Any, values: dict[str, Any], unique: list[str]) -> int | None:
    """Insert a row unless one with the same `unique` columns is there: the new row's id, or None when it
    was there already (a vendor's event, a report, a code received or drawn twice)."""
    stmt = upsert_insert(session, table).values(values).on_conflict_do_nothing(index_elements=unique)
    return session.scalar(stmt.returning(table.id))
