"""What a vendor last said of a provider account (a WhatsApp number's quality), kept beside its health.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 09:03:21.039568
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('provider_health', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('notice_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('provider_health', schema=None) as batch_op:
        batch_op.drop_column('notice_at')
        batch_op.drop_column('notice')

