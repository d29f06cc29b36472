"""Erasure: a contact erased at the person's request keeps a nameless row, marked with when.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 22:40:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts') as batch:
        batch.add_column(sa.Column('erased_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('erased_at')
