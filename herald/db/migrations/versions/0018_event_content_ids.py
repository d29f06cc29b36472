"""Events stored without a sender's id get their content identity, so importing their file again finds
them. Where the same event was stored more than once, the first keeps the identity and the copies are
left as they are (nothing is deleted); they can be told apart by a NULL event id.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 23:50:00
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from herald.events import content_id

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text("SELECT id, contact_id, type, occurred_at, properties FROM events "
                                    f"WHERE id > :last AND event_id IS NULL ORDER BY id LIMIT {BATCH}"),
                            {"last": last}).all()
        if not rows:
            return
        keys = {}
        for row in rows:
            keys.setdefault(content_id(row.contact_id, row.type, _utc(row.occurred_at), _dict(row.properties)),
                            row.id)
        taken = {k for (k,) in bind.execute(sa.text("SELECT event_id FROM events WHERE event_id IN :keys")
                                            .bindparams(sa.bindparam("keys", expanding=True)), {"keys": list(keys)})}
        fresh = [{"id": i, "key": k} for k, i in keys.items() if k not in taken]
        if fresh:
            bind.execute(sa.text("UPDATE events SET event_id = :key WHERE id = :id"), fresh)
        last = rows[-1].id


def _utc(value) -> datetime:
    if isinstance(value, str):  # SQLite's text, naive UTC
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _dict(value) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})


def downgrade() -> None:
    op.execute("UPDATE events SET event_id = NULL WHERE event_id LIKE 'content:%'")
