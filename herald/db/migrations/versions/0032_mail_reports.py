"""Mail reports: bounces (RFC 3464) and abuse complaints (RFC 5965), kept once with what they did.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 06:10:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.Column('received_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_reports')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_mail_reports_fingerprint')),
    )
    op.create_index(op.f('ix_mail_reports_address'), 'mail_reports', ['address'])


def downgrade() -> None:
    op.drop_index(op.f('ix_mail_reports_address'), table_name='mail_reports')
    op.drop_table('mail_reports')
