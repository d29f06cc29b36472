"""What vendors say a message cost: kept on the message (and on a receipt waiting for its message), so
that a campaign's cost is the vendors' own where they report it and the price table's estimate elsewhere.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06 15:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('cost', sa.String(length=32), nullable=True))
    op.add_column('messages', sa.Column('cost_currency', sa.String(length=3), nullable=True))
    op.add_column('receipts', sa.Column('price', sa.String(length=32), nullable=True))
    op.add_column('receipts', sa.Column('currency', sa.String(length=3), nullable=True))


def downgrade() -> None:
    op.drop_column('receipts', 'currency')
    op.drop_column('receipts', 'price')
    op.drop_column('messages', 'cost_currency')
    op.drop_column('messages', 'cost')
