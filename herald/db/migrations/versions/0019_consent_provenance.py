"""Consent proof and provenance kept apart.

Imports and the API used to record where a consent came from ("members.csv row 12", "api row 1") as its
evidence, so every imported consent looked proven. That text is provenance: it moves to its own column,
the evidence keeps only what the operator supplied (an evidence column's text, written before it as
"TEXT (members.csv row 12)"), and a consent whose latest record holds neither evidence nor an IP address
is no longer counted as proven.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 00:10:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BATCH = 5000
MADE_UP = re.compile(r"(?s)(?:(?P<evidence>.*) \()?(?P<provenance>[^()]* row \d+)(?(evidence)\))")


def upgrade() -> None:
    op.add_column('consent_events', sa.Column('provenance', sa.Text(), nullable=True))
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text("SELECT id, evidence FROM consent_events WHERE id > :last AND evidence IS NOT NULL "
                                    f"ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not rows:
            break
        moved = [{"id": i, **split(text)} for i, text in rows if MADE_UP.fullmatch(text)]
        if moved:
            bind.execute(sa.text("UPDATE consent_events SET evidence = :evidence, provenance = :provenance "
                                 "WHERE id = :id"), moved)
        last = rows[-1].id
    # A consent is proven when a record of its current state carries evidence or an IP address.
    bind.execute(sa.text(
        "UPDATE consents SET has_evidence = false WHERE has_evidence AND NOT EXISTS (SELECT 1 FROM consent_events e "
        "WHERE e.contact_id = consents.contact_id AND e.channel = consents.channel AND e.purpose = consents.purpose "
        "AND e.status = consents.status AND e.recorded_at = consents.recorded_at "
        "AND (e.evidence IS NOT NULL OR e.ip IS NOT NULL))"))


def split(text: str) -> dict[str, str | None]:
    """The operator's evidence and the provenance of a text the importer used to write."""
    match = MADE_UP.fullmatch(text)
    return {"evidence": match["evidence"] or None, "provenance": match["provenance"]}


def downgrade() -> None:
    with op.batch_alter_table('consent_events') as batch:
        batch.drop_column('provenance')
