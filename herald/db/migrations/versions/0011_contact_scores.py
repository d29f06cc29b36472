"""Contact scores: RFM quintiles and lifecycle stage per contact.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 00:00:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_scores',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('last_purchase', herald.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('purchases', sa.Integer(), nullable=False),
    sa.Column('spent', sa.Float(), nullable=False),
    sa.Column('r', sa.Integer(), nullable=True),
    sa.Column('f', sa.Integer(), nullable=True),
    sa.Column('m', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('computed_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_scores_contact_id_contacts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_contact_scores'))
    )
    op.create_index(op.f('ix_contact_scores_stage'), 'contact_scores', ['stage'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_contact_scores_stage'), table_name='contact_scores')
    op.drop_table('contact_scores')
