"""Pacing buckets shared by every worker: for each provider account, when its next unit may go and how
many units it has taken today, so rates and daily limits hold across processes and machines.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 00:30:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pacing_buckets',
        sa.Column('key', sa.String(length=96), nullable=False),
        sa.Column('next_free', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('used', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_pacing_buckets')),
    )


def downgrade() -> None:
    op.drop_table('pacing_buckets')
