"""The `herald` command as a user meets it: global options, --json, exit codes, one-line errors."""

from __future__ import annotations

import io
import json
import re

import pytest

from herald.cli.main import run
from tests.conftest import migrate_head
from tests.scenario import CSV


def herald(capsys, *args: str, code: int = 0) -> str:
    """Run the CLI in-process; returns standard output, asserting the exit code."""
    try:
        run(list(args))
        got = 0
    except SystemExit as exc:
        got = exc.code
    captured = capsys.readouterr()
    assert got == code, captured.err
    herald.last_err = captured.err
    return captured.out


def as_json(capsys, *args: str) -> object:
    return json.loads(herald(capsys, *args))


PASSWORD = "correct horse battery staple"


def add_users(capsys, *db: str, **roles: str) -> None:
    """Create Herald users (name=role) through the CLI, as the system user, each with PASSWORD."""
    for name, role in roles.items():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
            herald(capsys, *db, "users", "create", name, "--role", role, "--password-stdin")


def test_the_whole_flow_from_the_command_line(capsys, db_url, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    db = ["--db", db_url]
    imported = as_json(capsys, *db, "--json", "contacts", "import", "c.csv", "--tag", "spring-fair")
    assert (imported["rows"], imported["imported"]) == (6, 6)
    assert imported["tags"] == {"spring-fair": {"contacts": 6, "tagged": 6, "extended": 0, "created": True}}
    (tmp_path / "t.csv").write_text("phone,tags\n+9779841234567,lead vip-2026\n", encoding="utf-8")
    text = herald(capsys, *db, "contacts", "import", "t.csv")
    assert "tag lead: 1 contact(s), 1 newly tagged, a new tag" in text and "tag vip-2026:" in text
    herald(capsys, *db, "contacts", "import", "t.csv", "--tag", "no!", code=2)
    assert "--tag: 'no!' is not a valid tag name" in herald.last_err
    assert as_json(capsys, *db, "tags", "create", "vip", "--json")["name"] == "vip"
    assert as_json(capsys, *db, "--json", "tags", "apply", "vip", "--segment", "region:NP")["newly_tagged"] == 3
    assert as_json(capsys, *db, "--json", "tags", "apply", "vip", "--ids", "2")["newly_tagged"] == 1
    assert as_json(capsys, *db, "--json", "segments", "count", "tag:vip and consent:sms")["count"] == 2
    listed = as_json(capsys, *db, "--json", "segments", "list", "tag:vip", "--limit", "2")
    assert [c["id"] for c in listed] == [1, 2]
    add_users(capsys, *db, ana="marketer", bo="approver")
    template = as_json(
        capsys,
        "--as",
        "ana",
        *db,
        "--json",
        "templates",
        "create",
        "sale",
        "--channel",
        "sms",
        "--body",
        "Hi {{ first_name | default('there') }}! Reply STOP to opt out.",
    )
    assert template["sms"]["encoding"] == "GSM-7" and template["status"] == "draft"
    assert as_json(
        capsys, *db, "--json", "campaigns", "create", "Sale", "--segment", "has:phone", "--template", "sale"
    )["variants"][0]["templates"] == [["sms", 1]]
    herald(capsys, *db, "campaigns", "plan", "Sale", code=4)  # no approved version yet
    assert "template sale has no approved version" in herald.last_err
    assert as_json(capsys, "--as", "ana", *db, "--json", "templates", "submit", "sale")["status"] == "pending"
    herald(capsys, "--as", "ana", *db, "templates", "approve", "sale", code=5)  # not one's own
    assert as_json(capsys, "--as", "bo", *db, "--json", "templates", "approve", "sale")["status"] == "approved"
    planned = as_json(capsys, *db, "--json", "campaigns", "plan", "Sale")
    assert planned["audience"] == 6 and planned["new"] == 6
    assert as_json(capsys, *db, "--json", "campaigns", "start", "1")["changed"] is False
    assert "nothing changed" in herald(capsys, *db, "campaigns", "start", "1")
    assert as_json(capsys, *db, "--json", "campaigns", "add-newcomers", "1")["new"] == 0
    worker = as_json(capsys, *db, "--json", "worker", "--until-idle")
    assert worker["sent"] + worker["deferred"] + worker["skipped"] <= 6 and worker["sent"] >= 1
    report = as_json(capsys, *db, "--json", "reports", "campaign", "Sale")
    assert report["audience"] == 6 and report["sent"] == worker["sent"]
    why = as_json(capsys, *db, "--json", "campaigns", "explain", "Sale", "6")
    assert why["action"] == "skip" and why["reason"] == "consent"
    text = herald(capsys, *db, "campaigns", "explain", "Sale", "6")
    assert text.startswith("Not sent: consent — marketing consent on sms was withdrawn")
    written = (tmp_path / "herald-outbox" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(written) == worker["sent"]


def test_json_before_and_after_the_command_is_the_same(capsys, db_url, tmp_path) -> None:
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    before = as_json(capsys, "--db", db_url, "--json", "contacts", "import", str(tmp_path / "c.csv"), "--dry-run")
    after = as_json(capsys, "--db", db_url, "contacts", "import", str(tmp_path / "c.csv"), "--dry-run", "--json")
    assert before == after and before["dry_run"] is True


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["segments", "count", "tag:vip and"], 2, "segment 'tag:vip and' at column 12: expected a condition"),
        (["segments", "count", "tag:ghost"], 2, "unknown tag(s) ghost"),
        (["campaigns", "explain", "nope", "1"], 3, "campaign 'nope' does not exist"),
        (["contacts", "import", "missing.csv"], 2, "missing.csv: file not found"),
        (["templates", "create", "t", "--channel", "fax", "--body", "x"], 2, "--channel: 'fax' is not one of"),
        (["templates", "create", "t", "--channel", "sms", "--body", "{{ oops"], 2, "template 't' body line 1"),
        (["tags", "apply", "vip"], 2, "give exactly one of --ids, --segment or --file"),
        (
            ["campaigns", "create", "x", "--segment", "all", "--template", "t", "--set", "quiet_hours=1"],
            2,
            "expected RULE.PARAM=VALUE",
        ),
    ],
)
def test_errors_are_one_line_with_an_exit_code(capsys, db_url, tmp_path, monkeypatch, args, code, message) -> None:
    monkeypatch.chdir(tmp_path)
    herald(capsys, "--db", db_url, *args, code=code)
    assert herald.last_err.startswith("error: ") and message in herald.last_err
    assert herald.last_err.count("\n") == 1


