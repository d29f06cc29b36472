"""Conversions: orders and coupon redemptions, each credited to the message that earned it; and the
message that issued each coupon code.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 06:00:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('coupon_codes', sa.Column('message_id', sa.Integer(), nullable=True))
    op.create_table(
        'conversions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('order_id', sa.String(length=128), nullable=True),
        sa.Column('coupon', sa.String(length=128), nullable=True),
        sa.Column('amount', sa.String(length=32), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=True),
        sa.Column('occurred_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('variant', sa.String(length=16), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=True),
        sa.Column('attribution', sa.String(length=8), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('received_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversions')),
        sa.UniqueConstraint('order_id', name=op.f('uq_conversions_order_id')),
    )
    op.create_index(op.f('ix_conversions_contact_id'), 'conversions', ['contact_id'])
    op.create_index(op.f('ix_conversions_message_id'), 'conversions', ['message_id'])
    op.create_index(op.f('ix_conversions_campaign_id'), 'conversions', ['campaign_id'])
    op.create_index('ix_conversions_coupon', 'conversions', ['coupon'])


def downgrade() -> None:
    op.drop_index('ix_conversions_coupon', table_name='conversions')
    op.drop_index(op.f('ix_conversions_campaign_id'), table_name='conversions')
    op.drop_index(op.f('ix_conversions_message_id'), table_name='conversions')
    op.drop_index(op.f('ix_conversions_contact_id'), table_name='conversions')
    op.drop_table('conversions')
    op.execute('ALTER TABLE coupon_codes DROP COLUMN message_id')
