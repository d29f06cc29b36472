"""`herald demo`: the whole flow on a bundled sample, in the current directory, in seconds."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import func, select

from herald import bootstrap, campaigns, contacts, content, segments, tags
from herald.analytics import campaign_report
from herald.campaigns import describe, preflight
from herald.cli.demo import access as demo_access
from herald.cli.demo import follow_up, hearing, serving
from herald.cli.demo import results as demo_results
from herald.config import Settings, load_settings
from herald.console import app_context, emit, out
from herald.contacts import Contact
from herald.content import lint_content
from herald.errors import Invalid
from herald.outbox import Message
from herald.sandbox import ENVIRON, running_vendors
from herald.types import Channel, MessageStatus
from herald.web import free_port, serving_api

TEMPLATE = (
    "Hi {{ first_name | default('there') }}, the Herald Shop winter sale starts today: 20% off for "
    "members at https://shop.example/winter. Reply STOP to opt out."
)
TEMPLATE_B = (
    "Herald Shop winter sale, {{ first_name | default('friend') }}: 20% off for members today "
    "https://shop.example/winter Reply STOP to opt out."
)
SEGMENT = "has:phone and not tag:churned"
REPLIES_EVERY = 25  # one person in this many writes back to the stand-ins: STOP, 退订, HELP, thanks…
CLICKS_EVERY = 8  # one in this many follows the sale's link (after their chat app fetched a preview)
# The same message as Aliyun approved it (mainland China goes by Aliyun, which sends only its templates).
ALIYUN = {"template_code": "SMS_154950909", "params": {"name": "first_name | default('there')", "code": "'WINTER20'"}}


def demo_settings(ctx: typer.Context) -> Settings:
    """The demo's settings: its own SQLite file and outbox folder unless --db names a database."""
    root = ctx.find_root()
    return load_settings(
        root.params.get("config"),
        database_url=root.params.get("db") or "sqlite:///herald-demo.db",
        outbox_dir="herald-demo-outbox",
    )


def run_demo(ctx: typer.Context, json_out: bool, serve_on: int | None = None) -> None:
    """Import, tag, segment, plan, send, report and explain; print each stage's figures. With `serve_on`,
    the UI then stays up on that port over the demo's data, with a worker sending, until interrupted."""
    started = time.perf_counter()
    settings = demo_settings(ctx)
    if settings.database_url == "sqlite:///herald-demo.db":
        for leftover in ("herald-demo.db", "herald-demo.db-wal", "herald-demo.db-shm"):
            Path(leftover).unlink(missing_ok=True)
        shutil.rmtree(settings.outbox_dir, ignore_errors=True)
    say = (lambda *_, **__: None) if app_context(ctx).wants_json(json_out) else out.print
    result: dict[str, Any] = {"database": settings.database_url}
    # The campaign goes out through the real adapters, to the vendors' stand-ins (as `herald sandbox`
    # serves them), unless the installation names provider accounts of its own; Herald's API is served
    # meanwhile, so that the stand-ins' receipts come back to it as a vendor's come to `herald serve`.
    with ExitStack() as stack:
        herald = f"http://127.0.0.1:{serve_on or free_port()}"
        stand_ins = running_vendors(herald=herald, replies_every=REPLIES_EVERY, clicks_every=CLICKS_EVERY)
        vendors = None if settings.provider_accounts else stack.enter_context(stand_ins)
        if vendors is not None:
            accounts, routing = vendors.accounts(), vendors.routing()
            settings = replace(settings, provider_accounts=accounts, routing=routing, public_url=herald)
        container = bootstrap.build(settings, environ={**os.environ, **ENVIRON})
        container.migrate()
        try:
            if vendors is not None:
                stack.enter_context(serving_api(container, int(herald.rsplit(":", 1)[1])))
            _stages(container, result, say)
            if vendors is not None:
                result["receipts"] = hearing.receipts(container, vendors, say)
                result["replies"] = hearing.replies(container, vendors, say)
            result["audit"] = demo_access.audit(container, say)
            result["results"] = demo_results.results(container, say)
            result["follow_up"] = follow_up.planned(container, say)
            if serve_on is not None:
                serving.keep_serving(container, herald, serve_on, vendors is None, say)
        finally:
            container.close()
        if vendors is not None:
            result["vendors"] = taken = vendors.taken_in()
            say(
                f"   through the real adapters: the Twilio stand-in took {taken['twilio']}, "
                f"Aliyun's {taken['aliyun']}, WhatsApp's {taken['whatsapp']}, the mail server {taken['mail']}, "
                f"the SMSC {taken['smpp']}, "
                f"the webhook gateway {taken['gateway']}"
            )
    result["seconds"] = round(time.perf_counter() - started, 2)
    db = settings.database_url
    if db.startswith("sqlite:///") and not db.startswith("sqlite:////"):
        db = f"sqlite:///{Path(db[len('sqlite:///') :]).resolve()}"
    say(f"\nDone in {result['seconds']} s. Explore: herald --db {db} reports campaign 1")
    if app_context(ctx).wants_json(json_out):
        emit(ctx, True, result)


