"""Reading one value out of a JSON column the same way on SQLite and PostgreSQL.

Segments and automatic tag rules compare attributes and event properties to literals; the two backends
spell JSON access, regular expressions and substring tests differently, and would disagree on booleans
(SQLite's 1 against PostgreSQL's true) and on casting text that is not a number (0 against an error).
These constructs give one meaning everywhere: text as written, a number only when the text is one, a
date only when the text starts with YYYY-MM-DD."""

from __future__ import annotations

import re

from sqlalchemy import Boolean, Float, String, Text, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PG_NUMBER = "'^-?[0-9]+(\\.[0-9]+)?$'"
_PG_DATE = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}'"


def number_of(text: str | None) -> float | None:
    """The number a text is (`-12`, `3.5`), else None: SQLite's herald_number()."""
    return float(text) if isinstance(text, str) and NUMBER.fullmatch(text) else None


def date_of(text: str | None) -> str | None:
    """The YYYY-MM-DD a text starts with, else None: SQLite's herald_date()."""
    return text[:10] if isinstance(text, str) and DATE.match(text) else None


def register_sqlite_functions(dbapi_conn) -> None:
    dbapi_conn.create_function("herald_number", 1, number_of, deterministic=True)
    dbapi_conn.create_function("herald_date", 1, date_of, deterministic=True)


class _Function(FunctionElement):
    inherit_cache = True


def _sql_function(name: str, kind) -> type[_Function]:
    """A function rendered per database by the @compiles below (each needs its own class)."""
    return type(name, (_Function,), {"name": name, "type": kind, "inherit_cache": True})


_JsonText = _sql_function("json_text", Text())
_JsonValue = _sql_function("json_value", Text())
_JsonNumber = _sql_function("json_number", Float())
as_number = _sql_function("as_number", Float())  # a text as a number when it is one, else NULL
as_date = _sql_function("as_date", String())  # the YYYY-MM-DD a text starts with, else NULL
# Whether a text contains another, case as written (SQLite's LIKE would ignore ASCII case).
text_contains = _sql_function("text_contains", Boolean())


def _keyed(kind: type[_Function], column, key: str) -> _Function:
    # Both spellings of the key are bound: PostgreSQL's ->> takes the name, SQLite's json_extract a path.
    return kind(column, literal(key), literal('$."' + key.replace('"', '""') + '"'))


def json_text(column, key: str) -> _Function:
    """The value under `key` of a JSON object column as text; JSON true/false read "true"/"false"."""
    return _keyed(_JsonText, column, key)


def json_value(column, key: str) -> _Function:
    """The value under `key` as the database reads it: a JSON string is the same text as json_text, but
    a number or boolean is a number on SQLite (30, 1). One lookup cheaper; it equals a text that is no
    number, true or false exactly when json_text does."""
    return _keyed(_JsonValue, column, key)


def json_number(column, key: str) -> _Function:
    """The value under `key` as a number: a JSON number, or a string that is one (`"250"`); else NULL.
    Cheaper than as_number(json_text(…)) on SQLite, where JSON numbers skip the Python check."""
    return _keyed(_JsonNumber, column, key)


def _args(element, compiler, **kw) -> list[str]:
    return [compiler.process(c, **kw) for c in element.clauses]


@compiles(_JsonText, "sqlite")
def _json_text_sqlite(element, compiler, **kw):
    column, _, path = _args(element, compiler, **kw)
    return (
        f"CASE json_type({column}, {path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
        f"ELSE CAST(json_extract({column}, {path}) AS TEXT) END"
    )


@compiles(_JsonValue, "sqlite")
def _json_value_sqlite(element, compiler, **kw):
    column, _, path = _args(element, compiler, **kw)
    return f"json_extract({column}, {path})"


@compiles(_JsonNumber, "sqlite")
def _json_number_sqlite(element, compiler, **kw):
    column, _, path = _args(element, compiler, **kw)
    return (
        f"(CASE json_type({column}, {path}) WHEN 'integer' THEN json_extract({column}, {path}) "
        f"WHEN 'real' THEN json_extract({column}, {path}) "
        f"WHEN 'text' THEN herald_number(json_extract({column}, {path})) END)"
    )


@compiles(_JsonText, "postgresql")
@compiles(_JsonValue, "postgresql")
def _json_text_pg(element, compiler, **kw):
    column, key, _ = _args(element, compiler, **kw)
    return f"({column} ->> {key})"


@compiles(_JsonNumber, "postgresql")
def _json_number_pg(element, compiler, **kw):
    column, key, _ = _args(element, compiler, **kw)
    text = f"({column} ->> {key})"
    return (
        f"(CASE jsonb_typeof({column} -> {key}) WHEN 'number' THEN CAST({text} AS DOUBLE PRECISION) "
        f"WHEN 'string' THEN (CASE WHEN {text} ~ {_PG_NUMBER} THEN CAST({text} AS DOUBLE PRECISION) END) END)"
    )


@compiles(as_number, "sqlite")
def _number_sqlite(element, compiler, **kw):
    return f"herald_number({_args(element, compiler, **kw)[0]})"


@compiles(as_number, "postgresql")
def _number_pg(element, compiler, **kw):
    text = _args(element, compiler, **kw)[0]
    return f"(CASE WHEN {text} ~ {_PG_NUMBER} THEN CAST({text} AS DOUBLE PRECISION) END)"


@compiles(as_date, "sqlite")
def _date_sqlite(element, compiler, **kw):
    return f"herald_date({_args(element, compiler, **kw)[0]})"


@compiles(as_date, "postgresql")
def _date_pg(element, compiler, **kw):
    text = _args(element, compiler, **kw)[0]
    return f"(CASE WHEN {text} ~ {_PG_DATE} THEN substr({text}, 1, 10) END)"


@compiles(text_contains, "sqlite")
def _contains_sqlite(element, compiler, **kw):
    text, part = _args(element, compiler, **kw)
    return f"(instr({text}, {part}) > 0)"


@compiles(text_contains, "postgresql")
def _contains_pg(element, compiler, **kw):
    text, part = _args(element, compiler, **kw)
    return f"(strpos({text}, {part}) > 0)"
