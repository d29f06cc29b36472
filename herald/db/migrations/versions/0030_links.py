"""Links: each link of a message as its short code, the clicks on it (person or machine, device and
system), and marketing mails' opens.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 05:40:00
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_links')),
        sa.UniqueConstraint('code', name=op.f('uq_links_code')),
    )
    op.create_index(op.f('ix_links_message_id'), 'links', ['message_id'])
    op.create_table(
        'clicks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('human', sa.Boolean(), nullable=False),
        sa.Column('why', sa.String(length=255), nullable=False),
        sa.Column('device', sa.String(length=16), nullable=False),
        sa.Column('os', sa.String(length=64), nullable=True),
        sa.Column('browser', sa.String(length=64), nullable=True),
        sa.Column('visitor', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['links.id'], name=op.f('fk_clicks_link_id_links'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clicks')),
    )
    op.create_index('ix_clicks_message', 'clicks', ['message_id', 'at'])
    op.create_index('ix_clicks_link_visitor', 'clicks', ['link_id', 'visitor'])
    op.create_table(
        'opens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('human', sa.Boolean(), nullable=False),
        sa.Column('why', sa.String(length=255), nullable=False),
        sa.Column('device', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opens')),
    )
    op.create_index('ix_opens_message', 'opens', ['message_id', 'at'])


def downgrade() -> None:
    op.drop_index('ix_opens_message', table_name='opens')
    op.drop_table('opens')
    op.drop_index('ix_clicks_link_visitor', table_name='clicks')
    op.drop_index('ix_clicks_message', table_name='clicks')
    op.drop_table('clicks')
    op.drop_index(op.f('ix_links_message_id'), table_name='links')
    op.drop_table('links')
