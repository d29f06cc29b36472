"""Import on SQLite and PostgreSQL: buckets that add up, de-duplication, consent and bad input."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import func, select

from herald.contacts.importing import importer
from herald.contacts.models import Consent, ConsentEvent, Contact
from herald.errors import Invalid
from tests.conftest import NOW

GOOD = """name,phone,email,country,consent_sms,consent_email
Sita Sharma,9841234567,sita@example.com,NP,yes,no
王伟,+86 138 0013 8000,,,y,
Johannes Shikongo,0811234567,,NA,,
Sita again,+977 984-1234567,,,yes,
Bad Number,12345,bad@,NA,yes,
Email Only,,only@example.com,,,yes
"""


def run(container, path, **kw):
    with container.uow(dry_run=kw.get("dry_run", False)) as uow:
        return importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key, **kw)


def names(container) -> dict[str, str | None]:
    with container.uow() as uow:
        return dict(uow.session.execute(select(Contact.phone, Contact.name)).all())


def count(container, model) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_every_row_lands_in_exactly_one_bucket(container, write_csv) -> None:
    report = run(container, write_csv(GOOD))
    assert report.rows == 6
    assert report.counts == {"imported": 4, "updated": 0, "unchanged": 0, "duplicate": 1, "conflict": 0, "invalid": 1}
    assert sum(report.counts.values()) == report.rows
    problems = {(p["row"], p["field"]): p["reason"] for p in report.problems}
    assert problems[(5, "row")] == "duplicate of row 2"  # rows are file lines; the header is line 1
    assert problems[(6, "phone")] == "too short"
    assert problems[(6, "email")].startswith("not a valid email address")
    assert problems[(6, "row")] == "no valid phone or email"
    assert count(container, Contact) == 4


def test_numbers_are_stored_in_e164_with_their_facts(container, write_csv) -> None:
    run(container, write_csv(GOOD))
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact).where(Contact.phone == "+9779841234567"))
        assert (sita.region, sita.line_type, sita.phone_timezones, sita.email) == (
            "NP",
            "mobile",
            "Asia/Kathmandu",
            "sita@example.com",
        )
        assert uow.session.scalar(select(Contact.name).where(Contact.phone == "+8613800138000")) == "王伟"


def test_reimporting_the_same_file_changes_nothing(container, write_csv) -> None:
    path = write_csv(GOOD)
    run(container, path)
    events = count(container, ConsentEvent)
    again = run(container, path)
    assert again.counts["imported"] == 0 and again.counts["unchanged"] == 4 and again.counts["duplicate"] == 1
    assert count(container, Contact) == 4 and count(container, ConsentEvent) == events


def test_new_details_fill_empty_fields_once(container, write_csv) -> None:
    run(container, write_csv(GOOD))
    report = run(container, write_csv("phone,email,country\n0811234567,jo@example.com,NA\n", "more.csv"))
    assert report.counts["updated"] == 1
    assert (
        run(container, write_csv("phone,email,country\n0811234567,jo@example.com,NA\n", "y.csv")).counts["unchanged"]
        == 1
    )  # again: nothing changes
    report = run(container, write_csv("phone,email,country\n0811234567,other@example.com,NA\n", "x.csv"))
    assert report.counts["conflict"] == 1  # fill-empty: a different email is reported, not guessed
    assert "its email is jo@example.com, the row says other@example.com" in report.problems[0]["reason"]
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.email).where(Contact.phone == "+264811234567")) == "jo@example.com"


def test_overwrite_replaces_what_the_row_gives(container, write_csv) -> None:
    run(container, write_csv("phone,email,name,tier\n+264811234567,jo@example.com,Jo,gold\n"), unknown="attribute")
    report = run(
        container,
        write_csv("phone,email,name,tier\n+264811234567,new@example.com,,silver\n", "b.csv"),
        unknown="attribute",
        merge="overwrite",
    )
    assert report.counts["updated"] == 1
    with container.uow() as uow:
        jo = uow.session.scalar(select(Contact).where(Contact.phone == "+264811234567"))
        assert (jo.email, jo.name, jo.attributes) == ("new@example.com", "Jo", {"tier": "silver"})  # empty kept
    with pytest.raises(Invalid, match="merge policy"):
        run(container, write_csv("phone\n+264811234567\n", "c.csv"), merge="newest")


def test_two_rows_reaching_one_contact_in_a_batch_fill_it_in_file_order(container, write_csv) -> None:
    run(container, write_csv("phone,email\n+264811234567,jo@example.com\n"))
    report = run(
        container,
        write_csv("phone,email,name,tier\n+264811234567,,Jo,gold\n,jo@example.com,Joanna,silver\n", "b.csv"),
        unknown="attribute",
    )
    # The second row comes to the contact the first came to (by its email): a duplicate, finding nothing empty.
    assert [report.counts[k] for k in ("updated", "unchanged", "duplicate")] == [1, 0, 1]
    assert [p["reason"] for p in report.problems] == ["duplicate of row 2"]
    with container.uow() as uow:
        jo = uow.session.scalar(select(Contact).where(Contact.phone == "+264811234567"))
        assert (jo.name, jo.attributes, jo.updated_at is not None) == ("Jo", {"tier": "gold"}, True)


def test_a_key_first_seen_on_a_conflicting_row_makes_no_duplicate_of_the_next(container, write_csv) -> None:
    report = run(
        container,
        write_csv(
            "external_id,phone,email\nc1,+9779841234567,\nc2,,a@example.com\n"
            "n1,+9779841234567,a@example.com\nn1,,b@example.com\n"
        ),
    )
    assert {k: report.counts[k] for k in ("imported", "conflict", "duplicate")} == {
        "imported": 3,
        "conflict": 1,
        "duplicate": 0,
    }  # row 5 is nobody's duplicate: row 4 wrote nothing
    assert report.outcomes is None or report.outcomes[5][0] == "imported"


def test_a_phone_and_an_email_of_two_contacts_is_a_conflict(container, write_csv) -> None:
    run(container, write_csv("phone,email\n+9779841234567,\n,a@example.com\n"))
    report = run(container, write_csv("phone,email\n+9779841234567,a@example.com\n", "b.csv"))
    assert report.counts["conflict"] == 1
    assert "different contacts" in report.problems[0]["reason"]


def test_consent_is_recorded_with_proof_and_only_when_it_changes(container, write_csv) -> None:
    run(container, write_csv(GOOD))
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id).where(Contact.phone == "+9779841234567"))
        events = uow.session.scalars(
            select(ConsentEvent).where(ConsentEvent.contact_id == sita).order_by(ConsentEvent.channel)
        ).all()
        assert [(e.channel, e.status, e.source) for e in events] == [
            ("email", "revoked", "import"),
            ("sms", "granted", "import"),
        ]
        assert (events[1].evidence, events[1].provenance) == (None, "contacts.csv row 2")
    run(container, write_csv("phone,consent_sms\n+9779841234567,no\n", "stop.csv"))
    with container.uow() as uow:
        state = uow.session.get(Consent, (sita, "sms", "marketing"))
        assert state.status == "revoked"
        assert (
            uow.session.scalar(
                select(func.count())
                .select_from(ConsentEvent)
                .where(ConsentEvent.contact_id == sita, ConsentEvent.channel == "sms")
            )
            == 2
        )


def test_headers_map_in_chinese_and_by_hand(container, write_csv) -> None:
    path = write_csv("姓名,手机号,邮箱,会员等级\n李娜,13800138001,li@example.com,gold\n")
    with pytest.raises(Invalid, match="unknown column.*会员等级"):
        run(container, path, default_region="CN")
    report = run(container, path, default_region="CN", mapping={"会员等级": "attr.tier"})
    assert report.counts["imported"] == 1
    assert report.mapping == {"姓名": "name", "手机号": "phone", "邮箱": "email", "会员等级": "attr.tier"}
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.attributes)) == {"tier": "gold"}


def test_unknown_columns_can_become_attributes_or_be_ignored(container, write_csv) -> None:
    path = write_csv("phone,City\n+9779841234567,Pokhara\n")
    assert run(container, path, unknown="attribute").counts["imported"] == 1
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.attributes)) == {"city": "Pokhara"}
    assert run(container, path, unknown="ignore").counts["unchanged"] == 1


def test_a_dry_run_reports_but_writes_nothing(container, write_csv) -> None:
    report = run(container, write_csv(GOOD), dry_run=True)
    assert report.counts["imported"] == 4 and report.dry_run
    assert count(container, Contact) == 0 and count(container, ConsentEvent) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("name,city\nSita,Pokhara\n", "unknown column"),
        ("name,email_x\n", "unknown column"),
        ("name\nSita\n", "no phone or email column"),
        ("phone,phone_number\n1,2\n", "map twice"),
        ('phone,name\n+9779841234567,"unclosed\n', "line 9: a quote opened .* never closed"),
        ('phone,name\n+9779841234567,"a"b\n', "malformed CSV"),
    ],
)
def test_bad_files_are_refused_with_the_place_and_nothing_is_written(container, write_csv, content, message) -> None:
    with pytest.raises(Invalid, match=message):
        appended = "malformed" in message or "quote" in message
        run(container, write_csv(GOOD.replace("Sita", "Gita") + content if appended else content))
    assert count(container, Contact) == 0


def test_a_file_that_is_not_in_the_encoding_given_names_the_line(container, write_csv) -> None:
    path = write_csv("name,phone\n王伟,13800138000\n".encode("gbk"))
    with pytest.raises(Invalid, match="not valid utf-8 text.*--encoding") as error:
        run(container, path, default_region="CN", encoding="utf-8")
    assert "line 2" in str(error.value)
    assert count(container, Contact) == 0
    report = run(container, path, default_region="CN")
    assert report.counts["imported"] == 1 and report.read_as["encoding"] == "gb18030"


def test_rows_with_the_wrong_number_of_fields_are_reported(container, write_csv) -> None:
    report = run(container, write_csv("phone,name\n+9779841234567,Sita,extra\n+9779841234568,Ram\n"))
    assert report.counts == {**report.counts, "invalid": 1, "imported": 1}
    assert report.problems[0] == {"row": 2, "field": "row", "value": 3, "reason": "has 3 fields, the header has 2"}


def test_bad_cells_are_reported_by_field(container, write_csv) -> None:
    report = run(
        container,
        write_csv("phone,country,timezone,consent_sms\n9841234567,Nepal,Mars/Base,maybe\n"),
        default_region="DE",
    )
    fields = {p["field"]: p["reason"] for p in report.problems}
    assert fields == {"timezone": "not a known IANA time zone", "consent_sms": "expected yes or no"}
    assert names(container) == {"+9779841234567": None}  # read in Nepal, named in words


def test_country_names_decide_the_numbering_a_phone_is_read_in(container, write_csv) -> None:
    rows = (
        "name;phone;country\nAmélie;06 12 34 56 78;France\nWei;138 0013 8000;中华人民共和国\n"
        "Tom;020 7946 0018;UK\nJo;+33 6 12 34 56 79;Frankreich2\nMax;030 123456;Deutschland\n"
    )
    report = run(container, write_csv(rows), default_region="DE")
    assert names(container) == {
        "+33612345678": "Amélie",
        "+8613800138000": "Wei",
        "+442079460018": "Tom",
        "+33612345679": "Jo",
        "+4930123456": "Max",
    }
    assert [(p["row"], p["field"]) for p in report.problems] == [(5, "country")]


def test_a_country_that_cannot_be_read_never_lends_the_default_region(container, write_csv) -> None:
    report = run(container, write_csv("name;phone;country\nAmélie;06 12 34 56 78;Frankreich2\n"), default_region="DE")
    fields = {p["field"]: p["reason"] for p in report.problems}
    assert "not a country Herald can read" in fields["country"] and "e.g. FR" in fields["country"]
    assert fields["phone"] == "not read: it has no country code and the row's country is unknown"
    assert report.counts["invalid"] == 1 and names(container) == {}


def test_an_unknown_default_region_is_refused(container, write_csv) -> None:
    with pytest.raises(Invalid, match="--default-region"):
        run(container, write_csv(GOOD), default_region="Nepal")


def test_duplicates_inside_one_batch_merge_their_details(container, write_csv) -> None:
    report = run(
        container, write_csv("phone,email\n+9779841234567,\n9841234567,late@example.com\n"), default_region="NP"
    )
    assert report.counts["imported"] == 1 and report.counts["duplicate"] == 1
    assert report.problems[0]["reason"] == "duplicate of row 2; new details merged"
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.email)) == "late@example.com"


def test_the_demo_sample_imports_with_every_row_accounted_for(container) -> None:
    from importlib import resources

    sample = resources.files("herald.cli.demo") / "data" / "demo_contacts.csv"
    with resources.as_file(sample) as path:
        report = run(container, path)
    assert report.rows == 2000 and sum(report.counts.values()) == 2000
    assert report.counts["invalid"] > 0 and report.counts["duplicate"] > 0
    assert count(container, Contact) == report.counts["imported"]


def test_extensions_are_kept_apart_from_the_number(container, write_csv) -> None:
    report = run(
        container,
        write_csv("phone,ext,name\n+1 415 555 2671 ext. 12,,Desk\n+14155552672,x204,Front\n+14155552673,abc,Back\n"),
    )
    assert report.counts["imported"] == 3
    assert [(p["field"], p["reason"]) for p in report.problems] == [("phone_extension", "expected up to 16 digits")]
    with container.uow() as uow:
        found = dict(uow.session.execute(select(Contact.phone, Contact.phone_extension)).all())
    assert found == {"+14155552671": "12", "+14155552672": "204", "+14155552673": None}


def test_ids_are_read_back_by_key_when_numbering_cannot_be_trusted(container, write_csv, monkeypatch) -> None:
    from herald.contacts.service import upsert as contacts_upsert

    monkeypatch.setattr(contacts_upsert, "_holds", lambda *a: False)
    run(container, write_csv(GOOD))
    with container.uow() as uow:
        pairs = uow.session.execute(
            select(Contact.phone, Consent.channel, Consent.status)
            .join(Consent, Consent.contact_id == Contact.id)
            .order_by(Contact.phone, Consent.channel)
        ).all()
    assert ("+9779841234567", "email", "revoked") in pairs and ("+8613800138000", "sms", "granted") in pairs


def test_garbage_is_collected_less_often_only_while_an_import_runs(container, write_csv) -> None:
    before, during = gc.get_threshold(), []
    run(container, write_csv(GOOD), progress=lambda _: during.append(gc.get_threshold()))
    assert during and all(t[0] > before[0] for t in during)
    assert gc.get_threshold() == before


def test_headers_people_write_are_understood(container, write_csv) -> None:
    report = run(
        container,
        write_csv(
            "First Name,Last Name,Mobile Number,同意短信,同意来源\n"
            "Sita,Sharma,+9779841234567,是,门店登记\n"
            "伟,王,+8613800138000,否,\n"
        ),
    )
    assert report.problems == [] and report.counts["imported"] == 2
    assert names(container) == {"+9779841234567": "Sita Sharma", "+8613800138000": "王伟"}
    with container.uow() as uow:
        assert dict(uow.session.execute(select(ConsentEvent.status, ConsentEvent.source)).all()) == {
            "granted": "门店登记",
            "revoked": "import",
        }


def test_cells_postgresql_refuses_are_refused_per_row_on_both_databases(container) -> None:
    from herald.contacts.importing import items

    with container.uow() as uow:
        results = items.upsert(
            uow,
            [
                {"phone": "+9779841234567", "name": "Si\x00ta"},
                {"phone": "+9779841234568", "name": "\ud800"},
                {"phone": "+9779841234569", "name": "Ram"},
            ],
            NOW,
            erasure_key="k",
        )
    assert [r["status"] for r in results] == ["invalid", "invalid", "imported"]
    assert "NUL character" in results[0]["problems"][0]["reason"]
    assert "lone surrogate" in results[1]["problems"][0]["reason"]
    assert names(container) == {"+9779841234569": "Ram"}
