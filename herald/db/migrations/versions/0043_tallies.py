"""Campaigns' figures kept per group as their messages change (analytics' tallies), so that results for a
campaign of a million messages read a few thousand rows; and the indexes that find what changed since
the last fold: a campaign's messages by when they changed, contacts by when they changed.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None

KEYS = [
    ('channel', sa.String(length=16)),
    ('variant', sa.String(length=16)),
    ('region', sa.String(length=2)),
    ('carrier', sa.String(length=128)),
    ('sender', sa.String(length=255)),
    ('utc_hour', sa.String(length=13)),
    ('provider', sa.String(length=32)),
    ('timezone', sa.String(length=64)),
    ('phone_timezones', sa.Text()),
    ('cost_currency', sa.String(length=3)),
]
COUNTS = ['messages', 'planned', 'sent', 'delivered', 'read', 'clicked', 'converted', 'units', 'reported_units']


def upgrade() -> None:
    op.create_table(
        'tally_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in KEYS),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column('reported', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_tally_groups_campaign_id'), 'tally_groups', ['campaign_id'])
    op.create_table(
        'tallied',
        sa.Column('message_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('stages', sa.Integer(), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.Column('reported_units', sa.Integer(), nullable=False),
        sa.Column('reported', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['group_id'], ['tally_groups.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id'),
    )
    op.create_index(op.f('ix_tallied_group_id'), 'tallied', ['group_id'])
    op.create_table(
        'tally_marks',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('folded_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('clicks_upto', sa.Integer(), nullable=False),
        sa.Column('conversions_upto', sa.Integer(), nullable=False),
        sa.Column('whole_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id'),
    )
    op.create_index('ix_messages_campaign_changed', 'messages', ['campaign_id', 'updated_at'])
    op.create_index('ix_contacts_updated_at', 'contacts', ['updated_at'])


def downgrade() -> None:
    op.drop_index('ix_contacts_updated_at', table_name='contacts')
    op.drop_index('ix_messages_campaign_changed', table_name='messages')
    op.drop_table('tally_marks')
    op.drop_index(op.f('ix_tallied_group_id'), table_name='tallied')
    op.drop_table('tallied')
    op.drop_index(op.f('ix_tally_groups_campaign_id'), table_name='tally_groups')
    op.drop_table('tally_groups')
