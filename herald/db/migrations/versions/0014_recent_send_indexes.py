"""Indexes for reading recent sends without reading the ledger's history.

- A contact's sends the rules count (in flight, or sent since a moment), which every plan reads for each
  recipient: the contact index becomes (contact, status, send time), so the sends are found in the index
  alone, where before every row of the contact was read (a contact in thirty past campaigns: thirty).
- Messages sent since a moment, and failed since a moment: the senders' usage, read before every dispatch
  batch when a rule counts it.

The two usage indexes are partial, so a plan's queued rows add nothing to them; the failed one leads with the
status, so a query for recent failures prefers it to the queue's (status, due) index, which would read
every failure ever recorded.

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
    op.create_index('ix_messages_contact', 'messages', ['contact_id', 'status', 'sent_at'])
    op.drop_index('ix_messages_contact_id', table_name='messages')
    sent = sa.text("sent_at IS NOT NULL")
    failed = sa.text("status = 'failed'")
    op.create_index('ix_messages_sent_at', 'messages', ['sent_at'], sqlite_where=sent, postgresql_where=sent)
    op.create_index('ix_messages_failed', 'messages', ['status', 'updated_at'], sqlite_where=failed,
                    postgresql_where=failed)


def downgrade() -> None:
    op.drop_index('ix_messages_failed', table_name='messages')
    op.drop_index('ix_messages_sent_at', table_name='messages')
    op.create_index('ix_messages_contact_id', 'messages', ['contact_id'])
    op.drop_index('ix_messages_contact', table_name='messages')
