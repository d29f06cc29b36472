"""Send-time profiles: each contact's weighted engagements per hour of the week in their own time zone,
the crowd's patterns (all contacts, each region), and campaigns sent at each person's best time.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 14:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'send_profile_hours',
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('hour', sa.SmallInteger(), nullable=False),
        sa.Column('weight', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('contact_id', 'hour'),
    )
    op.create_table(
        'send_priors',
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('shares', JSON, nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('computed_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('scope'),
    )
    op.add_column('campaigns', sa.Column('best_within', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('campaigns', 'best_within')
    op.drop_table('send_priors')
    op.drop_table('send_profile_hours')
