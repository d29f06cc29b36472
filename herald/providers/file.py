"""The `file` provider: writes each message as one JSON line, for dry runs and the demo. It de-duplicates
by idempotency key across restarts (it reads back what it wrote), so a resend after a crash is safe."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from herald.providers.base import Accepted, Outgoing, Permanent, Report, SendResult


class FileProvider:
    kind = "file"
    deduplicates = True

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._written: dict[str, set[str]] | None = None

    def path_for(self, channel: str) -> Path:
        return self.directory / f"{channel}.jsonl"

    def _seen(self) -> dict[str, set[str]]:
        if self._written is None:
            self._written = {}
            for path in self.directory.glob("*.jsonl"):
                with path.open(encoding="utf-8") as handle:
                    keys = {json.loads(line)["idempotency_key"] for line in handle if line.strip()}
                self._written[path.stem] = keys
        return self._written

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        return await asyncio.to_thread(self._write, list(batch))

    def _write(self, batch: list[Outgoing]) -> list[SendResult]:
        self.directory.mkdir(parents=True, exist_ok=True)
        seen = self._seen()
        results: list[SendResult] = []
        by_channel: dict[str, list[str]] = {}
        for msg in batch:
            if not msg.to:
                results.append(Permanent("no recipient address"))
                continue
            keys = seen.setdefault(msg.channel, set())
            if msg.idempotency_key not in keys:
                keys.add(msg.idempotency_key)
                record = {"id": msg.message_id, "idempotency_key": msg.idempotency_key, "channel": msg.channel,
                          "to": msg.to, "subject": msg.subject, "body": msg.body, "headers": dict(msg.headers)}
                record.update({k: v for k, v in (("html", msg.html), ("payload", dict(msg.payload))) if v})
                by_channel.setdefault(msg.channel, []).append(json.dumps(record, ensure_ascii=False))
            results.append(Accepted(f"file-{msg.idempotency_key}"))
        for channel, lines in by_channel.items():
            with self.path_for(channel).open("a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        return results

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        return False  # nothing calls back a file

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[Report]:
        return []
