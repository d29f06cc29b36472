"""A container whose SMS goes through one webhook account, `gateway`, to a stand-in's address."""

from __future__ import annotations

from typing import Any

from herald import bootstrap
from herald.config import Settings
from herald.sandbox.gateway import SECRET


def through_gateway(
    db_url: str, tmp_path: Any, clock: Any, url: str, public_url: str | None = None, **account: Any
) -> bootstrap.Container:
    """`account` adds to (or overrides) the webhook account's table: a rate, a `from`, senders. With a
    `public_url`, links go out short and the API answers the test client."""
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        public_url=public_url,
        allowed_hosts="testserver",
        provider_accounts={"gateway": {"kind": "webhook", "url": url, "secret": "env:GATEWAY_SECRET", **account}},
        routing={"sms": ["gateway"]},
    )
    return bootstrap.build(settings, clock=clock, environ={"GATEWAY_SECRET": SECRET})
