"""The demo's campaign sent on an event: a follow-up to each person who clicks the sale's link, a day later
and once — the next step of a series, on the clicks of the sale's own messages — planned by the worker's
beat as the clicks come in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from herald import campaigns, content
from herald.content import lint_content
from herald.outbox import Message
from herald.types import Channel

if TYPE_CHECKING:
    from herald.bootstrap import Container

NAME = "Winter follow-up"
TEMPLATE = (
    "Herald Shop: {{ first_name | default('hi') }}, still thinking it over? The winter sale's 20% ends on "
    "Sunday: https://shop.example/winter Reply STOP to opt out."
)
ALIYUN = {"template_code": "SMS_154950910", "params": {"name": "first_name | default('hi')"}}


def schedule(container: Container, actors: dict[str, Any], segment: str, now: datetime, say) -> None:
    """The follow-up's template (written by maya, approved by li) and its campaign, listening for clicks."""
    with container.uow(actor=actors["maya"], action="cli demo templates create") as uow:
        version = content.create_template(
            uow, "winter-follow-up", Channel.SMS, {"body": TEMPLATE, "aliyun": ALIYUN}, author="maya", now=now
        )
        findings = lint_content("sms", "marketing", version.content, container.lint_profile(uow))
        content.review(uow, version, "submit", actor="maya", now=now, findings=findings)
    with container.uow(actor=actors["li"], action="cli demo templates approve") as uow:
        version = content.latest_version(uow, content.get_template(uow, "winter-follow-up"), None, "A")
        content.review(uow, version, "approve", actor="li", now=now, findings=findings)
    with container.uow(actor=actors["maya"], action="cli demo campaigns schedule") as uow:
        made = campaigns.create_campaign(uow, NAME, segment, "winter-follow-up", now)
        scheduled = campaigns.schedule_campaign(
            uow, made.id, now, on_event="message.clicked", delay="1d", once=True, of_campaign="Winter sale"
        )
        said = campaigns.said_trigger(scheduled.trigger or {})
    say(f"   and {NAME!r} is sent {said}: the worker plans it as clicks come in")


def planned(container: Container, say) -> dict[str, Any]:
    """The follow-up after the clicks: one more beat of the scheduler, then what it planned."""
    with container.uow() as uow:
        campaigns.tick(uow, container.clock.now())
    with container.unaudited() as uow:
        campaign = campaigns.get_campaign(uow, NAME)
        rows = uow.session.execute(
            select(Message.planned_action, func.count())
            .where(Message.campaign_id == campaign.id)
            .group_by(Message.planned_action)
        ).all()
    counts = {action: n for action, n in rows}
    say(
        f"[bold]14. Follow-up[/] {NAME!r}: {sum(counts.values())} people who clicked, each planned once — "
        f"{counts.get('send', 0) + counts.get('defer', 0)} to get it a day later, {counts.get('skip', 0)} skipped "
        "by the rules"
    )
    return {"runs": campaign.runs, "planned": counts}
