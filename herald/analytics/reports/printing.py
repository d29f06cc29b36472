"""How `herald reports` prints the health report, the opt-out analysis and a campaign's results."""

from __future__ import annotations

from pathlib import Path

from herald.console import out, table

STAGES = ("planned", "sent", "delivered", "read", "clicked", "converted")


HEALTH_RATES = ("delivery_rate", "failure_rate", "conversion_rate", "optout_rate", "complaint_rate")


def print_health(h: dict) -> None:
    out.print(f"Health, {' → '.join(h['months'])}")
    rows = [_health_row("all", h["total"], h["months"])]
    rows += [_health_row(f"channel {k}", v, h["months"]) for k, v in h["by_channel"].items()]
    rows += [_health_row(f"provider {k}", v, h["months"]) for k, v in h["by_provider"].items()]
    headers = ["", "sent", *(r.removesuffix("_rate") for r in HEALTH_RATES)]
    table(f"{h['month']} (change from the month before, in points)", headers, rows)
    out.print("Complaint cases opened: " + ", ".join(f"{m} {n}" for m, n in h["complaint_cases"].items()))


def _health_row(label: str, figures: dict, shown: list[str]) -> list:
    last = figures[shown[-1]]
    change = figures.get("change", {})
    return [label, last["counts"]["sent"], *(_rate(last["rates"][r], change.get(r)) for r in HEALTH_RATES)]


def _rate(value: float | None, delta: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}%" + (f" ({delta:+.2f})" if delta is not None else "")


def print_optouts(o: dict) -> None:
    out.print(
        f"{o['since']:%Y-%m-%d} – {o['until']:%Y-%m-%d}: {o['opt_outs']} opt-outs, {o['complaints']} complaints"
        + (f" ({o['unattributed']} after no message of Herald's)" if o["unattributed"] else "")
    )
    for key in ("campaign", "template", "channel", "variant"):
        rows = [[r[key], r["sent"], r["opt_outs"], r["complaints"], _percent(r["rate"])] for r in o[f"by_{key}"]]
        if rows:
            table(f"By {key}", [key, "sent", "opt-outs", "complaints", "rate"], rows)
    per = o["messages_per_person"]
    out.print("Messages in the 7 days before leaving: " + ", ".join(f"{k}: {v}" for k, v in o["cadence_7d"].items()))
    out.print("In the 30 days before: " + ", ".join(f"{k}: {v}" for k, v in o["cadence_30d"].items()))
    out.print(f"Everyone reached got {per} messages in the period on average" if per is not None else "")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def print_results(r: dict, export: Path | None) -> None:
    f = r["funnel"]
    out.print(
        f"{r['campaign']['name']}: "
        + " → ".join(
            f"{stage} {f[stage]}" for stage in ("planned", "sent", "delivered", "read", "clicked", "converted")
        )
    )
    for key in ("channel", "variant", "region"):
        rows = [
            [v, x["sent"], _percent(x["delivered_rate"]), _percent(x["clicked_rate"]), _percent(x["converted_rate"])]
            for v, x in r[f"by_{key}"].items()
        ]
        if rows:
            table(f"By {key}", [key, "sent", "delivered", "clicked", "converted"], rows)
    if r["revenue"]:
        out.print("Revenue: " + ", ".join(f"{amount} {currency}" for currency, amount in r["revenue"].items()))
    if r["cost"]:
        c = r["cost"]
        unpriced = f" ({len(c['unpriced'])} group(s) no rate prices)" if c["unpriced"] else ""
        out.print(f"Cost (estimated by the price table): {c['total']} {c['currency']}{unpriced}")
    if r["return"]:
        out.print(
            f"Return: {r['return']['net']} {r['return']['currency']} net, {r['return']['revenue_per_cost']}× the cost"
        )
    uplift = r["uplift"]
    if uplift and uplift["uplift"]:
        u = uplift["uplift"]
        out.print(
            f"Uplift over the hold-out in {uplift['window_days']} days: {u['points']:+.2f} points "
            f"(95 % interval {u['low']:+.2f} to {u['high']:+.2f}; recipients {uplift['recipients']['rate']}%, "
            f"hold-out {uplift['holdout']['rate']}%)"
        )
    if export is not None:
        out.print(f"Rows written to {export}")
