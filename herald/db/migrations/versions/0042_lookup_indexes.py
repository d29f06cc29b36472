"""An index on every foreign key's column that a delete or a merge looks up: without one, erasing or
merging a person read every campaign's and segment's members, and removing an inbound message every reply.
And the replies by the message they answer, which a campaign's results read: they read every reply kept.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-06 21:00:00.000000
"""

from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None

INDEXED = [
    ('campaign_members', 'contact_id'),
    ('campaigns', 'template_id'),
    ('segment_members', 'contact_id'),
    ('tags', 'category_id'),
    ('replies', 'inbound_id'),
    ('complaint_cases', 'inbound_id'),
    ('alert_notices', 'alert_id'),
    ('inbound_messages', 'replied_to'),
]


def upgrade() -> None:
    for table, column in INDEXED:
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