def test_an_uninitialised_database_says_what_to_do(capsys, tmp_path) -> None:
    herald(capsys, "--db", f"sqlite:///{tmp_path / 'fresh.db'}", "segments", "count", "all", code=2)
    assert "run `herald db upgrade`" in herald.last_err
    out = as_json(capsys, "--db", f"sqlite:///{tmp_path / 'fresh.db'}", "--json", "db", "upgrade")
    assert out["from"] is None and out["to"] == migrate_head()
    assert as_json(capsys, "--db", f"sqlite:///{tmp_path / 'fresh.db'}", "--json", "segments", "count", "all") == {
        "expression": "all",
        "count": 0,
    }


def test_sms_info_reads_standard_input(capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("【Herald】你好 😀\n"))
    info = as_json(capsys, "templates", "sms-info", "--json")
    assert info["encoding"] == "UCS-2" and info["segments"] == 1 and info["characters"] == 12
    assert info["unicode_characters"] == ["【", "】", "你", "好", "😀"]


def test_init_config_writes_once(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    herald(capsys, "init-config")
    assert 'database_url = "sqlite:///herald.db"' in (tmp_path / "herald.toml").read_text(encoding="utf-8")
    herald(capsys, "init-config", code=2)
    assert "exists already" in herald.last_err


def test_rules_presets_are_listed_and_shown(capsys) -> None:
    names = [p["name"] for p in as_json(capsys, "--json", "rules", "presets")]
    assert "default" in names and "us-tcpa" in names
    shown = as_json(capsys, "--json", "rules", "show", "default")
    assert [r["rule"] for r in shown["rules"]] == [
        "consent",
        "suppression",
        "line_type",
        "frequency_cap",
        "quiet_hours",
        "whatsapp_window",
    ]
    assert shown["applies"] == {}  # written for no locale, speaking for no country of its own
    china = herald(capsys, "rules", "show", "cn-sms")
    assert "written for templates in zh, zh-CN, zh-Hans, zh-Hans-CN on sms; speaks for recipients in CN" in china
    assert as_json(capsys, "--json", "rules", "show", "cn-sms")["applies"]["regions"] == ["CN"]
    whatsapp = herald(capsys, "rules", "show", "whatsapp-business")
    everywhere = herald(capsys, "rules", "show", "global")
    assert "and for the recipients each speaks for, where they differ: cn-sms, us-tcpa, eu-gdpr, fr" in everywhere
    assert "cn-sms.quiet_hours" in everywhere and "'start': '22:00'" in everywhere and "}  for CN" in everywhere
    assert as_json(capsys, "--json", "rules", "show", "global")["follows"] == ["cn-sms", "us-tcpa", "eu-gdpr", "fr"]
    assert "written for templates in any language on whatsapp; speaks for recipients in any country" in whatsapp


def test_the_demo_runs_in_an_empty_directory(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = as_json(capsys, "--json", "demo")
    assert result["import"]["rows"] == 2000
    plan = result["plan"]
    assert plan["audience"] == plan["send_now"] + plan["deferred"] + plan["skipped"]
    assert plan["newcomers"] == 0
    assert result["worker"]["sent"] == plan["send_now"] == result["report"]["sent"]
    assert "skipped" in result["explain"] and "deferred" in result["explain"]
    # Preflight named China's rules for the Chinese numbers: the campaign follows the default preset.
    china = {j["preset"]: j for j in result["preflight"]["jurisdictions"]}["cn-sms"]
    assert china["regions"] == {"CN": china["recipients"]} and china["recipients"] >= 1
    # Sent through the real Twilio adapter to its stand-in, which took each message once.
    # Mainland China by Aliyun (while Shanghai is awake), the rest by Twilio; each message taken once.
    vendors, replies = result["vendors"], result["replies"]
    # Beside the campaign, the Twilio stand-in took the answers to people who wrote back.
    assert vendors["twilio"] + vendors["aliyun"] == plan["send_now"] + replies["answered"]
    assert (vendors["gateway"], vendors["refused"]) == (0, 0)
    # Herald heard back: the stand-ins' receipts reached the API the demo served.
    assert result["receipts"]["sandbox-twilio"] == {"delivered": vendors["twilio"] - replies["answered"]}
    # Some people wrote back: their opt-outs were honoured and answered.
    assert replies["by_intent"]["stop"] >= 1 and replies["opted_out"] >= replies["by_intent"]["stop"]
    assert 1 <= replies["answered"] <= replies["opted_out"]
    # Some followed the sale's short link, after their chat app fetched its preview (not counted as a click).
    clicks = replies["clicks"]
    assert clicks["total"] >= clicks["unique"] >= 1 and clicks["machine"] >= 1
    if vendors["aliyun"]:
        assert result["receipts"]["sandbox-aliyun"] == {"delivered": vendors["aliyun"]}
    # The campaign's results as `reports results` gives them: every message sent counted once.
    assert result["results"]["funnel"]["sent"] == result["report"]["sent"] and float(result["results"]["cost"]) > 0
    # The follow-up sent on each click: everyone who clicked planned once, a day on; nothing of it sent yet.
    planned = result["follow_up"]["planned"]
    assert sum(planned.values()) == clicks["unique"] and planned.get("send", 0) + planned.get("defer", 0) >= 1
    again = as_json(capsys, "--json", "demo")  # a second run starts over cleanly
    assert again["plan"]["audience"] == plan["audience"]


def test_the_problem_report_is_safe_to_open_in_a_spreadsheet(capsys, db_url, tmp_path) -> None:
    source = tmp_path / "c.csv"
    source.write_text('phone,name\n=HYPERLINK("http://x"),a\n+12,b\n+9779841234567,c,extra\n', encoding="utf-8")
    herald(capsys, "--db", db_url, "contacts", "import", str(source), "--report", str(tmp_path / "r.csv"))
    import csv as csv_module

    rows = list(csv_module.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    values = [r["value"] for r in rows if r["field"] == "phone"]
    assert values == ['\'=HYPERLINK("http://x")', "'+12"]
    assert any(r["reason"] == "has 3 fields, the header has 2" for r in rows)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2", "'-2"),
        ("+9779841234567", "+9779841234567"),
        ("+1 415", "'+1 415"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (3, "3"),
    ],
)
def test_cells_are_neutralized_except_strict_e164(value, cell) -> None:
    from herald.contacts.export import safe_cell

    assert safe_cell(value) == cell


def test_the_allow_list_from_the_command_line(capsys, db_url) -> None:
    db = ["--db", db_url]
    on = as_json(capsys, *db, "--json", "contacts", "allow", "+977 984-1234567", "--channel", "sms")
    assert on == {"channel": "sms", "address": "+9779841234567", "allowed": True, "changed": True}
    assert "(already)" in herald(capsys, *db, "contacts", "allow", "+9779841234567", "--channel", "sms")
    off = as_json(capsys, *db, "--json", "contacts", "allow", "+9779841234567", "--channel", "sms", "--remove")
    assert off["changed"] is True and off["allowed"] is False
    herald(capsys, *db, "contacts", "allow", "12", "--channel", "sms", code=2)


def test_export_and_erase_from_the_command_line(capsys, db_url, tmp_path, monkeypatch) -> None:
    db = ["--db", db_url]
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    herald(capsys, *db, "contacts", "import", str(tmp_path / "c.csv"))
    done = as_json(capsys, *db, "--json", "contacts", "export", str(tmp_path / "np.xlsx"), "--segment", "region:NP")
    assert done == {"file": str(tmp_path / "np.xlsx"), "format": "xlsx", "contacts": 3}
    herald(capsys, *db, "contacts", "export", str(tmp_path / "x.pdf"), code=2)
    herald(capsys, *db, "contacts", "export-person", "1", "--out", str(tmp_path / "sita.json"))
    assert json.loads((tmp_path / "sita.json").read_text(encoding="utf-8"))["contact"]["name"] == "Sita Sharma"
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    herald(capsys, *db, "contacts", "erase", "1", code=1)  # not confirmed: nothing happens
    assert "Sita Sharma" in herald(capsys, *db, "contacts", "export-person", "1")
    erased = as_json(capsys, *db, "--json", "contacts", "erase", "1", "--yes")
    assert erased["contact"] == 1 and erased["erased_at"]
    herald(capsys, *db, "contacts", "erase", "1", "--yes", code=4)
    assert "was erased" in herald.last_err
    assert "Contact 1 was erased on " in herald(capsys, *db, "contacts", "show", "1")
    assert as_json(capsys, *db, "--json", "contacts", "show", "1")["erased_at"] is not None
    again = as_json(capsys, *db, "--json", "contacts", "import", str(tmp_path / "c.csv"))
    assert again["invalid"] == 1 and "erased at their request" in again["problems"][0]["reason"]
    add_users(capsys, *db, ana="marketer")
    merged = as_json(capsys, "--as", "ana", *db, "--json", "contacts", "merge", "2", "3")
    assert (merged["kept"], merged["merged"]) == (2, 3)
    herald(capsys, *db, "contacts", "merge", "2", "3", code=3)  # 3 is gone


def test_suppression_lists_from_the_command_line(capsys, db_url, tmp_path) -> None:
    db = ["--db", db_url]
    (tmp_path / "dnd.txt").write_text("9841234567\n12345\n", encoding="utf-8")
    done = as_json(
        capsys,
        *db,
        "--json",
        "contacts",
        "suppress-list",
        str(tmp_path / "dnd.txt"),
        "--default-region",
        "NP",
        "--report",
        str(tmp_path / "refused.csv"),
    )
    assert (done["rows"], done["added"], done["invalid"]) == (2, 1, 1)
    assert as_json(capsys, *db, "--json", "contacts", "quality")["suppressed"] == {"dnd": 2}
    assert "Suppressed: dnd 2" in herald(capsys, *db, "contacts", "quality")
    assert "too short" in (tmp_path / "refused.csv").read_text(encoding="utf-8")
    one = as_json(
        capsys,
        *db,
        "--json",
        "contacts",
        "suppress",
        "sita@example.com",
        "--channel",
        "email",
        "--reason",
        "bounce",
        "--until",
        "2027-01-31",
    )
    assert one["until"] == "2027-01-31T00:00:00+00:00"
    herald(capsys, *db, "contacts", "suppress", "a@example.com", "--channel", "email", "--until", "soon", code=2)
    assert "--until" in herald.last_err


def test_verifying_numbers_from_the_command_line(capsys, db_url, tmp_path, monkeypatch) -> None:
    from tests.fakes.twilio_lookup import SID, TOKEN, FakeLookup, running

    db = ["--db", db_url]
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    herald(capsys, *db, "contacts", "import", str(tmp_path / "c.csv"))
    herald(capsys, *db, "contacts", "verify", code=2)
    assert "number lookup is off" in herald.last_err
    with running(FakeLookup(numbers={"+9779841234567": {"type": "mobile", "carrier_name": "Ncell"}})) as fake:
        for name, value in (
            ("LOOKUP_PROVIDER", "twilio"),
            ("TWILIO_ACCOUNT_SID", SID),
            ("TWILIO_AUTH_TOKEN", TOKEN),
            ("TWILIO_LOOKUP_URL", fake.url),
        ):
            monkeypatch.setenv(f"HERALD_{name}", value)
        done = as_json(capsys, *db, "--json", "contacts", "verify", "--segment", "region:NP", "--limit", "2")
    assert (done["checked"], done["verified"], done["invalid"]) == (2, 1, 1)
    assert TOKEN not in herald.last_err


def test_consent_with_proof_from_the_command_line(capsys, db_url, tmp_path) -> None:
    db = ["--db", db_url]
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    herald(capsys, *db, "contacts", "import", str(tmp_path / "c.csv"))
    done = as_json(
        capsys,
        *db,
        "--json",
        "contacts",
        "consent",
        "grant",
        "1",
        "--channel",
        "whatsapp",
        "--evidence",
        "signup form v2",
        "--ip",
        "203.0.113.9",
        "--at",
        "2026-01-05T10:00:00+00:00",
        "--source",
        "form",
    )
    assert done["changed"] is True
    shown = as_json(capsys, *db, "--json", "contacts", "consent", "show", "1")
    granted = next(e for e in shown["history"] if e["channel"] == "whatsapp")
    assert (granted["ip"], granted["source"], granted["at"][:10]) == ("203.0.113.9", "form", "2026-01-05")
    assert "IP 203.0.113.9" in herald(capsys, *db, "contacts", "consent", "show", "1")
    herald(capsys, *db, "contacts", "consent", "grant", "1", code=2)
    assert "--channel" in herald.last_err
    herald(capsys, *db, "contacts", "consent", "forget", "1", code=2)


def test_events_and_the_timeline_from_the_command_line(capsys, db_url, tmp_path) -> None:
    db = ["--db", db_url]
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    herald(capsys, *db, "contacts", "import", str(tmp_path / "c.csv"))
    (tmp_path / "e.jsonl").write_text(
        '{"type": "purchase", "contact_id": 1, "at": "2026-03-01T10:00:00Z", '
        '"event_id": "o-1", "amount": 30}\n{"type": "purchase"}\n',
        encoding="utf-8",
    )
    done = as_json(
        capsys, *db, "--json", "events", "import", str(tmp_path / "e.jsonl"), "--report", str(tmp_path / "refused.csv")
    )
    assert (done["rows"], done["stored"], done["invalid"]) == (2, 1, 1)
    assert "no occurred_at" in (tmp_path / "refused.csv").read_text(encoding="utf-8")
    timeline = as_json(capsys, *db, "--json", "contacts", "timeline", "1")
    assert any(e["kind"] == "event" and e["what"] == "purchase" for e in timeline)
    assert "purchase" in herald(capsys, *db, "contacts", "timeline", "1")


def test_the_tag_taxonomy_from_the_command_line(capsys, db_url, tmp_path, monkeypatch) -> None:
    db = ["--db", db_url]
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    herald(capsys, *db, "contacts", "import", str(tmp_path / "c.csv"))
    assert as_json(capsys, *db, "--json", "tags", "category", "interests", "--editors", "marketer")["editors"] == [
        "marketer"
    ]
    herald(capsys, *db, "tags", "create", "shoes", "--category", "interests", "--colour", "#aabbcc")
    add_users(capsys, *db, ana="marketer")
    (tmp_path / "n.txt").write_text("+9779841234567\n+9779800000000\n", encoding="utf-8")
    done = as_json(
        capsys,
        "--as",
        "ana",
        *db,
        "--json",
        "tags",
        "apply",
        "shoes",
        "--file",
        str(tmp_path / "n.txt"),
        "--expires",
        "30d",
    )
    assert done == {"tag": "shoes", "newly_tagged": 1, "not_found": ["+9779800000000"]}
    herald(capsys, *db, "tags", "apply", "shoes", "--ids", "2", "--expires", "soon", code=2)
    assert as_json(capsys, *db, "--json", "tags", "apply", "shoes", "--segment", "region:NP")["newly_tagged"] == 2
    gone = as_json(capsys, *db, "--json", "segments", "count", "tag:shoes and not consent:sms")["count"]
    assert 0 < gone < 3
    assert as_json(capsys, *db, "--json", "tags", "remove", "shoes", "--segment", "not consent:sms")["removed"] == gone
    assert as_json(capsys, *db, "--json", "segments", "count", "tag:shoes")["count"] == 3 - gone
    left = as_json(capsys, *db, "--json", "segments", "list", "tag:shoes")
    assert as_json(capsys, *db, "--json", "tags", "remove", "shoes", "--ids", str(left[0]["id"]))["removed"] == 1
    assert as_json(capsys, *db, "--json", "tags", "remove", "shoes", "--segment", "all")["removed"] == 2 - gone
    as_json(capsys, *db, "--json", "tags", "apply", "shoes", "--file", str(tmp_path / "n.txt"))
    herald(capsys, *db, "tags", "remove", "shoes", code=2)  # say whom
    listed = as_json(capsys, *db, "--json", "tags", "list")
    assert listed[0]["category"] == "interests" and listed[0]["contacts"] == 1
    assert as_json(capsys, *db, "--json", "tags", "search", "sh") == ["shoes"]
    herald(capsys, *db, "tags", "rename", "shoes", "footwear")
    herald(capsys, *db, "tags", "create", "boots")
    assert as_json(capsys, *db, "--json", "tags", "merge", "footwear", "boots")["moved"] == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    herald(capsys, *db, "tags", "delete", "boots", code=1)  # not confirmed: nothing happens
    assert as_json(capsys, *db, "--json", "tags", "delete", "boots", "--yes")["removed_from"] == 1


def test_saved_segments_from_the_command_line(capsys, db_url, tmp_path) -> None:
    db = ["--db", db_url]
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    herald(capsys, *db, "contacts", "import", str(tmp_path / "c.csv"))
    assert as_json(capsys, *db, "--json", "segments", "save", "nepal", "region:NP") == {
        "name": "nepal",
        "kind": "dynamic",
        "size": 3,
    }
    assert as_json(capsys, *db, "--json", "segments", "save", "then", "segment:nepal", "--static")["kind"] == "static"
    assert as_json(capsys, *db, "--json", "segments", "count", "segment:then and consent:sms")["count"] == 1
    shown = as_json(capsys, *db, "--json", "segments", "show", "nepal")
    assert shown["count"] == 3 and len(shown["sample"]) == 3
    assert "nepal (dynamic): region:NP" in herald(capsys, *db, "segments", "show", "nepal")
    assert [s["name"] for s in as_json(capsys, *db, "--json", "segments", "saved")] == ["nepal", "then"]


def test_scores_from_the_command_line(capsys, db_url, tmp_path) -> None:
    db = ["--db", db_url]
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    herald(capsys, *db, "contacts", "import", str(tmp_path / "c.csv"))
    (tmp_path / "e.jsonl").write_text(
        '{"type": "purchase", "contact_id": 1, "at": "2020-01-01", "amount": 9}\n', encoding="utf-8"
    )
    herald(capsys, *db, "events", "import", str(tmp_path / "e.jsonl"))
    counts = as_json(capsys, *db, "--json", "scores", "compute", "--new-days", "1")
    assert counts["new"] == 6  # everyone joined today
    assert as_json(capsys, *db, "--json", "scores", "grid") == [{"r": 1, "f": 1, "contacts": 1}]
    assert as_json(capsys, *db, "--json", "segments", "count", "stage:new and rfm.m <= 1")["count"] == 1
    assert "recency" in herald(capsys, *db, "scores", "grid")
    assert as_json(capsys, *db, "--json", "reports", "audience")["lifecycle"]["new"] == 6
    assert "RFM" in herald(capsys, *db, "reports", "audience")
    herald(capsys, *db, "scores", "compute", "--active-days", "200", "--churn-days", "100", code=2)


def test_a_contact_is_shown_whole_and_found_by_phone_or_email(capsys, db_url, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text(
        "name,phone,email,city,consent_sms,consent_evidence\n"
        "Sita,+9779841234567,sita@example.com,Pokhara,yes,paper form 12\n",
        encoding="utf-8",
    )
    db = ["--db", db_url]
    herald(capsys, *db, "contacts", "import", "c.csv", "--unknown", "attribute", "--tag", "fair")
    herald(capsys, *db, "contacts", "suppress", "+9779841234567", "--channel", "sms", "--reason", "opt-out")
    assert "tags: -" not in herald(capsys, *db, "contacts", "show", "1")
    herald(capsys, *db, "tags", "create", "trial")
    herald(capsys, *db, "tags", "apply", "trial", "--ids", "1", "--expires", "30d")
    shown = herald(capsys, *db, "contacts", "show", "+977 984-1234567")
    assert "attr.city: Pokhara" in shown and "sms/marketing: granted" in shown
    assert re.search(
        r"tags: fair \(by import c\.csv, [0-9-]{10}\), trial \(by [^,]+, [0-9-]{10}, until [0-9-]{10}\)", shown
    )
    assert [t["tag"] for t in as_json(capsys, *db, "--json", "contacts", "show", "1")["tags"]] == ["fair", "trial"]
    assert "proof: paper form 12; from c.csv row 2" in shown and "Suppressed on sms (+9779841234567): opt-out" in shown
    assert herald(capsys, *db, "contacts", "show", "SITA@example.com") == shown
    assert as_json(capsys, *db, "--json", "contacts", "show", "9841234567", "--default-region", "NP")["id"] == 1
    herald(capsys, *db, "contacts", "show", "nobody@example.com", code=3)
    assert herald.last_err == "error: no contact has email nobody@example.com\n"
    stats = herald(capsys, *db, "contacts", "stats")
    assert "1 contacts" in stats and "By region: NP 1" in stats and "{" not in stats


def test_templates_show_the_words_a_reviewer_approves(capsys, db_url) -> None:
    db = ["--db", db_url]
    herald(capsys, *db, "db", "upgrade")
    add_users(capsys, *db, maya="marketer", li="approver")
    herald(
        capsys,
        "--as",
        "maya",
        *db,
        "templates",
        "create",
        "promo",
        "--channel",
        "sms",
        "--body",
        "Herald Shop: 20% off today. Reply STOP to opt out.",
    )
    assert "body: Herald Shop: 20% off today. Reply STOP to opt out." in herald(
        capsys, *db, "templates", "show", "promo"
    )


def test_events_import_says_why_it_refused_rows(capsys, db_url, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.jsonl").write_text(
        '{"type": "purchase", "phone": "+9779800000000", "at": "2026-03-01"}\n'
        '{"type": "Bad Type", "contact_id": 1, "at": "2026-03-01"}\n',
        encoding="utf-8",
    )
    herald(capsys, "--db", db_url, "db", "upgrade")
    shown = herald(capsys, "--db", db_url, "events", "import", "e.jsonl")
    assert "row 1: no contact with phone +9779800000000" in shown and "row 2: type 'Bad Type'" in shown
