"""Events: what contacts did, with properties and time, kept once per event id.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 23:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('properties', JSON, nullable=False),
    sa.Column('occurred_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('received_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_events_contact_id_contacts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_events_event_id'))
    )
    op.create_index('ix_events_contact_type_time', 'events', ['contact_id', 'type', 'occurred_at'], unique=False)
    op.create_index('ix_events_type_time', 'events', ['type', 'occurred_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_events_type_time', table_name='events')
    op.drop_index('ix_events_contact_type_time', table_name='events')
    op.drop_table('events')
