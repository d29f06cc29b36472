"""Receipts: what vendors report after they took a message (delivered, read, undelivered …), kept once
per vendor event, and each message's delivery stage beside its sending status.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 02:40:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('delivery', sa.String(length=16), nullable=True))
    op.add_column('messages', sa.Column('delivered_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))
    op.add_column('messages', sa.Column('read_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))
    op.create_index('ix_messages_provider_message_id', 'messages', ['provider', 'provider_message_id'])
    op.create_table(
        'receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('event', sa.String(length=255), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('provider_message_id', sa.String(length=128), nullable=True),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('fallback', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('occurred_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('received_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
        sa.UniqueConstraint('account', 'event', name=op.f('uq_receipts_account')),
    )
    op.create_index(
        'ix_receipts_waiting',
        'receipts',
        ['received_at'],
        sqlite_where=sa.text("outcome = 'waiting'"),
        postgresql_where=sa.text("outcome = 'waiting'"),
    )


def downgrade() -> None:
    op.drop_index('ix_receipts_waiting', table_name='receipts')
    op.drop_table('receipts')
    op.drop_index('ix_messages_provider_message_id', table_name='messages')
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('read_at')
        batch.drop_column('delivered_at')
        batch.drop_column('delivery')
