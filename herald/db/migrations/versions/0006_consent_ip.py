"""Consent proof keeps the IP address it came from, when known.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consent_events') as batch:
        batch.add_column(sa.Column('ip', sa.String(length=45), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('consent_events') as batch:
        batch.drop_column('ip')
