"""Messages record the units they are billed in (SMS segments, else one), so that a price table's
monthly tiers and rebates count what was really sent.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('units', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('units')
