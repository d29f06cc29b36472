"""Use cases of the content room; the only writer of `templates`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from herald.content import render
from herald.content.models import Template
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid, NotFound
from herald.types import Channel

MAX_BODY = {Channel.SMS: 1600, Channel.WHATSAPP: 4096, Channel.EMAIL: 500_000}


def create_template(uow: UnitOfWork, name: str, channel: Channel, body: str, now: datetime,
                    subject: str | None = None) -> Template:
    """Save a template after checking its syntax, constructs, variables and size."""
    if not name.strip():
        raise Invalid("a name is required", where="template")
    if not body.strip():
        raise Invalid("the body is empty", where=f"template {name!r}")
    if len(body) > MAX_BODY[channel]:
        raise Invalid(f"the body has {len(body)} characters; {channel.value} allows {MAX_BODY[channel]}",
                      where=f"template {name!r}")
    if channel is Channel.EMAIL and not (subject or "").strip():
        raise Invalid("an email template needs a subject", where=f"template {name!r}")
    render.check(body, where=f"template {name!r} body")
    if subject:
        render.check(subject, where=f"template {name!r} subject")
    if uow.session.scalar(select(Template.id).where(Template.name == name)) is not None:
        raise Conflict(f"template {name!r} already exists")
    template = Template(name=name, channel=channel.value, body=body, subject=subject, created_at=now)
    uow.session.add(template)
    uow.flush()
    return template


def get_template(uow: UnitOfWork, ref: str | int) -> Template:
    """A template by id or name, or NotFound."""
    column = Template.id if isinstance(ref, int) or str(ref).isdigit() else Template.name
    value = int(ref) if column is Template.id else ref
    template = uow.session.scalar(select(Template).where(column == value))
    if template is None:
        raise NotFound(f"template {ref!r} does not exist")
    return template
