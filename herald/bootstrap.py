"""The composition root: `build(settings)` wires engine, sessions, clock and providers for the web app,
the CLI and the worker alike. Nothing here runs at import time."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property, partial
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import Session, sessionmaker

from herald import access, analytics, content, rules, tags, tracking
from herald.campaigns import checked_presets, lint_profile, template_presets
from herald.clock import Clock, SystemClock
from herald.config import Settings
from herald.contacts import ImportReport
from herald.content import Profile, Template
from herald.db import Base, UnitOfWork, make_engine, sessions, workspaces
from herald.db import migrate as migrations
from herald.dispatch import PacingLimits, RetryPolicy, Worker
from herald.errors import Invalid
from herald.events import AfterRecording
from herald.providers import (
    CHANNELS,
    PROVIDER_KINDS,
    Account,
    Lookup,
    Provider,
    ProviderShared,
    Routing,
    TwilioLookup,
    from_channel_kinds,
    provider_of,
    read_accounts,
    read_routing,
    unsubscribe_key,
)


def metadata() -> MetaData:
    """Every room's tables, for Alembic and for schema checks."""
    import herald.access.models
    import herald.analytics.models
    import herald.autotag.models
    import herald.campaigns.models
    import herald.contacts.models
    import herald.content.models
    import herald.dispatch.models
    import herald.events.models
    import herald.outbox.models
    import herald.scores.models
    import herald.segments.models
    import herald.tags.models
    import herald.tracking.models  # noqa: F401

    return Base.metadata


