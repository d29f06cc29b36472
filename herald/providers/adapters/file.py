"""The `file` provider: writes each message as one JSON line, for dry runs and the demo. It de-duplicates
by idempotency key across restarts and across worker processes, so a resend after a crash is safe: every
write holds an exclusive lock on the folder and first reads what other processes appended since. A line
torn by a kill mid-write (no newline at its end) was never accepted — its message is still in flight and
will be resent — so it is cut off before the next write."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
from collections.abc import Sequence
from pathlib import Path

from herald.providers.base import Accepted, Callback, Checked, Outgoing, Permanent, Report, SendResult


class FileProvider:
    kind = "file"
    deduplicates = True

    def __init__(self, directory: str | Path, sender: str | None = None) -> None:
        self.sender = sender  # written as each message's `from` (a sender of its own overrides it)
        self.directory = Path(directory)
        self._keys: dict[str, set[str]] = {}  # per channel: keys written, by any process, up to the offset
        self._offsets: dict[str, int] = {}  # per channel: how far this process has read its file

    def path_for(self, channel: str) -> Path:
        return self.directory / f"{channel}.jsonl"

    @contextlib.contextmanager
    def _locked(self):
        with (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _catch_up(self, channel: str) -> set[str]:
        """The channel's keys, reading what was appended since (under the lock), and cutting a torn tail."""
        path, keys = self.path_for(channel), self._keys.setdefault(channel, set())
        if not path.exists():
            self._offsets[channel] = 0
            return keys
        with path.open("rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size < self._offsets.get(channel, 0):  # the file was replaced or cut: read it again
                keys.clear()
                self._offsets[channel] = 0
            handle.seek(self._offsets.get(channel, 0))
            data = handle.read()
            whole = data.rfind(b"\n") + 1
            if whole < len(data):
                handle.truncate(self._offsets.get(channel, 0) + whole)
            for line in data[:whole].splitlines():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    keys.add(json.loads(line)["idempotency_key"])
            self._offsets[channel] = self._offsets.get(channel, 0) + whole
        return keys

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        return await asyncio.to_thread(self._write, list(batch))

    def _write(self, batch: list[Outgoing]) -> list[SendResult]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._locked():
            return self._append(batch)

    def _append(self, batch: list[Outgoing]) -> list[SendResult]:
        seen = {channel: self._catch_up(channel) for channel in {m.channel for m in batch}}
        results: list[SendResult] = []
        by_channel: dict[str, list[str]] = {}
        for msg in batch:
            if not msg.to:
                results.append(Permanent("no recipient address"))
                continue
            keys = seen.setdefault(msg.channel, set())
            if msg.idempotency_key not in keys:
                keys.add(msg.idempotency_key)
                record = {
                    "id": msg.message_id,
                    "idempotency_key": msg.idempotency_key,
                    "channel": msg.channel,
                    "to": msg.to,
                    "from": msg.sender or self.sender,
                    "subject": msg.subject,
                    "body": msg.body,
                    "headers": dict(msg.headers),
                }
                record.update({k: v for k, v in (("html", msg.html), ("payload", dict(msg.payload))) if v})
                by_channel.setdefault(msg.channel, []).append(json.dumps(record, ensure_ascii=False))
            results.append(Accepted(f"file-{msg.idempotency_key}"))
        for channel, lines in by_channel.items():
            with self.path_for(channel).open("ab") as handle:
                handle.write(("\n".join(lines) + "\n").encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
                self._offsets[channel] = handle.tell()
        return results

    async def check(self) -> Checked:
        """Whether the folder can be written."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / ".check"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            return Checked(False, f"{self.directory}: {exc.strerror or exc}")
        return Checked(True, f"writes to {self.directory.resolve()}")

    def verify(self, callback: Callback) -> bool:
        return False  # nothing calls back a file

    def parse_webhook(self, callback: Callback) -> list[Report]:
        return []
