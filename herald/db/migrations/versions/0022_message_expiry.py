"""A message a provider could not take keeps the moment it stops being worth sending (`expires_at`,
set at its first retry from when it was due), so that retries never carry a promotion past its validity.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 04:45:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('expires_at')
