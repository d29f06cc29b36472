"""Contacts merged by hand keep what the merged contact held.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 22:50:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('merged_id', sa.Integer(), nullable=False),
    sa.Column('snapshot', JSON, nullable=False),
    sa.Column('merged_by', sa.String(length=64), nullable=False),
    sa.Column('merged_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_merges_contact_id_contacts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_merges'))
    )
    op.create_index(op.f('ix_contact_merges_contact_id'), 'contact_merges', ['contact_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_contact_merges_contact_id'), table_name='contact_merges')
    op.drop_table('contact_merges')
