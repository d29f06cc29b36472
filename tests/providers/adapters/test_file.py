"""The file provider: one JSON line per message, de-duplicated by idempotency key across restarts."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from herald.providers import Accepted, Callback, Outgoing, Permanent, Provider
from herald.providers.adapters.file import FileProvider


def msg(key: str, to: str = "+9779841234567", channel: str = "sms") -> Outgoing:
    return Outgoing(1, key, channel, to, f"body {key}", None, {"X-Campaign": "1"})


def test_it_writes_one_json_line_per_message_per_channel(tmp_path) -> None:
    provider = FileProvider(tmp_path)
    results = asyncio.run(provider.send([msg("a"), msg("b"), msg("c", "x@example.com", "email")]))
    assert results == [Accepted("file-a"), Accepted("file-b"), Accepted("file-c")]
    lines = [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(x["idempotency_key"], x["body"], x["headers"]) for x in lines] == [
        ("a", "body a", {"X-Campaign": "1"}),
        ("b", "body b", {"X-Campaign": "1"}),
    ]
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
    callback = Callback("https://h/webhooks/file", {}, b"{}", 0.0)
    assert provider.verify(callback) is False and provider.parse_webhook(callback) == []


def _keys(path) -> list[str]:
    return [json.loads(line)["idempotency_key"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_two_writers_never_write_one_key_twice(tmp_path) -> None:
    first, second = FileProvider(tmp_path), FileProvider(tmp_path)  # as two worker processes would
    asyncio.run(first.send([msg("k1"), msg("k2")]))
    results = asyncio.run(second.send([msg("k2"), msg("k3")]))
    asyncio.run(first.send([msg("k3"), msg("k4")]))
    assert all(isinstance(r, Accepted) for r in results)
    assert _keys(first.path_for("sms")) == ["k1", "k2", "k3", "k4"]


def _write_many(directory: str, start: int) -> None:
    provider = FileProvider(directory)
    for i in range(start, start + 60):
        asyncio.run(provider.send([msg(f"k{i}"), msg(f"k{i + 1}")]))


def test_processes_writing_at_once_write_each_key_once(tmp_path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(tmp_path), start)) for start in (0, 30, 45)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    keys = _keys(FileProvider(tmp_path).path_for("sms"))
    assert sorted(keys, key=lambda k: int(k[1:])) == [f"k{i}" for i in range(0, 106)] and len(keys) == 106


def test_a_line_torn_by_a_kill_is_cut_and_writing_goes_on(tmp_path) -> None:
    provider = FileProvider(tmp_path)
    asyncio.run(provider.send([msg("k1")]))
    with provider.path_for("sms").open("a", encoding="utf-8") as handle:
        handle.write('{"id": 2, "idempotency_key": "k2", "to": "+97798')  # the process died here
    again = FileProvider(tmp_path)
    asyncio.run(again.send([msg("k2"), msg("k3")]))
    assert _keys(again.path_for("sms")) == ["k1", "k2", "k3"]  # k2, never accepted, is written whole once


def test_each_line_names_the_sender_the_message_goes_from(tmp_path) -> None:
    own = replace(msg("a"), sender="+9771000001")
    asyncio.run(FileProvider(tmp_path, sender="HERALD").send([own, msg("b")]))
    lines = [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["from"] for x in lines] == ["+9771000001", "HERALD"]