def _stages(container: bootstrap.Container, result: dict, say) -> None:
    """The demo's steps, each saying what it did and keeping it in `result`."""
    now = container.clock.now()
    actors = demo_access.people(container, say)
    _import(container, now, result, say)
    _tags(container, now, result, say)
    _segments(container, result, say)
    cid = _campaign(container, actors, now, result, say)
    _preflight(container, cid, result, say)
    _start(container, cid, result, say)
    follow_up.schedule(container, actors, SEGMENT, now, say)
    _work(container, result, say)
    _report(container, cid, result, say)


def _import(container: bootstrap.Container, now: datetime, result: dict, say) -> None:
    sample = resources.files("herald.cli.demo") / "data" / "demo_contacts.csv"
    with resources.as_file(sample) as path, container.uow() as uow:
        if uow.session.scalar(select(func.count()).select_from(Message)):
            raise Invalid("the demo needs an empty database", where=container.settings.database_url)
        report = contacts.import_file(uow, path, now, erasure_key=container.settings.erasure_keys)
    result["import"] = {k: v for k, v in report.as_dict().items() if k not in ("problems", "mapping", "preview")}
    say(f"[bold]1. Import[/] {report.rows} rows: " + ", ".join(f"{n} {k}" for k, n in report.counts.items()))
    for p in report.problems[:3]:
        say(f"     row {p['row']} {p['field']}: {p['reason']}")


def _tags(container: bootstrap.Container, now: datetime, result: dict, say) -> None:
    with container.uow() as uow:
        for name in ("vip", "churned"):
            tags.create_tag(uow, name, now)
        vip_audience = segments.audience_select(uow.session, "region:NP or region:NA")
        vip = tags.tag_matching(uow, "vip", vip_audience, "demo", now)
        every_23rd = list(uow.session.scalars(segments.audience_select(uow.session, "all")))[5::23]
        churned = tags.tag_contacts(uow, "churned", every_23rd, "demo", now)
        for phone in _first_phones(uow, 12):
            contacts.suppress(uow, Channel.SMS, phone, "opt-out", now, detail="replied STOP")
    result["tags"] = {"vip": vip, "churned": churned, "suppressed": 12}
    say(f"[bold]2. Tags[/] vip: {vip} (region:NP or region:NA), churned: {churned}; 12 numbers suppressed (STOP)")


def _segments(container: bootstrap.Container, result: dict, say) -> None:
    with container.uow() as uow:
        counts = {e: segments.count(uow.session, e) for e in (SEGMENT, "tag:vip and consent:sms", "consent:sms")}
    result["segments"] = counts
    say("[bold]3. Segments[/] " + "; ".join(f"{e!r}: {n}" for e, n in counts.items()))


def _campaign(container: bootstrap.Container, actors: dict[str, Any], now: datetime, result: dict, say) -> int:
    """The two variants' templates, written by maya and approved by li, and the campaign that sends them."""
    for name, body in (("winter-sale", TEMPLATE), ("winter-sale-b", TEMPLATE_B)):
        with container.uow(actor=actors["maya"], action="cli demo templates create") as uow:
            version = content.create_template(
                uow, name, Channel.SMS, {"body": body, "aliyun": ALIYUN}, author="maya", now=now
            )
            findings = lint_content("sms", "marketing", version.content, container.lint_profile(uow))
            content.review(uow, version, "submit", actor="maya", now=now, findings=findings)
        with container.uow(actor=actors["li"], action="cli demo templates approve") as uow:
            version = content.latest_version(uow, content.get_template(uow, name), None, "A")
            content.review(uow, version, "approve", actor="li", now=now, findings=findings)
    with container.uow() as uow:
        campaign = campaigns.create_campaign(
            uow,
            "Winter sale",
            SEGMENT,
            "winter-sale",
            now,
            variants=[("A", 50, ["winter-sale"]), ("B", 50, ["winter-sale-b"])],
            audience=campaigns.Audience(holdout_percent=5),
        )
        cid = campaign.id
    info = content.analyze(TEMPLATE)
    result["template"] = {**info.as_dict(), "findings": [f.as_dict() for f in findings], "approved_by": "li"}
    say(
        f"[bold]4. Template[/] {info.encoding}, {info.characters} characters, "
        f"{info.segments} segment(s) before variables; lint: {len(findings)} finding(s); written by maya, "
        "approved by li; variant B says it another way"
    )
    return cid


