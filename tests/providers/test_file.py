"""The file provider: one JSON line per message, de-duplicated by idempotency key across restarts."""

from __future__ import annotations

import asyncio
import json

from herald.providers import Accepted, Outgoing, Permanent, Provider
from herald.providers.file import FileProvider


def msg(key: str, to: str = "+9779841234567", channel: str = "sms") -> Outgoing:
    return Outgoing(1, key, channel, to, f"body {key}", None, {"X-Campaign": "1"})


def test_it_writes_one_json_line_per_message_per_channel(tmp_path) -> None:
    provider = FileProvider(tmp_path)
    results = asyncio.run(provider.send([msg("a"), msg("b"), msg("c", "x@example.com", "email")]))
    assert results == [Accepted("file-a"), Accepted("file-b"), Accepted("file-c")]
    lines = [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(x["idempotency_key"], x["body"], x["headers"]) for x in lines] == [
        ("a", "body a", {"X-Campaign": "1"}), ("b", "body b", {"X-Campaign": "1"})]
    assert (tmp_path / "email.jsonl").exists()


def test_a_resend_after_restart_is_not_written_twice(tmp_path) -> None:
    asyncio.run(FileProvider(tmp_path).send([msg("a")]))
    again = asyncio.run(FileProvider(tmp_path).send([msg("a"), msg("b")]))
    assert again == [Accepted("file-a"), Accepted("file-b")]
    assert len((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_a_message_without_an_address_is_refused(tmp_path) -> None:
    assert asyncio.run(FileProvider(tmp_path).send([msg("a", to="")])) == [Permanent("no recipient address")]


def test_it_is_a_provider_without_webhooks(tmp_path) -> None:
    provider = FileProvider(tmp_path)
    assert isinstance(provider, Provider)
    assert provider.verify({}, b"{}") is False and provider.parse_webhook({}, b"{}") == []
