"""`make bench [N=200000]`: run every workload and print figures with their baseline ratios.

python -m bench.run --n 1000000 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench import workloads

DATA = Path(__file__).with_name(".data")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000, help="rows per workload (default 200000)")
    parser.add_argument("--only", choices=sorted(workloads.ALL), help="run one workload")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    DATA.mkdir(exist_ok=True)
    results = []
    for name, workload in workloads.ALL.items():
        if args.only and name != args.only:
            continue
        started = time.perf_counter()
        result = workload(args.n, DATA)
        result["seconds_total"] = round(time.perf_counter() - started, 2)
        results.append(result)
        if not args.json:
            print(workloads.describe(result), flush=True)
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