@dataclass
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    providers: dict[str, Provider] = field(default_factory=dict)  # by account name
    accounts: dict[str, Account] = field(default_factory=dict)
    routing: Routing = field(default_factory=lambda: Routing({}))
    # Who this container's units of work act for, and as what action (a CLI command): each unit of work
    # that writes is then recorded in the audit log. None (the web app's shared container, the worker).
    actor: access.Actor | None = None
    action: str | None = None
    audit_subject: str | None = None
    audit_detail: dict[str, Any] | None = None
    # The workspace whose database `engine` is, and the control store's (the installation's own database,
    # where users, keys, sessions and the list of workspaces live): the same for `default`.
    workspace: str = workspaces.DEFAULT
    control_engine: Engine | None = None
    control_sessions: sessionmaker[Session] | None = None
    sealer: access.Sealer = field(default_factory=lambda: access.Sealer())  # personal data sealed at rest
    base_settings: Settings | None = None  # the installation's, before this workspace's own over them
    environ: Mapping[str, str] | None = field(default=None, repr=False)  # where `env:` secrets were read

    def uow(
        self, dry_run: bool = False, *, actor: access.Actor | None = None, action: str | None = None, **audit: Any
    ) -> UnitOfWork:
        """A unit of work; with an actor and an action (given, or this container's), its writes are audited.
        `audit` takes the entry's `subject` and `detail`."""
        return self._unit(self.sessions, dry_run, actor, action, audit)

    def control_uow(self, *, actor: access.Actor | None = None, action: str | None = None, **audit: Any) -> UnitOfWork:
        """A unit of work on the control store (users, keys, sessions, workspaces); with an actor, audited
        in the control store's own log."""
        return self._unit(self.control_sessions or self.sessions, False, actor, action, audit)

    def _unit(
        self,
        factory: sessionmaker[Session],
        dry_run: bool,
        actor: access.Actor | None,
        action: str | None,
        audit: dict[str, Any],
    ) -> UnitOfWork:
        if actor is None:
            actor, action = self.actor, self.action
            audit = {"subject": self.audit_subject, "detail": self.audit_detail, **audit}
        if actor is None or action is None:
            return UnitOfWork(factory, dry_run=dry_run)
        recorder = access.Recorder(actor, action, self.clock.now, audit.get("subject"), audit.get("detail"))
        return UnitOfWork(factory, dry_run=dry_run, actor=actor, audit=recorder)

    def unaudited(self, dry_run: bool = False) -> UnitOfWork:
        """A unit of work for what Herald does by itself (the worker's batches, vendors' callbacks)."""
        return UnitOfWork(self.sessions, dry_run=dry_run)

    def for_workspace(self, name: str) -> Container:
        """A container of another workspace of this installation (the caller closes it)."""
        return build(self.base_settings or self.settings, self.clock, self.environ, workspace=name)

    def act_as(
        self, actor: access.Actor, action: str, subject: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        """From now on this container's units of work act for `actor` doing `action` (on `subject`)."""
        self.actor, self.action, self.audit_subject, self.audit_detail = actor, action, subject, detail

    def migrate(self) -> None:
        """Bring this workspace's schema up to date (making its file or schema first); the control store's
        too when this is a workspace of its own."""
        if self.control_engine is not None and self.control_engine is not self.engine:
            migrations.upgrade(self.control_engine)
        self.migrate_own()

    def migrate_own(self) -> None:
        """This workspace's storage and schema alone (the control store may be held by the caller)."""
        workspaces.create_storage(self.control_engine or self.engine, self.engine.url.render_as_string(False))
        migrations.upgrade(self.engine)
        self.check_sealing()

    def check_sealing(self) -> None:
        """Refuse a workspace whose personal data was sealed unless its key file is configured (and holds
        the lookup key it was hashed with); mark it sealed the first time it runs with one."""
        with UnitOfWork(self.sessions) as uow:
            access.check_mark(uow.session, self.sealer, self.clock.now())

    def worker(self, batch_size: int | None = None, concurrency: int | None = None) -> Worker:
        """The worker; `concurrency` sets the requests each HTTP provider keeps in flight (64 unless told)."""
        if concurrency is not None:
            for provider in self.providers.values():
                if hasattr(provider, "in_flight"):
                    provider.in_flight = concurrency
        return Worker(
            self.unaudited,
            self.clock,
            self.providers,
            self.routing,
            batch_size or self.settings.batch_size,
            timedelta(seconds=self.settings.lease_seconds),
            self.settings.invalid_after_failures,
            clusters=self.settings.clusters,
            retry=RetryPolicy(validity=timedelta(hours=self.settings.message_validity_hours)),
            pacing={
                name: (PacingLimits(a.rate, a.daily_limit), a.meters_segments) for name, a in self.accounts.items()
            },
            senders={name: a.listed_senders for name, a in self.accounts.items() if a.listed_senders},
            links=tracking.Shortener(self.settings.public_url) if self.settings.public_url else None,
            replies=self.replies,
            watch=partial(analytics.review, prices=self.prices(), emails=self.settings.alert_addresses),
            notices=analytics.Notices(),
            tallies=analytics.fold_tallies,
        )

    @cached_property
    def replies(self) -> tracking.ReplyPolicy:
        """How replies are read and answered: the installation preset's [replies], the help_reply setting."""
        table = rules.read_preset(self.settings.policy_preset).get("replies", {})
        return tracking.reply_policy(table, self.settings.help_reply)

    def lookup(self) -> Lookup:
        """The number-verification service the settings name; refused when none is configured."""
        s = self.settings
        if s.lookup_provider != "twilio":
            raise Invalid(
                'number lookup is off: set lookup_provider = "twilio" with twilio_account_sid and '
                "twilio_auth_token (each lookup is paid)",
                where="setting lookup_provider",
            )
        if not (s.twilio_account_sid and s.twilio_auth_token):
            raise Invalid("set twilio_account_sid and twilio_auth_token", where="setting lookup_provider")
        return TwilioLookup(s.twilio_account_sid, s.twilio_auth_token, s.twilio_lookup_url)

    def lint_profile(self, uow: UnitOfWork, presets: Iterable[str] = ()) -> Profile:
        """What templates are linted against: presets' [lint] tables, settings and banned-word edits."""
        return lint_profile(uow, self.settings, presets, self.template_routes())

    def template_presets(self, template: Template, locale: str, extra: Iterable[str] = ()) -> list[str]:
        """Every jurisdiction a template version is written for (see compliance.template_presets)."""
        return template_presets(self.settings, template.channel, template.presets or [], locale, extra)

    def template_profile(self, uow: UnitOfWork, template: Template, locale: str, extra: Iterable[str] = ()) -> Profile:
        """The lint profile a template version is reviewed against: every jurisdiction it is written for."""
        return lint_profile(uow, self.settings, self.template_presets(template, locale, extra), self.template_routes())

    def template_routes(self) -> tuple[content.TemplateRoute, ...]:
        """The routes with accounts that send only their vendor's approved templates (Aliyun), for lint."""
        found = []
        for channel, country, names in self.routing.routes():
            templated = tuple((n, self.routing.templated[n]) for n in names if n in self.routing.templated)
            if templated:
                where = f"{channel} to {country}" if country else channel
                found.append(content.TemplateRoute(channel, where, templated, len(names) - len(templated)))
        return tuple(found)

    def checked_presets(self, names: Iterable[str]) -> list[str]:
        """Preset names checked to exist, without repeats."""
        return checked_presets(names)

    def prices(self) -> content.PriceTable:
        """The price table (the `price_table` setting's file, else the bundled example), with the provider
        each channel goes through, so that provider-specific rates apply."""
        if self.settings.price_table:
            path = Path(self.settings.price_table)
            if not path.is_file():
                raise Invalid("file not found", where=f"setting price_table {path}")
            table = content.parse(path.read_text(encoding="utf-8"), where=str(path))
        else:
            bundled = resources.files("herald.content") / "prices" / "example.toml"
            table = content.parse(bundled.read_text(encoding="utf-8"), where="bundled example price table")
        # A route naming no configured account (a provider put in place by hand) gets the table's any-provider rates.
        kinds = {
            ch: self.accounts[name].kind
            for ch in CHANNELS
            if (name := self.routing.first(ch)) and name in self.accounts
        }
        return replace(table, routes=kinds)

    def tag_imported(self, uow: UnitOfWork, report: ImportReport, now: datetime) -> None:
        """Give the tags an import's rows name to the contacts they came to (`report.tagged` says what)."""
        report.tagged = tags.tag_imported(uow, report.tags, f"import {report.source}"[:64], now)

    @property
    def after_events(self) -> AfterRecording:
        """What runs on events as they are stored: the automatic tag rules and the webhook deliveries, and
        purchases that name an order id or a coupon taken as conversions."""
        window = timedelta(days=self.settings.conversion_window_days)

        def after(uow: UnitOfWork, rows: list[dict[str, Any]], now: datetime) -> None:
            tracking.after_events(uow, rows, now)
            tracking.conversions_from_events(uow, rows, now, window)

        return after

    def close(self) -> None:
        self.engine.dispose()
        if self.control_engine is not None and self.control_engine is not self.engine:
            self.control_engine.dispose()


def build(
    settings: Settings,
    clock: Clock | None = None,
    environ: Mapping[str, str] | None = None,
    workspace: str | None = None,
) -> Container:
    """Wire everything from settings for one workspace (`default` unless named); connects lazily (no query
    runs here). Provider accounts read their `env:` secrets from `environ` (the process environment unless
    given)."""
    metadata()
    name = workspaces.checked_name(workspace or workspaces.DEFAULT)
    base = settings
    control = make_engine(settings.database_url)
    engine = (
        control if name == workspaces.DEFAULT else make_engine(workspaces.workspace_url(settings.database_url, name))
    )
    settings = settings.for_workspace(name)
    accounts, routing = provider_accounts(settings, os.environ if environ is None else environ)
    shared = ProviderShared(public_url(settings), unsubscribe_key(settings.secret_key), settings.whatsapp_app_secret)
    providers = {name: provider_of(account, shared) for name, account in accounts.items()}
    sealer = sealer_for(settings)
    factory = sessions(engine, {access.SEALER: sealer})
    built = Container(settings, engine, factory, clock or SystemClock(), providers, accounts, routing)
    built.sealer = sealer
    built.workspace, built.control_engine, built.base_settings, built.environ = name, control, base, environ
    built.control_sessions = built.sessions if control is engine else sessions(control)
    return built


def sealer_for(settings: Settings) -> access.Sealer:
    """The workspace's sealer: its key file's keys and the attributes marked sensitive, or none."""
    sensitive = [a.strip() for a in (settings.sensitive_attributes or "").split(",") if a.strip()]
    if settings.encryption_key_file is None:
        if sensitive:
            raise Invalid("sealing attributes needs encryption_key_file", where="setting sensitive_attributes")
        return access.Sealer()
    return access.Sealer(access.read_key_file(settings.encryption_key_file), sensitive)


def public_url(settings: Settings) -> str | None:
    """The address vendors and recipients reach Herald at (webhooks, unsubscribe links), checked."""
    url = settings.public_url
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise Invalid(
            f"expected an http(s) address like https://herald.shop.example, got {url!r}", where="setting public_url"
        )
    return url.rstrip("/")


def provider_accounts(settings: Settings, environ: Mapping[str, str]) -> tuple[dict[str, Account], Routing]:
    """The provider accounts and routes the settings name; refused, naming the table and key, when wrong."""
    if settings.provider_accounts:
        if not settings.routing:
            raise Invalid('name the accounts that carry each channel, e.g. sms = ["gateway"]', where="[routing]")
        tables, routes = settings.provider_accounts, settings.routing
    else:  # the older setting: one provider kind per channel
        for channel, kind in settings.providers.items():
            if kind not in PROVIDER_KINDS:
                raise Invalid(
                    f"unknown provider {kind!r} for {channel} (available: {', '.join(PROVIDER_KINDS)})",
                    where="setting providers",
                )
        tables, routes = from_channel_kinds(settings.providers)
    accounts = read_accounts(tables, environ, {"dir": settings.outbox_dir})
    return accounts, read_routing(routes, accounts)
