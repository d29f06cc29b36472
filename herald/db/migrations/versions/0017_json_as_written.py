"""SQLite: JSON written with characters as themselves instead of `\\u` escapes.

SQLite's JSON paths compare the stored text of a key, so an attribute or event property named in
Chinese (`城市`, stored as `"\\u57ce\\u5e02"`) was never found by a segment. Herald now writes JSON
without escapes; this rewrites the rows written before. PostgreSQL's JSONB was never affected.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 23:30:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# (table, JSON column) of every table that stores JSON; rows are walked by their SQLite rowid.
COLUMNS = [("contacts", "attributes"), ("events", "properties"), ("contact_merges", "snapshot"),
           ("templates", "content"), ("template_versions", "content"), ("tag_rules", "definition"),
           ("tag_rule_versions", "definition"), ("campaigns", "policy_overrides"), ("campaigns", "variants"),
           ("campaigns", "exclude_campaigns"), ("campaigns", "rollout"), ("tags", "editors"),
           ("messages", "trail"), ("trails", "body")]
BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    present = set(sa.inspect(bind).get_table_names())
    for table, column in COLUMNS:
        if table in present and column in {c["name"] for c in sa.inspect(bind).get_columns(table)}:
            _rewrite(bind, table, column)


def _rewrite(bind, table: str, column: str) -> None:
    last = 0
    while True:
        rows = bind.execute(sa.text(f"SELECT rowid, {column} FROM {table} WHERE rowid > :last "  # noqa: S608
                                    f"AND instr({column}, '\\u') > 0 ORDER BY rowid LIMIT {BATCH}"),
                            {"last": last}).all()
        if not rows:
            return
        changed = [{"id": i, "value": _unescaped(v)} for i, v in rows]
        bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE rowid = :id"), changed)  # noqa: S608
        last = rows[-1][0]


def _unescaped(text: str) -> str:
    plain = json.dumps(json.loads(text), ensure_ascii=False)
    try:
        plain.encode("utf-8")
    except UnicodeEncodeError:
        return text  # a lone surrogate can only be stored escaped
    return plain


def downgrade() -> None:
    pass  # text without escapes is the same JSON; nothing to undo
