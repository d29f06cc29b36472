"""Rendering on the send path: a template with five variables and two filters for N contacts, against a
bare `str.format` doing the same lookups and filters in the same run."""

from __future__ import annotations

import random
import resource
import time
from pathlib import Path

from herald.content import render

SOURCE = (
    "Hi {{ first_name | default('there') }}, your {{ attr.tier | upper }} offer in {{ attr.city }}: "
    "{{ attr.offer }}. Questions? Call {{ phone }}."
)
FORMAT = "Hi {0}, your {1} offer in {2}: {3}. Questions? Call {4}."
DISTINCT = 10_000  # contexts cycled through, so memory stays flat at any N


def contexts(seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    names = ["Sita", "Wang Wei", "Emily", "Johannes", "Ana", "Ravi", None]
    cities = ["Pokhara", "北京", "Windhoek", "Austin", "Porto"]
    out = []
    for i in range(DISTINCT):
        ctx: dict[str, object] = {
            "phone": f"+97798{i:08d}",
            "attr": {
                "tier": rng.choice(["gold", "silver", "basic"]),
                "city": rng.choice(cities),
                "offer": f"{rng.randint(5, 40)}% off",
            },
        }
        name = rng.choice(names)
        if name:
            ctx["first_name"] = name
        out.append(ctx)
    return out


def baseline(ctx: dict) -> str:
    attr = ctx["attr"]
    return FORMAT.format(
        ctx.get("first_name", "there"), attr["tier"].upper(), attr["city"], attr["offer"], ctx["phone"]
    )


def render_templates(n: int, data: Path) -> dict[str, object]:
    pool = contexts()
    render.check(SOURCE)
    assert all(render.render(SOURCE, c) == baseline(c) for c in pool[:500]), "baseline must say the same"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    for i in range(n):
        baseline(pool[i % DISTINCT])
    base_s = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(n):
        render.render(SOURCE, pool[i % DISTINCT])
    herald_s = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ratio = herald_s / base_s
    return {
        "workload": "render_templates",
        "rows": n,
        "herald_per_s": round(n / herald_s),
        "baseline_per_s": round(n / base_s),
        "ratio": round(ratio, 3),
        "herald_us": round(herald_s / n * 1e6, 2),
        "baseline_us": round(base_s / n * 1e6, 2),
        "peak_rss_mb": round(rss_after / 1024, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "summary": (
            f"render_templates N={n:<9} herald {n / herald_s:>10,.0f}/s ({herald_s / n * 1e6:.2f} µs)   "
            f"str.format {n / base_s:>10,.0f}/s   herald takes {ratio:.2f}x the time (target ≤ 3x); "
            f"peak RSS {rss_after / 1024:.0f} MB, grew {(rss_after - rss_before) / 1024:.1f} MB"
        ),
    }
