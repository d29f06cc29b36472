"""Each provider account's health, shared by every worker: faults in a row, and until when its circuit
is open (its traffic goes to the next account of the route meanwhile).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 04:55:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'provider_health',
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('open_until', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('account', name=op.f('pk_provider_health')),
    )


def downgrade() -> None:
    op.drop_table('provider_health')
