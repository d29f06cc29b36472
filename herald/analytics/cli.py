"""`herald reports …`"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from herald.analytics.reports.audience import audience_report
from herald.analytics.reports.printing import print_health, print_optouts, print_results
from herald.analytics.reports.quality import quality
from herald.analytics.reports.queries import campaign_report
from herald.campaigns import get_campaign
from herald.console import JsonFlag, app_context, emit, out, table

app = typer.Typer(help="Reports on what was planned, sent, deferred and skipped.", no_args_is_help=True)


@app.command()
def campaign(ctx: typer.Context, campaign: str, json_out: JsonFlag = False) -> None:
    """Audience, planned, sent, deferred (with until) and skipped by reason."""
    container = app_context(ctx).container
    with container.uow() as uow:
        data = campaign_report(uow.session, get_campaign(uow, campaign), container.clock.now())
    emit(ctx, json_out, data, lambda: print_report(data))


def print_report(r: dict) -> None:
    c = r["campaign"]
    out.print(f"Campaign {c['id']} {c['name']!r} on {c['channel']} — segment {c['segment']}")
    p = r["planned"]
    out.print(
        f"  audience {r['audience']}: planned to send now {p['send_now']}, deferred {p['deferred']}, "
        f"skipped {p['skipped']}"
    )
    out.print(
        f"  sent {r['sent']}; waiting {r['deferred']['count']}; "
        + ", ".join(f"{k} {v}" for k, v in r["status"].items() if v and k not in ("sent",))
    )
    d = r["delivery"]
    if r["sent"]:
        out.print(
            f"  of the sent: delivered {d['delivered'] + d['read']} (read {d['read']}), not delivered "
            f"{d['undelivered'] + d['failed']}, handed on {d['sent']}, no receipt yet {d['no_receipt']}"
        )
    k, o, replies = r["clicks"], r["opens"], r["replies"]
    if k["total"] or k["machine"] or o["total"] or o["machine"] or replies:
        out.print(
            f"  clicks {k['total']} by people on {k['unique']} messages (forwarded: {k['forward_coefficient']} "
            f"more devices a link), {k['machine']} by machines; opens {o['unique']} "
            f"({o['machine']} by machines); replies "
            + (", ".join(f"{kind} {n}" for kind, n in sorted(replies.items())) or "none")
        )
    lease = r["waiting_on_lease"]
    if lease["count"]:
        out.print(
            f"  {lease['count']} claimed by a worker until {lease['until']} (a worker that was killed holds "
            f"them until then; they are retried after)"
        )
    for d in r["deferred"]["next"][:5]:
        out.print(f"    {d['count']:>6} deferred until {d['until']}")
    for title, key in (("skipped", "skipped_by_reason"), ("failed", "failed_by_reason")):
        for reason, n in r[key].items():
            out.print(f"    {n:>6} {title}: {reason}")
    if r["ab"]:
        print_variants(r["ab"])
    if r.get("ab_test"):
        print_test(r["ab_test"])


def print_variants(ab: dict) -> None:
    rows = [[v, x["sent"], x["delivered"], x["clicked"]] for v, x in ab["variants"].items()]
    table("Variants", ["variant", "sent", "delivered", "clicked (people)"], rows)
    for metric, verdict in ab["verdicts"].items():
        out.print(f"  {metric}: " + (f"winner {verdict['winner']} — " if verdict["winner"] else "") + verdict["reason"])


def print_test(test: dict) -> None:
    """The A/B test phase: what it is judged by, where it stands, and its verdict."""
    out.print(
        f"  A/B test on {test['test_percent']:g}% by {test['metric']} ({test['method']}, "
        f"{test['confidence']:.0%} sure, hold {test['hold_minutes']} min): {test['state']}",
        markup=False,
    )
    if test.get("reason"):
        rest = f"; the rest got {test['sent_to_rest']}" if test.get("sent_to_rest") else ""
        out.print(f"    {test['reason']}{rest}", markup=False)
    elif test.get("note"):
        out.print(f"    {test['note']}", markup=False)


def quality_command(
    ctx: typer.Context,
    failures: int = typer.Option(2, help='Refused messages that make an address "failing repeatedly".'),
    json_out: JsonFlag = False,
) -> None:
    """Data quality: reachable share, regions, carriers and line types, consent coverage, stale contacts,
    numbers that keep failing."""
    container = app_context(ctx).container
    with container.uow() as uow:
        data = quality(uow.session, container.clock.now(), failures)
    emit(ctx, json_out, data, lambda: print_quality(data))


def print_quality(q: dict) -> None:
    share = f"{q['reachable_share']:.1%}" if q["reachable_share"] is not None else "—"
    out.print(
        f"{q['contacts']} contacts ({q['erased']} erased): {q['with_phone']} with a phone, {q['with_email']} "
        f"with an email; {share} reachable; {q['merged']} merged by hand"
    )
    for title, key in (("Regions", "by_region"), ("Carriers", "by_carrier"), ("Line types", "by_line_type")):
        out.print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in q[key].items()))
    out.print("Without marketing consent: " + ", ".join(f"{k} {v}" for k, v in q["without_consent"].items()))
    out.print("Consent without proof: " + ", ".join(f"{k} {v}" for k, v in q["consent_without_proof"].items()))
    out.print("Suppressed: " + (", ".join(f"{k} {v}" for k, v in q["suppressed"].items()) or "none"))
    out.print(f"Stale (no sign of life in {q['stale']['days']} days): {q['stale']['contacts']}")
    failing = q["failing_repeatedly"]
    out.print(f"Refused {failing['at_least']}+ times: {failing['addresses']} addresses")
    for w in failing["worst"]:
        out.print(f"  {w['channel']} {w['address']}: {w['refused']}" + (" (suppressed)" if w["suppressed"] else ""))


@app.command()
def audience(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Tag distribution, lifecycle stages, the RFM grid, contacts by region and by carrier."""
    container = app_context(ctx).container
    with container.uow() as uow:
        data = audience_report(uow.session, container.clock.now())
    emit(ctx, json_out, data, lambda: print_audience(data))


