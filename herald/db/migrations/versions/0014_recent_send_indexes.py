"""Indexes for what the senders' usage reads on every dispatch batch: messages sent since a moment, and
messages failed since a moment.

Both are partial, so a plan's queued rows (no send time, not failed) add nothing to them; the failed one
leads with the status, so a query for recent failures prefers it to the queue's (status, due) index,
which would read every failure ever recorded.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sent = sa.text("sent_at IS NOT NULL")
    failed = sa.text("status = 'failed'")
    op.create_index('ix_messages_sent_at', 'messages', ['sent_at'], sqlite_where=sent, postgresql_where=sent)
    op.create_index('ix_messages_failed', 'messages', ['status', 'updated_at'], sqlite_where=failed,
                    postgresql_where=failed)


def downgrade() -> None:
    op.drop_index('ix_messages_failed', table_name='messages')
    op.drop_index('ix_messages_sent_at', table_name='messages')
