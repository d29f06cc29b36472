"""Alerts that act: the workspace's alert rules, the alerts they raised, and the vendor's own name for
its last notice on an account (which the WhatsApp quality rule reads).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 11:30:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'alert_rules',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('definition', JSON, nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=64), nullable=False),
        sa.Column('metric', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=160), nullable=False),
        sa.Column('subject_kind', sa.String(length=16), nullable=False),
        sa.Column('subject_ref', sa.String(length=64), nullable=True),
        sa.Column('value', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('done', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('raised_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('seen_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('times', sa.Integer(), nullable=False),
        sa.Column('acknowledged_by', sa.String(length=128), nullable=True),
        sa.Column('acknowledged_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('resolved_by', sa.String(length=128), nullable=True),
        sa.Column('resolved_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_alerts_open', 'alerts', ['rule', 'subject_kind', 'subject_ref', 'status'], unique=False)
    op.add_column('provider_health', sa.Column('notice_event', sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.drop_column('provider_health', 'notice_event')
    op.drop_index('ix_alerts_open', table_name='alerts')
    op.drop_table('alerts')
    op.drop_table('alert_rules')
