"""A message keeps the channels a provider said cannot reach the person (WhatsApp 131026), so it is
decided again among the campaign's other channels instead of failing.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 00:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('avoid', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('avoid')
