"""A campaign's messages in id order: the index on the campaign alone becomes one on the campaign and the
message's id, so a whole pass over a campaign's tally reads it a page at a time, each page found by the
last id of the one before.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 06:45:00.000000
"""

from alembic import op

revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_messages_campaign_message', 'messages', ['campaign_id', 'id'])
    op.drop_index('ix_messages_campaign_id', table_name='messages')


def downgrade() -> None:
    op.create_index('ix_messages_campaign_id', 'messages', ['campaign_id'])
    op.drop_index('ix_messages_campaign_message', table_name='messages')
