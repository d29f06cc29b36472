"""Personal data sealed at rest, on SQLite and PostgreSQL: the tables hold keys and sealed copies, never
the phone numbers, e-mail addresses, names or sensitive attributes; everything Herald does with them —
import, match, segment, send, hear a STOP, export, erase — works as it does without sealing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from herald import access, bootstrap, people, segments, tracking
from herald.access import Sealer, sealer_of
from herald.config import Settings
from herald.contacts import export, matching, service
from herald.contacts.importing import importer
from herald.contacts.models import Contact, Suppression
from herald.errors import Invalid
from herald.outbox.models import Message
from herald.providers import Report, read_report
from herald.types import Channel
from tests.cli.test_cli import herald
from tests.conftest import KEY_FILE, NOW
from tests.providers.incoming.test_bounces import dsn
from tests.scenario import plan, setup
from tests.web.clients import api_client

SITA, WANG = "+9779841234567", "+8613800138000"
PERSONAL = ("9841234567", "sita@example.com", "Sita", "Sharma", "王伟", "13800138000", "1990-04-01", "Shikongo")
CSV = (
    "name,phone,email,birthday,city,consent_sms\nSita Sharma,+977 984-1234567,sita@example.com,1990-04-01,Pokhara,yes\n"
)


def load(container, tmp_path, csv: str = CSV, **kw):
    path = tmp_path / "people.csv"
    path.write_text(csv, encoding="utf-8")
    with container.uow() as uow:
        return importer.import_file(
            uow, path, NOW, unknown="attribute", erasure_key=container.settings.secret_key, **kw
        )


def stored(container) -> list[str]:
    """Every text value of every row of the tables that hold people's data, as the database holds it."""
    tables = (
        "contacts",
        "consent_events",
        "suppressions",
        "allow_list",
        "messages",
        "inbound_messages",
        "replies",
        "events",
    )
    found = []
    with container.engine.connect() as conn:
        for table in tables:
            for row in conn.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                found.extend(str(v) for v in row if v is not None)
    return found


def leaked(container) -> list[str]:
    values = stored(container)
    return [p for p in PERSONAL if any(p in v for v in values)]


def test_an_import_stores_keys_and_sealed_copies_and_objects_read_plain(sealed, tmp_path) -> None:
    report = load(sealed, tmp_path)
    assert report.counts["imported"] == 1 and leaked(sealed) == []
    with sealed.engine.connect() as conn:
        phone, email, name, attrs = conn.execute(text("SELECT phone, email, name, attributes FROM contacts")).one()
    assert phone.startswith("+977984") and len(phone) == 20 and email.endswith("@example.com") and name is None
    assert "Pokhara" in str(attrs) and "1990" not in str(attrs)  # only the sensitive attribute is sealed
    with sealed.uow() as uow:
        sita = service.find_contact(uow, "+977 9841234567")
        assert (sita.phone, sita.email, sita.name) == (SITA, "sita@example.com", "Sita Sharma")
        assert sita.attributes == {"birthday": "1990-04-01", "city": "Pokhara"}
        assert service.find_contact(uow, "SITA@example.com").id == sita.id


def test_a_reimport_matches_the_sealed_contact_and_changes_only_what_differs(sealed, tmp_path) -> None:
    load(sealed, tmp_path)
    again = load(sealed, tmp_path)
    assert again.counts["unchanged"] == 1 and again.counts["imported"] == 0
    renamed = CSV.replace("Sita Sharma", "Sita S.").replace("1990-04-01", "1990-04-02")
    changed = load(sealed, tmp_path, renamed, merge="overwrite")
    assert changed.counts["updated"] == 1
    with sealed.uow() as uow:
        sita = service.find_contact(uow, SITA)
        assert (sita.name, sita.attributes["birthday"]) == ("Sita S.", "1990-04-02")
    clash = load(sealed, tmp_path, CSV.replace("sita@example.com", "other@example.com"))
    assert clash.counts["conflict"] == 1
    assert "its email is sita@example.com, the row says other@example.com" in clash.problems[0]["reason"]


