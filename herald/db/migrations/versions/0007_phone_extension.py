"""A phone number's extension is kept apart from the number.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 23:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts') as batch:
        batch.add_column(sa.Column('phone_extension', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('phone_extension')
