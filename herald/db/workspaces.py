"""Where a workspace's data lives, beside the installation's own database (the control store, which is
also the workspace `default`): on SQLite a file of its own in a folder next to the control file; on
PostgreSQL a schema of its own in the same database, chosen by each connection's search_path. No query
needs a workspace filter — and none can forget one — because a workspace's tables are its own."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from herald.db.engine import normalize_url
from herald.errors import Invalid

DEFAULT = "default"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([A-Za-z0-9_]+)")


def checked_name(name: str) -> str:
    """A workspace name: 1 to 32 lower-case letters, digits and _, a letter first."""
    cleaned = name.strip().lower()
    if not NAME.match(cleaned):
        raise Invalid("use 1 to 32 lower-case letters, digits and _, starting with a letter", where="workspace")
    return cleaned


def workspace_url(control_url: str, name: str) -> str:
    """The database URL of workspace `name` (the control URL itself for `default`)."""
    name = checked_name(name)
    if name == DEFAULT:
        return control_url
    url = make_url(normalize_url(control_url))
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise Invalid("workspaces need a database file, not an in-memory database", where="database_url")
        control = Path(url.database)
        return str(url.set(database=str(control.with_name(f"{control.stem}.workspaces") / f"{name}.db")))
    return str(_with_schema(url, f"{_base_schema(url)}_ws_{name}").render_as_string(hide_password=False))


def schema_of(url: str) -> str | None:
    """The schema a PostgreSQL workspace URL sets as its search_path (None for SQLite or the default)."""
    found = SEARCH_PATH.search(unquote(make_url(normalize_url(url)).query.get("options", "") or ""))  # type: ignore[arg-type]
    return found.group(1) if found else None


def create_storage(control: Engine, url: str) -> None:
    """Make room for a new workspace: its folder (SQLite) or its schema (PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        return
    schema = schema_of(url)
    if schema is None:
        return  # the control store's own schema
    with control.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))  # a checked name, never user text as is


def _base_schema(url) -> str:
    found = SEARCH_PATH.search(unquote(str(url.query.get("options", "") or "")))
    return found.group(1) if found else "herald"


def _with_schema(url, schema: str):
    options = [o for o in SEARCH_PATH.sub("", unquote(str(url.query.get("options", "") or ""))).split() if o]
    query = {k: v for k, v in url.query.items() if k != "options"}
    query["options"] = " ".join([*options, f"-csearch_path={schema}"])
    return url.set(query=dict(parse_qsl(urlencode(query))))
