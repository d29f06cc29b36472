"""Templates declare the jurisdictions (policy presets) they are written for, so that review lints them
against every one of those, not only the installation's default.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 00:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    kind = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
    op.add_column('templates', sa.Column('presets', kind, server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('templates') as batch:
        batch.drop_column('presets')
