"""Saved segments: named expressions, dynamic or static snapshots with their members.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 23:50:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('expression', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('size_at_save', sa.Integer(), nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_segments')),
    sa.UniqueConstraint('name', name=op.f('uq_saved_segments_name'))
    )
    op.create_table('segment_members',
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_segment_members_contact_id_contacts'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['saved_segments.id'],
                            name=op.f('fk_segment_members_segment_id_saved_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('segment_id', 'contact_id', name=op.f('pk_segment_members'))
    )


def downgrade() -> None:
    op.drop_table('segment_members')
    op.drop_table('saved_segments')