def test_a_campaign_goes_to_the_real_number_and_the_ledger_keeps_it_sealed(sealed, tmp_path) -> None:
    cid = setup(sealed, tmp_path)
    plan(sealed, cid)
    stats = asyncio.run(sealed.worker().run(until_idle=True))
    assert stats.sent == 2
    path = sealed.providers["file"].path_for("sms")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["to"] for line in lines) == ["+264811234567", SITA]
    assert any(line["body"] == "Hi Sita, sale today. Reply STOP to opt out." for line in lines)
    assert leaked(sealed) == []
    with sealed.uow() as uow:
        went = uow.session.scalars(select(Message).where(Message.status == "sent")).all()
        assert sorted(m.address for m in went) == ["+264811234567", SITA]  # objects open their copies


def test_a_stop_suppresses_the_sealed_number_and_the_next_send_skips_it(sealed, tmp_path) -> None:
    setup(sealed, tmp_path)
    with sealed.uow() as uow:
        report = Report("inbound", None, sender=SITA, text="STOP", event="m1")
        heard = tracking.record_inbound(uow, "gateway", Channel.SMS, [report], sealed.replies, NOW)
    assert dict(heard) == {"stop": 1} and leaked(sealed) == []
    with sealed.uow() as uow:
        (entry,) = uow.session.scalars(select(Suppression)).all()
        assert (entry.channel, entry.address) == ("sms", SITA)
        sita = service.find_contact(uow, SITA)
        assert uow.session.scalar(select(Contact.on_suppression_list).where(Contact.id == sita.id)) is True
        assert service.unsuppress(uow, Channel.SMS, SITA)


def test_export_shows_the_person_and_erasure_leaves_no_sealed_copy(sealed, tmp_path) -> None:
    load(sealed, tmp_path)
    with sealed.uow() as uow:
        sita = service.find_contact(uow, SITA)
        service.suppress(uow, Channel.EMAIL, "sita@example.com", "opt-out", NOW)
        held = export.person(uow, sita.id)
    assert held["contact"]["phone"] == SITA and held["contact"]["name"] == "Sita Sharma"
    assert held["suppressions"][0]["address"] == "sita@example.com"
    with sealed.uow() as uow:
        service.erase(uow, sita.id, NOW, sealed.settings.secret_key)
    with sealed.engine.connect() as conn:
        row = conn.execute(text("SELECT phone, email, name, personal_sealed FROM contacts")).one()
        assert tuple(row) == (None, None, None, None)
        assert conn.execute(text("SELECT count(*) FROM suppressions WHERE reason <> 'erased'")).scalar() == 0
    assert load(sealed, tmp_path).counts["invalid"] == 1  # and is never imported again


def test_segments_work_on_plain_facts_and_refuse_a_sealed_attribute(sealed, tmp_path) -> None:
    setup(sealed, tmp_path)
    load(sealed, tmp_path, CSV.replace("+977 984-1234567", "+977 985-1234599").replace("sita@", "sita2@"))
    with sealed.uow() as uow:
        assert segments.count(uow.session, "region:NP", NOW) == 4
        assert segments.count(uow.session, "has:email", NOW) == 2
        assert segments.count(uow.session, 'attr.city = "Pokhara"', NOW) == 1
        with pytest.raises(Invalid, match="birthday are sealed at rest"):
            segments.count(uow.session, 'attr.birthday = "1990-04-01"', NOW)


def test_search_finds_whole_values_only(sealed, tmp_path) -> None:
    setup(sealed, tmp_path)

    def found(q: str) -> list[int]:
        with sealed.uow() as uow:
            where = matching(uow.session, q, "NP")
            return list(uow.session.scalars(select(Contact.id).where(where)))

    assert len(found("9841234567")) == 1 and len(found("sita@example.com")) == 1
    assert found("Sita") == [] and found("984123") == []


def test_a_workspace_sealed_refuses_to_start_without_its_key_or_with_another(sealed, tmp_path) -> None:
    load(sealed, tmp_path)
    plain = Settings(env="test", database_url=sealed.settings.database_url)
    with pytest.raises(Invalid, match="personal data is sealed: set encryption_key_file"):
        bootstrap.build(plain).migrate()
    other = tmp_path / "other.keys"
    other.write_text(KEY_FILE.replace("lookup=AwMD", "lookup=BAQE"))
    with pytest.raises(Invalid, match="lookup key is not the one"):
        bootstrap.build(Settings(env="test", database_url=plain.database_url, encryption_key_file=str(other))).migrate()


def test_sensitive_attributes_without_a_key_file_are_refused() -> None:
    with pytest.raises(Invalid, match="needs encryption_key_file"):
        bootstrap.sealer_for(Settings(env="test", sensitive_attributes="birthday"))


