"""Inbound: messages people send in, the answers owed to them, complaint cases, the WhatsApp window on
the contact, and the moment a message was given to its provider.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 05:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('contacts', sa.Column('whatsapp_inbound_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))
    op.add_column('messages', sa.Column('given_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        'inbound_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('event', sa.String(length=255), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('to', sa.String(length=320), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('media', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('replied_to', sa.Integer(), nullable=True),
        sa.Column('intent', sa.String(length=16), nullable=False),
        sa.Column('why', sa.Text(), nullable=False),
        sa.Column('survey', sa.String(length=16), nullable=True),
        sa.Column('answer', sa.Integer(), nullable=True),
        sa.Column('sentiment', sa.String(length=8), nullable=True),
        sa.Column('sentiment_score', sa.Float(), nullable=True),
        sa.Column('reaction', sa.Text(), nullable=True),
        sa.Column('occurred_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('received_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
        sa.UniqueConstraint('account', 'event', name=op.f('uq_inbound_messages_account')),
    )
    op.create_index('ix_inbound_messages_contact', 'inbound_messages', ['contact_id', 'occurred_at'])
    op.create_index('ix_inbound_messages_address', 'inbound_messages', ['address', 'occurred_at'])
    op.create_table(
        'replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inbound_id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('sender', sa.String(length=320), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('provider_message_id', sa.String(length=128), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['inbound_id'], ['inbound_messages.id'], name=op.f('fk_replies_inbound_id_inbound_messages'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_replies')),
    )
    op.create_index(
        'ix_replies_queued',
        'replies',
        ['created_at'],
        sqlite_where=sa.text("status IN ('queued', 'sending')"),
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
    )
    op.create_table(
        'complaint_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('inbound_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=True),
        sa.Column('address', sa.String(length=320), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('assignee', sa.String(length=128), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('opened_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('answered_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('closed_at', herald.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['inbound_id'],
            ['inbound_messages.id'],
            name=op.f('fk_complaint_cases_inbound_id_inbound_messages'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_cases')),
    )
    op.create_index('ix_complaint_cases_status_due', 'complaint_cases', ['status', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_complaint_cases_status_due', table_name='complaint_cases')
    op.drop_table('complaint_cases')
    op.drop_index('ix_replies_queued', table_name='replies')
    op.drop_table('replies')
    op.drop_index('ix_inbound_messages_address', table_name='inbound_messages')
    op.drop_index('ix_inbound_messages_contact', table_name='inbound_messages')
    op.drop_table('inbound_messages')
    # Plain DROP COLUMN (SQLite 3.35 and later): a batch would copy `contacts`, whose triggers name it.
    op.execute('ALTER TABLE messages DROP COLUMN given_at')
    op.execute('ALTER TABLE contacts DROP COLUMN whatsapp_inbound_at')
