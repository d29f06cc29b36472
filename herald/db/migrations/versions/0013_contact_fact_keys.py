"""Each contact carries its consents as one text and a flag for an entry on the suppression list at one of
its addresses, kept by the database itself.

A campaign plan groups its audience by what the rules read of each contact; reading the consents and the
suppression list per contact with a subquery was most of a million-recipient plan's time. Triggers keep
both columns true whoever writes the consents, the suppression list or a contact's addresses: a bulk
import, the API, a merge, an erasure or an operator's own SQL. (A later migration that rebuilds one of
these tables on SQLite must create the triggers again.)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# One consent as text, and a contact's consents joined: the same expression wherever a key is computed,
# so that equal consents give equal keys. The order of the items is not fixed; an order that differs only
# splits a group of like contacts in two, it never merges unlike ones.
CONSENT_ITEM = "format('%s|%s|%s|%s|%s|%s', x.channel, x.purpose, x.status, x.recorded_at, x.source, x.has_evidence)"
CONSENT_KEY = {
    'sqlite': f"(SELECT group_concat({CONSENT_ITEM}, char(30)) FROM consents x WHERE x.contact_id = {{id}})",
    'postgresql': f"(SELECT string_agg({CONSENT_ITEM}, chr(30)) FROM consents x WHERE x.contact_id = {{id}})",
}
# Whether the suppression list names one of the contact's addresses on a channel they serve, expired or not
# (the plan reads the entries of flagged contacts, and which are still in force, when it plans).
LISTED = ("EXISTS (SELECT 1 FROM suppressions s WHERE (s.address = {phone} AND s.channel IN ('sms', 'whatsapp'))"
          " OR (s.address = {email} AND s.channel = 'email'))")

SQLITE = [
    *(f"""CREATE TRIGGER consent_key_{event.lower()} AFTER {event} ON consents BEGIN
        UPDATE contacts SET consent_key = {CONSENT_KEY['sqlite'].format(id=f'{row}.contact_id')}
        WHERE id = {row}.contact_id; END""" for event, row in (('INSERT', 'NEW'), ('DELETE', 'OLD'))),
    f"""CREATE TRIGGER consent_key_update AFTER UPDATE ON consents BEGIN
        UPDATE contacts SET consent_key = {CONSENT_KEY['sqlite'].format(id='contacts.id')}
        WHERE id IN (OLD.contact_id, NEW.contact_id); END""",
    """CREATE TRIGGER suppression_listed_insert AFTER INSERT ON suppressions BEGIN
        UPDATE contacts SET on_suppression_list = 1
        WHERE phone = NEW.address AND NEW.channel IN ('sms', 'whatsapp') AND NOT on_suppression_list;
        UPDATE contacts SET on_suppression_list = 1
        WHERE email = NEW.address AND NEW.channel = 'email' AND NOT on_suppression_list; END""",
    *(f"""CREATE TRIGGER suppression_listed_{event.lower()} AFTER {event} ON suppressions BEGIN
        UPDATE contacts SET on_suppression_list = {LISTED.format(phone='contacts.phone', email='contacts.email')}
        WHERE phone IN ({rows}) OR email IN ({rows}); END"""
      for event, rows in (('DELETE', 'OLD.address'), ('UPDATE', 'OLD.address, NEW.address'))),
    f"""CREATE TRIGGER contact_listed_insert AFTER INSERT ON contacts
        WHEN {LISTED.format(phone='NEW.phone', email='NEW.email')} BEGIN
        UPDATE contacts SET on_suppression_list = 1 WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER contact_listed_update AFTER UPDATE OF phone, email ON contacts
        WHEN OLD.phone IS NOT NEW.phone OR OLD.email IS NOT NEW.email BEGIN
        UPDATE contacts SET on_suppression_list = {LISTED.format(phone='NEW.phone', email='NEW.email')}
        WHERE id = NEW.id; END""",
]

# PostgreSQL: one statement-level trigger per event, reading the statement's rows as transition tables, so
# that a COPY of a million consents updates each contact once rather than once a row.
_PG_CONSENT_UPDATE = (f"UPDATE contacts c SET consent_key = k.key FROM (SELECT d.contact_id, "
                      f"{CONSENT_KEY['postgresql'].format(id='d.contact_id')} AS key "
                      "FROM (SELECT DISTINCT contact_id FROM {rows}) d) k "
                      "WHERE c.id = k.contact_id AND c.consent_key IS DISTINCT FROM k.key;")
_PG_RELISTED = (f"UPDATE contacts c SET on_suppression_list = {LISTED.format(phone='c.phone', email='c.email')} "
                "WHERE c.{column} IN (SELECT address FROM {rows});")
POSTGRESQL = [
    f"""CREATE FUNCTION herald_consent_key() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {_PG_CONSENT_UPDATE.format(rows='new_rows')} END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN {_PG_CONSENT_UPDATE.format(rows='old_rows')} END IF;
        RETURN NULL; END $$""",
    f"""CREATE FUNCTION herald_suppression_listed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE contacts c SET on_suppression_list = true FROM new_rows n
            WHERE c.phone = n.address AND n.channel IN ('sms', 'whatsapp') AND NOT c.on_suppression_list;
            UPDATE contacts c SET on_suppression_list = true FROM new_rows n
            WHERE c.email = n.address AND n.channel = 'email' AND NOT c.on_suppression_list;
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            {_PG_RELISTED.format(column='phone', rows='old_rows')} {_PG_RELISTED.format(column='email', rows='old_rows')}
        END IF;
        RETURN NULL; END $$""",
    f"""CREATE FUNCTION herald_contact_listed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        NEW.on_suppression_list := {LISTED.format(phone='NEW.phone', email='NEW.email')};
        RETURN NEW; END $$""",
    *(f"CREATE TRIGGER {name}_{event.lower()} AFTER {event} ON {table} REFERENCING {tables} "
      f"FOR EACH STATEMENT EXECUTE FUNCTION herald_{name}()"
      for name, table in (('consent_key', 'consents'), ('suppression_listed', 'suppressions'))
      for event, tables in (('INSERT', 'NEW TABLE AS new_rows'), ('DELETE', 'OLD TABLE AS old_rows'),
                            ('UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'))),
    "CREATE TRIGGER contact_listed_insert BEFORE INSERT ON contacts FOR EACH ROW "
    "EXECUTE FUNCTION herald_contact_listed()",
    "CREATE TRIGGER contact_listed_update BEFORE UPDATE OF phone, email ON contacts FOR EACH ROW "
    "WHEN (OLD.phone IS DISTINCT FROM NEW.phone OR OLD.email IS DISTINCT FROM NEW.email) "
    "EXECUTE FUNCTION herald_contact_listed()",
]

TRIGGERS = ['consent_key_insert', 'consent_key_delete', 'consent_key_update', 'suppression_listed_insert',
            'suppression_listed_delete', 'suppression_listed_update', 'contact_listed_insert',
            'contact_listed_update']
TABLE_OF = {'consent': 'consents', 'suppression': 'suppressions', 'contact': 'contacts'}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN on both databases: a batch rebuild would copy every contact.
    op.add_column('contacts', sa.Column('consent_key', sa.Text(), nullable=True))
    op.add_column('contacts', sa.Column('on_suppression_list', sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    for statement in SQLITE if dialect == 'sqlite' else POSTGRESQL:
        op.execute(statement)
    # What the triggers would have written, for the rows already here.
    op.execute(f"UPDATE contacts SET consent_key = {CONSENT_KEY[dialect].format(id='contacts.id')} "
               "WHERE id IN (SELECT contact_id FROM consents)")
    op.execute(f"UPDATE contacts SET on_suppression_list = {sa.true().compile(dialect=op.get_bind().dialect)} "
               f"WHERE {LISTED.format(phone='phone', email='email')}")  # the rest took the column's default


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in TRIGGERS:
        table = TABLE_OF[name.split('_')[0]]
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == 'postgresql' else ''))
    if dialect == 'postgresql':
        for function in ('herald_consent_key', 'herald_suppression_listed', 'herald_contact_listed'):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('on_suppression_list')
        batch.drop_column('consent_key')
