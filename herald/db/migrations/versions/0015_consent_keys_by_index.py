"""PostgreSQL: the consent-key trigger finds the contacts a statement touched through the primary key.

The statement-level trigger of migration 0013 joined the statement's rows to `contacts`; with no
statistics on a transition table, and none yet on a table a bulk import is filling, the planner hashed the
whole contacts table for every statement: each batch of an import read every contact written before it
(a million-row import slowed as it went). The trigger now gathers the statement's contact ids into an
array and reads those contacts by primary key. What it computes is unchanged. SQLite's row triggers are
untouched.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 12:00:00
"""

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The consent key as migration 0013 defines it.
CONSENT_KEY = ("(SELECT string_agg(format('%s|%s|%s|%s|%s|%s', x.channel, x.purpose, x.status, x.recorded_at, "
               "x.source, x.has_evidence), chr(30)) FROM consents x WHERE x.contact_id = {id})")


def _by_ids(rows: str) -> str:
    return (f"ids := ARRAY(SELECT DISTINCT contact_id FROM {rows}); "
            f"UPDATE contacts c SET consent_key = k.key FROM (SELECT d.contact_id, {CONSENT_KEY.format(id='d.contact_id')} "
            "AS key FROM unnest(ids) AS d(contact_id)) k "
            "WHERE c.id = ANY(ids) AND c.id = k.contact_id AND c.consent_key IS DISTINCT FROM k.key;")


def _joined(rows: str) -> str:
    return (f"UPDATE contacts c SET consent_key = k.key FROM (SELECT d.contact_id, "
            f"{CONSENT_KEY.format(id='d.contact_id')} AS key FROM (SELECT DISTINCT contact_id FROM {rows}) d) k "
            "WHERE c.id = k.contact_id AND c.consent_key IS DISTINCT FROM k.key;")


def _function(update) -> str:
    return f"""CREATE OR REPLACE FUNCTION herald_consent_key() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE ids bigint[]; BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {update('new_rows')} END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN {update('old_rows')} END IF;
        RETURN NULL; END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_function(_by_ids))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_function(_joined))
