"""Personal data sealed at rest against the same work with it off, in the same run, on SQLite: importing
the sample file (keys, sealed copies and a salt per row), counting a segment over the imported contacts,
and planning a campaign to them. Targets: import at least 0.8x, segment count and plan at least 0.9x of
the run with sealing off.

python -m bench.sealed [--n 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
EXPRESSION = "(region:NP or region:CN or region:IN) and has:phone and consent:sms"
TARGETS = {"import": 0.8, "segment_count": 0.9, "plan": 0.9}
KEYS = "k1=AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\nlookup=AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n"


def one_run(csv_path: Path, folder: Path, sealed: bool) -> dict[str, float]:
    """Seconds to import, count and plan, in a fresh SQLite file, sealed or not."""
    from herald import bootstrap, segments
    from herald.campaigns import service as campaigns
    from herald.clock import FrozenClock
    from herald.config import Settings
    from herald.contacts.importing import importer
    from herald.content import service as content
    from herald.types import Channel

    db = folder / ("sealed.db" if sealed else "plain.db")
    for old in folder.glob(db.name + "*"):  # each run starts from an empty database
        old.unlink()
    keys = folder / "bench.keys"
    keys.write_text(KEYS)
    settings = Settings(
        database_url=f"sqlite:///{db}", encryption_key_file=str(keys) if sealed else None, outbox_dir=str(folder)
    )
    container = bootstrap.build(settings, clock=FrozenClock(NOW))
    container.migrate()
    started = time.perf_counter()
    with container.uow() as uow:
        importer.import_file(uow, csv_path, NOW, erasure_key=settings.secret_key)
    imported = time.perf_counter() - started
    counts = []
    for _ in range(11):
        started = time.perf_counter()
        with container.uow() as uow:
            segments.count(uow.session, EXPRESSION, NOW)
        counts.append(time.perf_counter() - started)
    with container.uow() as uow:
        version = content.create_template(
            uow, "sale", Channel.SMS, {"body": "Sale today. Reply STOP to opt out."}, author="a", now=NOW
        )
        content.review(uow, version, "submit", actor="a", now=NOW)
        content.review(uow, version, "approve", actor="b", now=NOW)
        campaign = campaigns.create_campaign(uow, "Sale", EXPRESSION, "sale", NOW).id
    started = time.perf_counter()
    with container.uow() as uow:
        campaigns.plan_campaign(uow, campaign, NOW)
    planned = time.perf_counter() - started
    container.close()
    return {"import": imported, "segment_count": statistics.median(counts), "plan": planned}


def measure(n: int, data: Path, rounds: int = 5) -> dict[str, object]:
    """Rounds of both runs, their order alternating, each figure the median of its rounds: on a small
    machine one run's figure moves by a fifth from one minute to the next."""
    from bench.workloads import sample_file

    csv_path = sample_file(n, data)
    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as folder:
        for i in range(rounds):
            for sealed in (False, True) if i % 2 == 0 else (True, False):
                runs[sealed].append(one_run(csv_path, Path(folder), sealed))
    plain, sealed_ = ({k: statistics.median(r[k] for r in runs[s]) for k in TARGETS} for s in (False, True))
    ratios = {k: round(plain[k] / sealed_[k], 3) for k in TARGETS}
    return {
        "workload": "sealed_at_rest",
        "rows": n,
        "rounds": rounds,
        "import_rows_per_s": {"sealed": round(n / sealed_["import"]), "plain": round(n / plain["import"])},
        "segment_count_ms": {
            "sealed": round(sealed_["segment_count"] * 1000, 1),
            "plain": round(plain["segment_count"] * 1000, 1),
        },
        "plan_s": {"sealed": round(sealed_["plan"], 2), "plain": round(plain["plan"], 2)},
        "ratio": ratios,
        "targets": TARGETS,
        "met": all(ratios[k] >= t for k, t in TARGETS.items()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="rows to import (default 100000)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each, alternating (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data:
        print(json.dumps(measure(args.n, Path(data), args.rounds), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
