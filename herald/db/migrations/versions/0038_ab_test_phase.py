"""A/B test phase: a campaign's experiment (its metric, test share, hold and verdict) and when it is next
judged.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 13:50:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.add_column('campaigns', sa.Column('experiment', JSON, nullable=True))
    op.add_column('campaigns', sa.Column('experiment_check_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('campaigns', 'experiment_check_at')
    op.drop_column('campaigns', 'experiment')
