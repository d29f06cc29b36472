"""`herald reports …`"""

from __future__ import annotations

import typer

from herald.analytics.queries import campaign_report
from herald.campaigns.service import get_campaign
from herald.console import JsonFlag, app_context, emit, out

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
    out.print(f"  audience {r['audience']}: planned to send now {p['send_now']}, deferred {p['deferred']}, "
              f"skipped {p['skipped']}")
    out.print(f"  sent {r['sent']}; waiting {r['deferred']['count']}; "
              + ", ".join(f"{k} {v}" for k, v in r["status"].items() if v and k not in ("sent",)))
    for d in r["deferred"]["next"][:5]:
        out.print(f"    {d['count']:>6} deferred until {d['until']}")
    for title, key in (("skipped", "skipped_by_reason"), ("failed", "failed_by_reason")):
        for reason, n in r[key].items():
            out.print(f"    {n:>6} {title}: {reason}")
