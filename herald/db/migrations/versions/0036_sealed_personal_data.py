"""Personal data sealed at rest: a contact's sealed person, sealed copies beside the address keys
elsewhere, and the mark
of the lookup key a workspace's data was hashed with.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 11:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

import herald.db.base

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

ADDRESSED = ('suppressions', 'allow_list', 'messages', 'inbound_messages', 'replies', 'complaint_cases', 'mail_reports')


# Columns added and dropped in place (SQLite 3.35+ drops a column without rebuilding its table, which would
# trip the triggers that name these tables).
def upgrade() -> None:
    op.create_table(
        'sealing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lookup_check', sa.String(length=64), nullable=False),
        sa.Column('created_at', herald.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.add_column('contacts', sa.Column('personal_sealed', sa.LargeBinary(), nullable=True))
    for table in ADDRESSED:
        op.add_column(table, sa.Column('address_sealed', sa.Text(), nullable=True))


def downgrade() -> None:
    for table in ADDRESSED:
        op.drop_column(table, 'address_sealed')
    op.drop_column('contacts', 'personal_sealed')
    op.drop_table('sealing')
