"""What authentication costs an API request: the same route, `GET /api/v1/tags`, asked one at a time with
an API key, and with the key check replaced by a fixed actor (the request as it was before keys). The
figure is the difference of the medians; the target is at most 1 ms.

python -m bench.auth [--n 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import Request

from bench.webhooks import NOW


def app_and_key(db: Path) -> tuple[object, object, str]:
    """The app twice (with the key check, and with it replaced) and a key with every scope."""
    from herald import access, bootstrap, tags
    from herald.access import system_actor
    from herald.clock import FrozenClock
    from herald.config import Settings
    from herald.web import create_app
    from herald.web.auth import every_route, guards

    settings = Settings(database_url=f"sqlite:///{db}", allowed_hosts="testserver")
    container = bootstrap.build(settings, clock=FrozenClock(NOW))
    container.migrate()
    actor = system_actor("bench", "localhost")
    with container.uow() as uow:
        for i in range(50):
            tags.create_tag(uow, f"tag{i}", NOW)
        key = access.create_key(uow, "bench", sorted(access.catalog().permissions), actor, NOW).key
    keyed, open_ = create_app(container), create_app(container)

    def fixed(request: Request) -> None:
        request.state.actor, request.state.csrf, request.state.session_id = actor, None, None

    for route in every_route(open_.routes):  # type: ignore[attr-defined]
        for check in guards(route):
            open_.dependency_overrides[check] = fixed  # type: ignore[attr-defined]
    return keyed, open_, key


async def latencies(app: object, n: int, headers: dict[str, str]) -> list[float]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as client:
        for _ in range(50):  # warm up: imports, caches, the connection pool
            warm = await client.get("/api/v1/tags")
            if warm.status_code != 200:
                raise RuntimeError(f"{warm.status_code}: {warm.text}")
        found = []
        for _ in range(n):
            began = time.perf_counter()
            answer = await client.get("/api/v1/tags")
            found.append(time.perf_counter() - began)
            if answer.status_code != 200:
                raise RuntimeError(f"{answer.status_code}: {answer.text}")
        return found


def measure(n: int, data: Path | None = None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(dir=data) as folder:
        keyed, open_, key = app_and_key(Path(folder) / "auth.db")
        with_key, without = [], []
        for _ in range(3):  # interleaved rounds, so that drift on the machine touches both alike
            with_key += asyncio.run(latencies(keyed, n // 3, {"authorization": f"Bearer {key}"}))
            without += asyncio.run(latencies(open_, n // 3, {}))
    a, b = statistics.median(with_key) * 1000, statistics.median(without) * 1000
    summary = (
        f"{'api_auth':<16} N={n:<9} GET /api/v1/tags median {a:.2f} ms with a key, {b:.2f} ms with the check "
        f"replaced: authentication costs {a - b:+.2f} ms (target ≤ 1 ms)"
    )
    return {
        "workload": "api_auth",
        "rows": n,
        "with_key_ms": round(a, 3),
        "without_ms": round(b, 3),
        "cost_ms": round(a - b, 3),
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args(argv)
    print(measure(args.n)["summary"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
