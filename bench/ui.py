"""The web UI's server time per page on the demo's data (2,000 contacts, a campaign sent and heard back
from): the median of N requests of each page through the app, signed in, against the sign-in page (a
template with no database work) measured in the same run. Target: every page under 200 ms at the median.

With --contacts N, the same on a workspace of N contacts each sent one message of a campaign with 3N
clicks (bench.results' data): every page under 1 s, and what cannot be instant — a list's count, the
week's sends, a campaign's messages by state, its results — measured apart, as the fragments the pages
fetch after they show.

python -m bench.ui [--n 20] [--contacts 1000000]
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
BIG_PAGES = ("/", "/contacts", "/contacts?q=97790000012", "/contacts/1", "/campaigns", "/campaigns/1")
BIG_PAGES += ("/campaigns/1/results", "/segments", "/inbox", "/settings")
AFTER = ("/contacts/count", "/dashboard/sends", "/dashboard/running", "/campaigns/1/messages")
AFTER += ("/campaigns/1/results/figures",)
BIG_TARGET_MS = 1000


def demo(folder: Path) -> str:
    """The demo's database, made by `herald demo` in `folder`."""
    herald = Path(sys.executable).with_name("herald")
    subprocess.run([str(herald), "demo"], cwd=folder, check=True, capture_output=True)
    return f"sqlite:///{folder / 'herald-demo.db'}"


def signed_in(db: str, folder: Path):  # a TestClient and the container it serves
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


def measure_big(contacts: int, n: int) -> dict[str, object]:
    from bench import results

    with tempfile.TemporaryDirectory() as data:
        folder = Path(data)
        db = folder / "big.db"
        results.build(contacts, db)
        client, container = signed_in(f"sqlite:///{db}", folder)
        try:
            base = median_ms(client, "/signin", n)
            pages = {path: round(median_ms(client, path, n), 1) for path in BIG_PAGES}
            later = {path: round(median_ms(client, path, max(2, n // 5)), 1) for path in AFTER}
        finally:
            container.close()
    slowest = max(pages, key=lambda p: pages[p])
    return {
        "workload": "ui_pages_big",
        "contacts": contacts,
        "median_ms": pages,
        "fetched_after_the_page_ms": later,
        "baseline_signin_ms": round(base, 1),
        "slowest": slowest,
        "target_ms": BIG_TARGET_MS,
        "met": pages[slowest] < BIG_TARGET_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="requests of each page (default 20)")
    parser.add_argument("--contacts", type=int, default=0, help="a workspace of this many contacts instead")
    args = parser.parse_args(argv)
    found = measure_big(args.contacts, args.n) if args.contacts else measure(args.n)
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
