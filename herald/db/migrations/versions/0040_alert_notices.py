"""Alerts by e-mail: each alert to tell an address of, sent by the worker and tried again when the
provider could not take it.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06 14:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alert_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('provider', sa.String(length=32), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_alert_notices_due', 'alert_notices', ['status', 'next_at'])


def downgrade() -> None:
    op.drop_index('ix_alert_notices_due', table_name='alert_notices')
    op.drop_table('alert_notices')
