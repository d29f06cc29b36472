"""`herald tags rules …` as a user meets it: dry run first, save, back-fill, events arriving, history."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime, timedelta

from tests.cli.test_cli import add_users, as_json, herald
from tests.scenario import CSV

RECENT = (datetime.now(UTC) - timedelta(days=2)).isoformat()  # the CLI runs on the real clock
EVENTS = (
    "\n".join(
        json.dumps(e, ensure_ascii=False)
        for e in [
            {
                "type": "purchase",
                "contact_id": 1,
                "occurred_at": "2026-03-01T10:00:00Z",
                "properties": {"product": "A"},
            },
            {
                "type": "purchase",
                "contact_id": 2,
                "occurred_at": "2026-03-02T10:00:00Z",
                "properties": {"product": "B"},
            },
            {
                "type": "message.replied",
                "contact_id": 3,
                "occurred_at": RECENT,
                "properties": {"text": "请问价格多少？"},
            },
        ]
    )
    + "\n"
)


def test_rules_from_the_command_line(capsys, db_url, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "e.jsonl").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "price.toml").write_text(
        'kind = "keyword"\nkeywords = ["price", "价格"]\ntag = "asked:price"\n'
        'expires = "90d"\n[synonyms]\nprice = ["多少钱"]\n',
        encoding="utf-8",
    )
    db = ["--db", db_url]
    as_json(capsys, *db, "--json", "contacts", "import", "c.csv")
    as_json(capsys, *db, "--json", "events", "import", "e.jsonl")  # history from before any rule
    preview = as_json(
        capsys,
        *db,
        "--json",
        "tags",
        "rules",
        "save",
        "bought",
        "--on",
        "purchase",
        "--tag",
        "bought:{product}",
        "--dry-run",
    )
    assert preview["would_tag"] == 2 and set(preview["tags"]) == {"bought:A", "bought:B"}
    assert as_json(capsys, *db, "--json", "tags", "rules", "list") == []  # the dry run saved nothing
    saved = as_json(
        capsys,
        *db,
        "--json",
        "tags",
        "rules",
        "save",
        "bought",
        "--on",
        "purchase",
        "--tag",
        "bought:{product}",
        "--backfill",
    )
    assert saved["version"] == 1 and saved["backfill"]["tagged"] == 2
    assert as_json(capsys, *db, "--json", "segments", "count", "tag:bought:A")["count"] == 1
    assert as_json(capsys, *db, "--json", "tags", "rules", "save", "price", "--file", "price.toml")["version"] == 1
    # a new reply arrives: the keyword rule tags it at once
    (tmp_path / "r.jsonl").write_text(
        json.dumps(
            {
                "type": "message.replied",
                "contact_id": 4,
                "occurred_at": RECENT,
                "properties": {"text": "what are your prices?"},
            }
        )
        + "\n"
    )
    as_json(capsys, *db, "--json", "events", "import", "r.jsonl")
    assert as_json(capsys, *db, "--json", "segments", "count", 'tag:"asked:price"')["count"] == 1
    assert as_json(capsys, *db, "--json", "tags", "rules", "backfill", "price")["tagged"] == 1  # the older reply
    add_users(capsys, *db, ana="marketer")
    changed = as_json(
        capsys,
        "--as",
        "ana",
        *db,
        "--json",
        "tags",
        "rules",
        "save",
        "price",
        "--keywords",
        "price,价格,cost",
        "--tag",
        "asked:price",
    )
    shown = as_json(capsys, *db, "--json", "tags", "rules", "show", "price")
    assert changed["version"] == 2 and [v["saved_by"] for v in shown["versions"]] == [
        f"system:{getpass.getuser()}",
        "ana",
    ]
    as_json(capsys, *db, "--json", "tags", "rules", "switch", "price", "off")
    assert [r["enabled"] for r in as_json(capsys, *db, "--json", "tags", "rules", "list")] == [True, False]
    herald(capsys, *db, "tags", "rules", "save", "empty", "--keywords", ",", "--tag", "x", code=2)
    herald(capsys, *db, "tags", "rules", "save", "bad", "--on", "purchase", "--where", "amount >", "--tag", "x", code=2)
    assert "rule where (column 9): amount: expected a value" in herald.last_err
    as_json(capsys, *db, "--json", "tags", "rules", "delete", "price")
    herald(capsys, *db, "tags", "rules", "show", "price", code=3)
