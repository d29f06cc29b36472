"""`herald templates …` as a marketer uses it: locales, review, lint, preview, export, coupons, words."""

from __future__ import annotations

import json

from tests.cli.test_cli import add_users, as_json, herald
from tests.scenario import CSV

WA = {
    "category": "UTILITY",
    "body": "Hi {{1}}, order {{2}} shipped.",
    "params": {"1": "first_name | default('there')", "2": "attr.order | default('-')"},
}


def test_templates_from_writing_to_preview(capsys, db_url, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    db = ["--db", db_url]
    herald(capsys, *db, "contacts", "import", "c.csv")
    add_users(capsys, *db, maya="marketer", li="approver", ana="marketer")
    made = as_json(
        capsys,
        "--as",
        "maya",
        *db,
        "--json",
        "templates",
        "create",
        "promo",
        "--channel",
        "sms",
        "--body",
        "冬季会员八折 {{ coupon.spring }}",
    )
    assert made["status"] == "draft" and made["sms"]["encoding"] == "UCS-2"
    lint = herald(capsys, *db, "--json", "templates", "lint", "promo", "--preset", "cn-sms", code=2)
    assert {f["code"] for f in json.loads(lint)} == {"cn-signature", "opt-out"}
    herald(capsys, "--as", "maya", *db, "templates", "submit", "promo", "--preset", "cn-sms", code=2)
    edited = as_json(
        capsys,
        "--as",
        "maya",
        *db,
        "--json",
        "templates",
        "edit",
        "promo",
        "--body",
        "【赫拉德】冬季会员八折，券码 {{ coupon.spring }}，回T退订",
    )
    assert edited["version"] == 1  # still a draft: changed in place
    herald(capsys, "--as", "maya", *db, "templates", "submit", "promo", "--preset", "cn-sms")
    herald(capsys, "--as", "li", *db, "templates", "reject", "promo", "--reason", "加上门店名")
    assert (
        as_json(
            capsys,
            "--as",
            "maya",
            *db,
            "--json",
            "templates",
            "edit",
            "promo",
            "--body",
            "【赫拉德】北京店冬季八折，券码 {{ coupon.spring }}，回T退订",
        )["version"]
        == 2
    )
    herald(capsys, "--as", "maya", *db, "templates", "submit", "promo", "--preset", "cn-sms")
    assert as_json(capsys, "--as", "li", *db, "--json", "templates", "approve", "promo")["status"] == "approved"
    shown = as_json(capsys, *db, "--json", "templates", "show", "promo")
    assert [(v["version"], v["status"], v["reviewer"]) for v in shown] == [(1, "rejected", "li"), (2, "approved", "li")]

    (tmp_path / "codes.txt").write_text("SPR-1\nSPR-2\nSPR-1\n", encoding="utf-8")
    assert as_json(capsys, *db, "--json", "templates", "coupons", "add", "spring", "codes.txt")["added"] == 2
    preview = as_json(capsys, *db, "--json", "templates", "preview", "promo", "--segment", "region:CN")
    assert preview["samples"][0]["body"] == "【赫拉德】北京店冬季八折，券码 COUPON-PREVIEW，回T退订"
    assert preview["audience"]["recipients"] == 1 and preview["audience"]["total"] == "0.0390"
    assert as_json(capsys, *db, "--json", "templates", "coupons", "list") == [
        {"pool": "spring", "total": 2, "free": 2}
    ]  # a preview takes no code

    (tmp_path / "wa.json").write_text(json.dumps(WA), encoding="utf-8")
    herald(
        capsys,
        "--as",
        "ana",
        *db,
        "templates",
        "create",
        "order_update",
        "--channel",
        "whatsapp",
        "--purpose",
        "transactional",
        "--file",
        "wa.json",
    )
    (tmp_path / "meta.json").write_text(
        json.dumps(
            {
                "entry": [
                    {
                        "changes": [
                            {
                                "field": "message_template_status_update",
                                "value": {
                                    "event": "REJECTED",
                                    "message_template_name": "order_update",
                                    "message_template_language": "en",
                                    "reason": "INVALID_FORMAT",
                                },
                            }
                        ]
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    assert as_json(capsys, *db, "--json", "templates", "meta-status", "meta.json") == {"updates": 1, "changed": 0}

    exported = herald(capsys, *db, "templates", "export", "promo")
    data = json.loads(exported)
    data[0]["name"] = "promo_copy"
    (tmp_path / "t.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert as_json(capsys, "--as", "ana", *db, "--json", "templates", "import", "t.json") == {"created": 1}


def test_banned_words_are_edited_from_the_command_line(capsys, db_url) -> None:
    db = ["--db", db_url]
    herald(capsys, *db, "db", "upgrade")
    add_users(capsys, *db, ana="marketer")
    herald(capsys, "--as", "ana", *db, "templates", "words", "ban", "jackpot")
    herald(capsys, "--as", "ana", *db, "templates", "words", "allow", "casino")
    listed = as_json(capsys, *db, "--json", "templates", "words", "list")
    assert "jackpot" in listed["in_force"] and "casino" not in listed["in_force"]
    herald(capsys, *db, "templates", "words", "remove", "casino")
    assert "casino" in as_json(capsys, *db, "--json", "templates", "words", "list")["in_force"]
    herald(capsys, *db, "templates", "words", "remove", "casino", code=3)


def test_files_that_cannot_be_read_are_named_not_tracebacks(capsys, db_url, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = ["--db", db_url]
    herald(capsys, *db, "db", "upgrade")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00")
    cases = [
        (["templates", "create", "x", "--channel", "sms", "--body-file", "nope.txt"], "nope.txt: No such file"),
        (["templates", "create", "x", "--channel", "sms", "--body-file", "bin.txt"], "bin.txt: not UTF-8 text"),
        (["templates", "meta-status", "bad.json"], "bad.json: not JSON: Expecting property name"),
        (["templates", "import", "nope.json"], "nope.json: No such file"),
        (["templates", "coupons", "add", "spring", "nope.txt"], "nope.txt: No such file"),
    ]
    for args, message in cases:
        herald(capsys, *db, *args, code=2)
        assert message in herald.last_err and "Traceback" not in herald.last_err
    assert json.loads(herald(capsys, *db, "--json", "templates", "list")) == []  # nothing half-written


def test_a_template_is_reviewed_against_every_jurisdiction_it_is_written_for(capsys, db_url) -> None:
    db = ["--db", db_url]
    herald(capsys, *db, "db", "upgrade")
    add_users(capsys, *db, maya="marketer")
    body = "冬季会员八折，详情 https://bit.ly/x1"  # no 【签名】, no 回T退订
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
        "--locale",
        "zh-CN",
        "--body",
        body,
    )
    herald(capsys, "--as", "maya", *db, "templates", "submit", "promo", code=2)  # no --preset given
    assert "【signature】" in herald.last_err and "回T退订" in herald.last_err
    herald(
        capsys,
        "--as",
        "maya",
        *db,
        "templates",
        "create",
        "welcome",
        "--channel",
        "sms",
        "--locale",
        "en",
        "--body",
        "Welcome to Herald Shop!",
        "--preset",
        "us-tcpa",
    )
    shown = as_json(capsys, *db, "--json", "templates", "presets", "welcome")
    assert shown["declared"] == ["us-tcpa"] and shown["reviewed_against"] == {"en/A": ["default", "us-tcpa"]}
    assert as_json(capsys, *db, "--json", "templates", "presets", "promo")["reviewed_against"] == {
        "zh-CN/A": ["default", "cn-sms"]
    }
    declared = as_json(capsys, *db, "--json", "templates", "presets", "welcome", "--preset", "fr")
    assert declared["reviewed_against"] == {"en/A": ["default", "fr"]}
    herald(capsys, "--as", "maya", *db, "templates", "submit", "welcome", code=2)
    assert "STOP" in herald.last_err  # France asks for STOP in every marketing text
    herald(capsys, *db, "templates", "presets", "welcome", "--preset", "atlantis", code=2)
