"""Automatic tag rules and every version of them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 01:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('tag_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', JSON, nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_rules')),
    sa.UniqueConstraint('name', name=op.f('uq_tag_rules_name'))
    )
    op.create_table('tag_rule_versions',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', JSON, nullable=False),
    sa.Column('saved_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('saved_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['tag_rules.id'], name=op.f('fk_tag_rule_versions_rule_id_tag_rules'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rule_id', 'version', name=op.f('pk_tag_rule_versions'))
    )


def downgrade() -> None:
    op.drop_table('tag_rule_versions')
    op.drop_table('tag_rules')
