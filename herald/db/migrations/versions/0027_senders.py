"""Senders: a message keeps the sender it went from, a campaign may name a pool of senders, and each
contact's sender per account is kept so that it hears from the same one every time (sticky senders).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 02:10:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('sender', sa.String(length=255), nullable=True))
    op.add_column('campaigns', sa.Column('sender_pool', sa.String(length=64), nullable=True))
    op.create_table(
        'sticky_senders',
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('pool', sa.String(length=64), nullable=False),
        sa.Column('sender', sa.String(length=255), nullable=False),
        sa.Column('chosen_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['contact_id'], ['contacts.id'], name=op.f('fk_sticky_senders_contact_id_contacts'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('contact_id', 'account', 'pool', name=op.f('pk_sticky_senders')),
    )


def downgrade() -> None:
    op.drop_table('sticky_senders')
    with op.batch_alter_table('campaigns') as batch:
        batch.drop_column('sender_pool')
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('sender')
