"""The web UI's server time per page on the demo's data (2,000 contacts, a campaign sent and heard back
from): the median of N requests of each page through the app, signed in, against the sign-in page (a
template with no database work) measured in the same run. Target: every page under 200 ms at the median.

python -m bench.ui [--n 20]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGES = (
    "/",
    "/contacts",
    "/contacts?q=138",
    "/contacts/1",
    "/segments",
    "/tags",
    "/templates",
    "/templates/winter-sale",
    "/campaigns",
    "/campaigns/1",
    "/campaigns/1/results",
    "/inbox",
    "/settings",
)
TARGET_MS = 200


def demo(folder: Path) -> str:
    """The demo's database, made by `herald demo` in `folder`."""
    herald = Path(sys.executable).with_name("herald")
    subprocess.run([str(herald), "demo"], cwd=folder, check=True, capture_output=True)
    return f"sqlite:///{folder / 'herald-demo.db'}"


def signed_in(db: str, folder: Path):
    from fastapi.testclient import TestClient

    from herald import access, bootstrap
    from herald.config import Settings
    from herald.web import create_app

    settings = Settings(database_url=db, outbox_dir=str(folder / "herald-demo-outbox"), signin_per_minute=0)
    container = bootstrap.build(settings)
    with container.control_uow() as uow:
        access.create_user(uow, "bench", "admin", "bench password 123", container.clock.now())
    client = TestClient(create_app(container), base_url="http://127.0.0.1")
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
    client.post("/signin", data={"name": "bench", "password": "bench password 123", "csrf": token})
    return client, container


def median_ms(client, path: str, n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return statistics.median(times)


def measure(n: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as data:
        folder = Path(data)
        client, container = signed_in(demo(folder), folder)
        try:
            base = median_ms(client, "/signin", n)
            pages = {path: round(median_ms(client, path, n), 1) for path in PAGES}
        finally:
            container.close()
    slowest = max(pages, key=lambda p: pages[p])
    return {
        "workload": "ui_pages",
        "median_ms": pages,
        "baseline_signin_ms": round(base, 1),
        "slowest": slowest,
        "slowest_ratio": round(pages[slowest] / base, 1),
        "target_ms": TARGET_MS,
        "met": pages[slowest] < TARGET_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="requests of each page (default 20)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.n), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
