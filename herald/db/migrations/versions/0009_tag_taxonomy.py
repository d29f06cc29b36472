"""Tag taxonomy: categories (with the roles that may edit them), colour and kind per tag, and tags on
contacts that expire.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 23:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import herald.db.base

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tag_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('editors', JSON, nullable=False),
    sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_categories')),
    sa.UniqueConstraint('name', name=op.f('uq_tag_categories_name'))
    )
    with op.batch_alter_table('tags') as batch:
        batch.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('colour', sa.String(length=7), nullable=True))
        batch.add_column(sa.Column('kind', sa.String(length=16), server_default='manual', nullable=False))
        batch.create_foreign_key(op.f('fk_tags_category_id_tag_categories'), 'tag_categories', ['category_id'],
                                 ['id'], ondelete='SET NULL')
    with op.batch_alter_table('contact_tags') as batch:
        batch.add_column(sa.Column('expires_at', herald.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact_tags') as batch:
        batch.drop_column('expires_at')
    with op.batch_alter_table('tags') as batch:
        batch.drop_constraint(op.f('fk_tags_category_id_tag_categories'), type_='foreignkey')
        batch.drop_column('kind')
        batch.drop_column('colour')
        batch.drop_column('category_id')
    op.drop_table('tag_categories')