def _preflight(container: bootstrap.Container, cid: int, result: dict, say) -> None:
    with container.uow(dry_run=True) as uow:
        checked = preflight(
            uow,
            cid,
            container.clock.now(),
            container.lint_profile(uow),
            container.prices(),
            partial(container.lint_profile, uow),
        )
    peak = max(checked["curve_utc"].items(), key=lambda kv: kv[1], default=("-", 0))
    cost = checked["cost"].get("sms", {})
    result["preflight"] = {k: checked[k] for k in ("audience", "decisions", "by_variant", "blocking", "jurisdictions")}
    say(
        f"[bold]5. Preflight[/] audience {checked['audience']}; "
        + ", ".join(f"{k} {v}" for k, v in checked["by_variant"].items())
        + f"; busiest hour {peak[0]} UTC ({peak[1]}); cost {cost.get('total', '?')} {cost.get('currency', '')}; "
        + ("blocked: " + "; ".join(checked["blocking"]) if checked["blocking"] else "nothing blocks it")
    )
    for j in checked["jurisdictions"]:
        say(_jurisdiction(j))


def _jurisdiction(j: dict) -> str:
    """One line on a preset that speaks for some of the audience, though the campaign follows default."""
    broken = sorted({f["code"] for f in j["findings"] if f["severity"] == "error"})
    return (
        f"   note: {j['preset']} speaks for {j['recipients']} of them on {j['channel']} "
        f"({', '.join(j['regions'])})"
        + (f"; its rules differ in {', '.join(j['rules'])}" if j["rules"] else "")
        + (f"; the template breaks its {', '.join(broken)}" if broken else "; the template passes its lint")
    )


def _start(container: bootstrap.Container, cid: int, result: dict, say) -> None:
    with container.uow() as uow:
        stats = campaigns.plan_campaign(uow, cid, container.clock.now())
    assert stats is not None  # the demo's campaign was created a moment ago
    with container.uow(dry_run=True) as uow:
        again = campaigns.plan_newcomers(uow, cid, container.clock.now(), write=False)
    result["plan"] = {**stats.as_dict(), "newcomers": again.new}
    say(
        f"[bold]6. Start[/] audience {stats.audience}: send now {stats.actions['send']}, deferred "
        f"{stats.actions['defer']} (quiet hours), skipped {stats.actions['skip']} "
        f"({', '.join(f'{k} {v}' for k, v in stats.skipped_by.items())}); newcomers since: {again.new}"
    )


def _work(container: bootstrap.Container, result: dict, say) -> None:
    worker = asyncio.run(container.worker().run(until_idle=True))
    result["worker"] = worker.as_dict()
    accounts = ", ".join(f"{n} ({a.kind})" for n, a in container.accounts.items())
    say(f"[bold]7. Worker[/] sent {worker.sent} in {worker.batches} batches through {accounts}")


def _report(container: bootstrap.Container, cid: int, result: dict, say) -> None:
    with container.uow() as uow:
        report_data = campaign_report(uow.session, campaigns.get_campaign(uow, cid), container.clock.now())
        result["report"] = report_data
        say(
            f"[bold]8. Report[/] sent {report_data['sent']}, waiting {report_data['deferred']['count']}, "
            "skipped " + ", ".join(f"{n} {reason}" for reason, n in report_data["skipped_by_reason"].items())
        )
        result["explain"] = _explanations(uow, cid, container.clock.now(), say)


def _first_phones(uow, n: int) -> list[str]:
    stmt = select(Contact).where(Contact.phone.is_not(None)).order_by(Contact.id).offset(100).limit(n)
    return [str(c.phone) for c in uow.session.scalars(stmt)]  # objects hold the numbers, sealed or not


def _explanations(uow, campaign_id: int, now, say) -> dict[str, Any]:
    found = {}
    for label, where in (
        ("skipped", Message.status == MessageStatus.SKIPPED),
        ("deferred", (Message.status == MessageStatus.QUEUED) & (Message.due_at > now)),
    ):
        m = uow.session.scalar(select(Message).where(Message.campaign_id == campaign_id, where).order_by(Message.id))
        if m is None:
            continue
        text = describe(m, now)["text"]
        found[label] = {"contact": m.contact_id, "text": text}
        say(
            f"\n[bold]Why contact {m.contact_id} was {label}[/] "
            f"(herald campaigns explain {campaign_id} {m.contact_id}):"
        )
        say(text, markup=False)
    return found
