"""Campaigns sent when a contact does something: the event type, delay and once-only setting of a campaign
scheduled on an event, and the contacts who did it, waiting for the scheduler's next beat to be planned.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07 16:30:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.add_column('campaigns', sa.Column('trigger', JSON, nullable=True))
    op.create_table(
        'campaign_triggers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('run', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_triggers_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_campaign_triggers_contact_id_contacts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_triggers')),
    )
    op.create_index('ix_campaign_triggers_campaign_id', 'campaign_triggers', ['campaign_id', 'id'])
    op.create_index('ix_campaign_triggers_contact_id', 'campaign_triggers', ['contact_id'])


def downgrade() -> None:
    op.drop_index('ix_campaign_triggers_contact_id', table_name='campaign_triggers')
    op.drop_index('ix_campaign_triggers_campaign_id', table_name='campaign_triggers')
    op.drop_table('campaign_triggers')
    op.drop_column('campaigns', 'trigger')