def test_without_a_key_file_nothing_is_sealed(container, tmp_path) -> None:
    load(container, tmp_path)
    with container.uow() as uow:
        assert sealer_of(uow.session).on is False
    with container.engine.connect() as conn:
        assert conn.execute(text("SELECT phone, personal_sealed FROM contacts")).one() == (SITA, None)
    assert Sealer().key("phone", SITA) == SITA


def test_sealing_turned_on_later_seals_what_was_plain_and_keeps_suppressions_matched(container, tmp_path) -> None:
    setup(container, tmp_path)
    load(container, tmp_path)  # Sita's birthday, which was not sensitive then
    with container.uow() as uow:
        service.suppress(uow, Channel.SMS, SITA, "opt-out", NOW)
    keys = tmp_path / "herald.keys"
    keys.write_text(KEY_FILE)
    settings = Settings(
        env="test",
        database_url=container.settings.database_url,
        encryption_key_file=str(keys),
        sensitive_attributes="birthday",
    )
    later = bootstrap.build(settings)
    later.migrate()
    with later.uow() as uow:
        done = access.reseal(uow.session, later.sealer)
    assert done.rows["contacts"] >= 6 and done.rows["suppressions"] == 1
    assert leaked(later) == []
    with later.uow() as uow:
        sita = service.find_contact(uow, SITA)
        assert (sita.name, sita.email, sita.attributes["birthday"]) == ("Sita Sharma", "sita@example.com", "1990-04-01")
        assert segments.count(uow.session, "suppressed:sms", NOW) == 1
        again = access.reseal(uow.session, later.sealer)
    assert again.total == 0
    later.close()


def test_a_rotated_key_reseals_every_value_and_the_old_key_can_go(sealed, tmp_path, capsys) -> None:
    setup(sealed, tmp_path)
    load(sealed, tmp_path)
    keys = sealed.settings.encryption_key_file
    assert cli(["db", "keyfile", keys, "--rotate", "--json"], sealed, capsys)["key"] == "k3"
    rotated = bootstrap.build(sealed.settings)
    with rotated.uow() as uow:
        done = access.reseal(uow.session, rotated.sealer)
    assert done.rows["contacts"] >= 6 and "suppressions" not in done.rows  # none was sealed
    newest = Path(keys).read_text().splitlines()[0]
    Path(keys).write_text(f"{newest}\nlookup={KEY_FILE.split('lookup=')[1]}")  # k2 leaves the file
    alone = bootstrap.build(sealed.settings)
    with alone.uow() as uow:
        sita = service.find_contact(uow, SITA)
        assert (sita.name, sita.attributes["birthday"]) == ("Sita Sharma", "1990-04-01")
    rotated.close()
    alone.close()