def print_audience(a: dict) -> None:
    out.print(f"{a['contacts']} contacts")
    table("Tags", ["tag", "category", "contacts"], [[t["tag"], t["category"] or "", t["contacts"]] for t in a["tags"]])
    when = f" (scored {a['scored_at']:%Y-%m-%d %H:%M})" if a["scored_at"] else " (run `herald scores compute`)"
    out.print("Lifecycle" + when + ": " + ", ".join(f"{k} {v}" for k, v in a["lifecycle"].items()))
    cells = {(c["r"], c["f"]): c["contacts"] for c in a["rfm_grid"]}
    table(
        "RFM: recency ↓ × frequency →",
        ["r", "f1", "f2", "f3", "f4", "f5"],
        [[r, *(cells.get((r, f), 0) for f in range(1, 6))] for r in range(5, 0, -1)],
    )
    for title, key in (("Regions", "by_region"), ("Carriers", "by_carrier")):
        out.print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in a[key].items()))


# Contact quality is a read-side report; it joins `herald contacts`, where an operator looks for it.
JOINS = {"contacts": {"quality": quality_command}}


@app.command()
def health(
    ctx: typer.Context,
    month: str | None = typer.Option(None, help="The month, YYYY-MM (the last month that has ended unless told)."),
    months: int = typer.Option(2, help="How many months to show, ending with it (1–24)."),
    json_out: JsonFlag = False,
) -> None:
    """Delivery, failure, conversion, opt-out and complaint rates month over month, in all and per channel
    and provider."""
    from herald.analytics.reports.health import health as health_report
    from herald.analytics.reports.health import latest_complete
    from herald.analytics.reports.months import read_month

    container = app_context(ctx).container
    now = container.clock.now()
    chosen = read_month(month, now) if month else latest_complete(now)
    with container.uow() as uow:
        data = health_report(uow.session, chosen, months)
    emit(ctx, json_out, data, lambda: print_health(data))


@app.command()
def optouts(
    ctx: typer.Context,
    month: str | None = typer.Option(None, help="A month, YYYY-MM (instead of --since and --until)."),
    since: str | None = typer.Option(None, help="From this date (the last 30 days unless told)."),
    until: str | None = typer.Option(None, help="Up to this date (now unless told)."),
    json_out: JsonFlag = False,
) -> None:
    """Opt-outs and complaints by campaign, template, channel, variant and cadence: what drives people away."""
    from herald.analytics.reports.months import period
    from herald.analytics.reports.optouts import optouts as optouts_report

    container = app_context(ctx).container
    start, end = period(container.clock.now(), month, since, until)
    with container.uow() as uow:
        data = optouts_report(uow.session, start, end)
    emit(ctx, json_out, data, lambda: print_optouts(data))


@app.command()
def results(
    ctx: typer.Context,
    campaign: str,
    export: Path | None = typer.Option(None, "--export", help="Also write the rows to a .csv or .xlsx file."),
    json_out: JsonFlag = False,
) -> None:
    """The funnel planned → sent → delivered → read → clicked → converted, by channel, variant, region,
    carrier, sender and local hour; the channel × hour heatmap; revenue; the hold-out uplift."""
    from herald.analytics.reports.export import write_results
    from herald.analytics.reports.funnel import results as campaign_results

    container = app_context(ctx).container
    window = timedelta(days=container.settings.conversion_window_days)
    with container.uow() as uow:
        data = campaign_results(uow.session, get_campaign(uow, campaign), window, container.prices())
    if export is not None:
        write_results(data, export)
    emit(ctx, json_out, data, lambda: print_results(data, export))
