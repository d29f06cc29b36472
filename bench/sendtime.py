"""What sending at each person's best time recovers. A synthetic population whose preferred hours are
known: each person engages most at their own hour of the day (their region leans to mornings or to
evenings), less the further from it a message arrives. Their history is a handful to a few dozen past
engagements drawn from that preference. Each is messaged once within the next 24 hours, never in quiet
hours (21:00–08:00): at 10:00 like everyone (the fixed-time send), at the best time of their profile
(`analytics.sendtime`), and at their true best allowed hour (the oracle). The figure is the expected
engagements of each, and the share of the oracle's gain over the fixed time that the profiles recover.

python -m bench.sendtime [--n 20000]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Kathmandu")
START = datetime(2026, 3, 9, 9, 0, tzinfo=ZONE)  # a Monday morning
REGIONS = {"mornings": (7.5, 3.0), "evenings": (19.0, 2.0)}  # (mean preferred hour, spread)
SPREAD = 1.5  # hours: how fast engagement falls away from a person's hour
FIXED_HOUR = 10


def chance(preferred: float, hour: int) -> float:
    """The chance a person engages with a message that arrives at `hour` (local)."""
    distance = min(abs(hour - preferred), 24 - abs(hour - preferred))
    return 0.3 * math.exp(-(distance**2) / (2 * SPREAD**2)) + 0.02


def allowed(moment: datetime) -> bool:
    return 8 <= moment.hour < 21


def population(n: int, rng: random.Random) -> list[tuple[str, float, list[datetime]]]:
    """(region, preferred hour, past engagements) of each person."""
    people = []
    for i in range(n):
        region = "mornings" if i % 2 else "evenings"
        mean, spread = REGIONS[region]
        preferred = rng.gauss(mean, spread) % 24
        weights = [chance(preferred, h) for h in range(24)]
        history = []
        for _ in range(rng.choice((1, 2, 3, 5, 8, 15, 30))):
            day = rng.randrange(28)
            hour = rng.choices(range(24), weights)[0]
            history.append(START.replace(hour=0) - timedelta(days=day + 1) + timedelta(hours=hour))
        people.append((region, preferred, history))
    return people


def measure(n: int) -> dict[str, object]:
    from herald.scores import sendtime

    rng = random.Random(17)
    people = population(n, rng)
    started = time.perf_counter()
    own = [sendtime.counts(("read", m) for m in history) for _, _, history in people]
    crowds = {
        r: sendtime.prior(c for (region, _, _), c in zip(people, own, strict=True) if region == r) for r in REGIONS
    }
    span = [START.replace(minute=0) + timedelta(hours=h) for h in range(24)]
    fixed = best = oracle = 0.0
    for (region, preferred, _), mine in zip(people, own, strict=True):
        shares = sendtime.profile(mine, crowds[region])
        chosen = sendtime.best_time(shares, START, 24, allowed)
        assert chosen is not None
        fixed += chance(preferred, FIXED_HOUR)
        best += chance(preferred, chosen.hour)
        oracle += max(chance(preferred, m.hour) for m in span if allowed(m))
    seconds = time.perf_counter() - started
    return {
        "workload": "send_time",
        "people": n,
        "engagements_fixed_time": round(fixed),
        "engagements_best_time": round(best),
        "engagements_oracle": round(oracle),
        "lift_over_fixed": round(best / fixed, 3),
        "share_of_oracle_gain_recovered": round((best - fixed) / (oracle - fixed), 3),
        "profiles_per_s": round(n / seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="people (default 20000)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.n), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
