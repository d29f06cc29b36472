"""PostgreSQL: a contact's suppression flag is set once per inserting statement, not once per row.

Migration 0013 flagged each new contact in a row trigger: a PL/pgSQL call and a query for every row,
which cost a bulk import a third as much again as the COPY of its contacts. A statement-level trigger now
reads the statement's new contacts as a transition table and flags those the list names (few: most
statements write nothing). As on SQLite, a writer that inserts the flag already set keeps it: a flag only
makes a plan read the contact's entries. The row trigger for updates of phone or email stays; SQLite's
triggers are untouched.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:00:00
"""

from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# Whether the suppression list names one of a contact's addresses, as migration 0013 defines it.
LISTED = ("EXISTS (SELECT 1 FROM suppressions s WHERE (s.address = {phone} AND s.channel IN ('sms', 'whatsapp'))"
          " OR (s.address = {email} AND s.channel = 'email'))")

# The ids gathered first and the contacts read by primary key: joined to the transition table, which has
# no statistics, the planner would hash the whole contacts table for every statement (see 0015).
STATEMENT_FUNCTION = f"""CREATE FUNCTION herald_contacts_listed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE ids bigint[]; BEGIN
    ids := ARRAY(SELECT n.id FROM new_rows n
                 WHERE NOT n.on_suppression_list AND {LISTED.format(phone='n.phone', email='n.email')});
    IF cardinality(ids) > 0 THEN
        UPDATE contacts SET on_suppression_list = true WHERE id = ANY(ids);
    END IF;
    RETURN NULL; END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP TRIGGER contact_listed_insert ON contacts")
    op.execute(STATEMENT_FUNCTION)
    op.execute("CREATE TRIGGER contact_listed_insert AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION herald_contacts_listed()")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP TRIGGER contact_listed_insert ON contacts")
    op.execute("DROP FUNCTION herald_contacts_listed()")
    op.execute("CREATE TRIGGER contact_listed_insert BEFORE INSERT ON contacts FOR EACH ROW "
               "EXECUTE FUNCTION herald_contact_listed()")