def test_a_new_key_file_is_private_and_never_overwritten(tmp_path, sealed, capsys) -> None:
    path = tmp_path / "new.keys"
    assert cli(["db", "keyfile", str(path), "--json"], sealed, capsys) == {"path": str(path), "key": "k1"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert access.read_key_file(str(path)).current == "k1"
    cli(["db", "keyfile", str(path)], sealed, capsys, code=2)
    assert "rotate it with --rotate" in herald.last_err


def cli(args: list[str], container, capsys, code: int = 0) -> dict:
    """The CLI on the sealed workspace, with its key file set as an operator sets it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HERALD_ENCRYPTION_KEY_FILE", container.settings.encryption_key_file)
        patch.setenv("HERALD_SENSITIVE_ATTRIBUTES", "birthday")
        out = herald(capsys, "--db", container.settings.database_url, *args, code=code)
    return json.loads(out) if code == 0 else {}


def test_nothing_personal_is_left_in_any_table_whatever_comes_in(sealed, tmp_path) -> None:
    cid = setup(sealed, tmp_path)
    api = api_client(sealed)
    made = api.post(
        "/api/v1/contacts", json={"name": "Maria Shikongo", "phone": "+264 81 765 4321", "email": "maria@example.na"}
    )
    assert made.status_code == 201 and made.json()["contact"]["name"] == "Maria Shikongo"
    maria = made.json()["id"]
    changed = api.patch(
        f"/api/v1/contacts/{maria}", json={"name": "Maria S. Shikongo", "attributes": {"birthday": "1990-04-01"}}
    )
    assert changed.status_code == 200 and changed.json()["phone"] == "+264817654321"
    found = api.get("/api/v1/contacts", params={"q": "maria@example.na"}).json()
    assert [c["id"] for c in found["items"]] == [maria] and found["items"][0]["name"] == "Maria S. Shikongo"
    stored_event = api.post(
        "/api/v1/events", json=[{"type": "purchase", "phone": "+264817654321", "properties": {"total": 12}}]
    )
    assert stored_event.status_code == 200, stored_event.text
    with sealed.uow() as uow:
        people.merge_people(uow, maria, service.find_contact(uow, "+264811234567").id, NOW, "tests")
    plan(sealed, cid)
    asyncio.run(sealed.worker().run(until_idle=True))
    with sealed.uow() as uow:
        complaint = Report("inbound", None, sender=SITA, text="This is spam, I will report you", event="m2")
        tracking.record_inbound(uow, "gateway", Channel.SMS, [complaint], sealed.replies, NOW)
        raw = dsn("failed", "5.1.1")  # for sita@example.com
        assert "suppressed as invalid" in tracking.record_mail_report(uow, raw, None, read_report(raw), 1, None, NOW)[0]
    asyncio.run(sealed.worker().run(until_idle=True))  # the answer owed goes to the real number
    personal = (*PERSONAL, "Maria", "7654321", "maria@example.na")
    with sealed.engine.connect() as conn:
        for table in bootstrap.metadata().sorted_tables:
            for row in conn.execute(table.select()):
                held = " ".join(str(v) for v in row if v is not None)
                assert not [p for p in personal if p in held], (table.name, held[:300])
    if sealed.engine.dialect.name == "sqlite":  # nor in the file's bytes, free pages and the WAL included
        path = Path(sealed.engine.url.database)
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"Kathmandu" in raw and [p for p in personal if p.encode() in raw] == []  # (time zones are plain)


def test_rows_parsed_in_worker_processes_are_sealed_there_and_open_here(sealed, tmp_path, monkeypatch) -> None:
    from herald.contacts.importing import parallel

    monkeypatch.setattr(parallel, "SERIAL", 20)
    lines = [f"Person {i},+9779841{i:06d},p{i}@example.com,1990-01-{i % 28 + 1:02d},Pokhara,yes" for i in range(300)]
    report = load(
        sealed, tmp_path, "name,phone,email,birthday,city,consent_sms\n" + "\n".join(lines) + "\n", processes=2
    )
    assert report.counts["imported"] == 300
    with sealed.uow() as uow:
        for i in (0, 150, 299):
            person = service.find_contact(uow, f"p{i}@example.com")
            assert (person.name, person.phone) == (f"Person {i}", f"+9779841{i:06d}")
            assert person.attributes["birthday"] == f"1990-01-{i % 28 + 1:02d}"


def test_a_key_file_that_cannot_be_read_is_named(tmp_path) -> None:
    with pytest.raises(Invalid, match="cannot read it") as missing:
        bootstrap.sealer_for(Settings(env="test", encryption_key_file=str(tmp_path / "none.keys")))
    assert "none.keys" in str(missing.value)
    bad = tmp_path / "bad.keys"
    bad.write_text("k1=not-base64!\n")
    with pytest.raises(Invalid, match="line 1"):
        bootstrap.sealer_for(Settings(env="test", encryption_key_file=str(bad)))


def test_every_command_on_a_sealed_workspace_needs_its_key_file(sealed, tmp_path, capsys, monkeypatch) -> None:
    load(sealed, tmp_path)
    db = ("--db", sealed.settings.database_url)
    monkeypatch.delenv("HERALD_ENCRYPTION_KEY_FILE", raising=False)
    herald(capsys, *db, "contacts", "list", code=2)
    assert "personal data is sealed: set encryption_key_file" in herald.last_err
    shown = cli(["contacts", "show", "+977 984-1234567", "--json"], sealed, capsys)
    assert "Sita Sharma" in json.dumps(shown, ensure_ascii=False) and SITA in json.dumps(shown)


def test_reseal_needs_the_schema(tmp_path, capsys, monkeypatch) -> None:
    keys = tmp_path / "k.keys"
    keys.write_text(KEY_FILE)
    monkeypatch.setenv("HERALD_ENCRYPTION_KEY_FILE", str(keys))
    herald(capsys, "--db", f"sqlite:///{tmp_path / 'empty.db'}", "db", "reseal", code=2)
    assert "run `herald db upgrade` first" in herald.last_err
