"""A failed message keeps the vendor's own error code (Twilio's 21211, Meta's 131026, an SMTP server's
5.1.1) beside the reason, so reports can count failures by what the vendor said.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('error_code', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('error_code')
