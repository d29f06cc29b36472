"""Receipts kept by a status callback's answer and applied by the worker soon after: the partial index
that finds them in the order they came.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07 03:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None

QUEUED = sa.text("outcome = 'queued'")


def upgrade() -> None:
    op.create_index('ix_receipts_queued', 'receipts', ['id'], sqlite_where=QUEUED, postgresql_where=QUEUED)


def downgrade() -> None:
    op.drop_index('ix_receipts_queued', table_name='receipts')
