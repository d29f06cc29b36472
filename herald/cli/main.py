"""Entry point of the `herald` command. Each room's commands are imported when they run (see `lazy`), so
that help and the commands that need no database answer at once."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from herald.cli import running, setup, usage
from herald.cli.lazy import LazyGroup, Room
from herald.config import load_settings
from herald.console import AppContext, JsonFlag, out
from herald.errors import HeraldError, Invalid

if TYPE_CHECKING:
    from herald import bootstrap


class HeraldGroup(LazyGroup):
    # Each room's group is its own `cli.app`; commands that belong with a room's but live above it in the
    # flow (erasing a person, the quality report, preview) declare where they join in their module's JOINS.
    rooms = {
        "contacts": Room(
            "Import, inspect and manage contacts, consent and suppression.",
            "herald.contacts.cli",
            joined_by=("herald.cli.joins.people", "herald.analytics.cli"),
        ),
        "tags": Room("Create tags and tag contacts.", "herald.tags.cli", joined_by=("herald.autotag.cli",)),
        "segments": Room("Count, list and save contacts matching a filter expression.", "herald.segments.cli"),
        "templates": Room(
            "Write, review and lint templates; check SMS encoding and cost.",
            "herald.content.cli",
            joined_by=("herald.cli.joins.preview", "herald.cli.joins.meta"),
        ),
        "campaigns": Room("Create, preflight, start, schedule, pause and explain campaigns.", "herald.campaigns.cli"),
        "reports": Room("Reports on what was planned, sent, deferred and skipped.", "herald.analytics.cli"),
        "rules": Room(
            "Policy presets and their rules.", "herald.rules.cli", joined_by=("herald.cli.joins.playground",)
        ),
        "events": Room("Record what contacts did: purchases, page views, abandoned carts…", "herald.events.cli"),
        "scores": Room("RFM scores, lifecycle stages and send-time profiles.", "herald.scores.cli"),
        "providers": Room(
            "Provider accounts and the channels they carry.", "herald.providers.cli", joined_by=("herald.dispatch.cli",)
        ),
        "messages": Room("Messages left uncertain by a provider, and settling them.", "herald.outbox.cli"),
        "inbound": Room("Replies people sent, read and acted on; the complaint inbox.", "herald.tracking.cli"),
        "webhooks": Room("Send events to your own systems: signed webhooks, retried.", "herald.tracking.webhooks_cli"),
        "alerts": Room(
            "Alerts that pause a campaign or a provider account, and their rules.", "herald.analytics.alerts_cli"
        ),
        "users": Room("People who sign in, their roles, passwords and second factor.", "herald.access.cli.users"),
        "keys": Room("API keys for your programs: scopes, last use, revocation.", "herald.access.cli.keys"),
        "workspaces": Room(
            "Workspaces: brands or clients whose data no other sees, and their members.",
            "herald.access.cli.workspaces",
        ),
        "audit": Room("The audit log: every write and refusal, who, when and from where.", "herald.access.cli.audit"),
    }


app = typer.Typer(
    name="herald",
    help="Compliance-first messaging over WhatsApp, SMS and email.",
    cls=HeraldGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(setup.db_app, name="db")
app.add_typer(setup.config_app, name="config")
app.command("init-config")(setup.init_config)

# Commands that create the schema themselves or need none; every other one needs it current.
NO_SCHEMA_CHECK = {"db", "demo", "serve", "init-config", "rules", "config", "sandbox"}


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (else HERALD_DATABASE_URL, else sqlite:///herald.db).")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Settings file (default herald.toml).")] = None,
    json_out: JsonFlag = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log to standard error.")] = False,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", "-w", help="The workspace to act in (else HERALD_WORKSPACE, else default)."),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act as this Herald user, with their role's permissions (else the setting `operator`, else the "
            "system user running the command, recorded as such).",
        ),
    ] = None,
) -> None:
    """Herald: import contacts, segment them, and send campaigns that can say why."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    needs_schema = ctx.invoked_subcommand not in NO_SCHEMA_CHECK

    def make_container() -> bootstrap.Container:
        from herald import bootstrap

        chosen = workspace or os.environ.get("HERALD_WORKSPACE") or None
        container = bootstrap.build(load_settings(config, database_url=db), workspace=chosen)
        if needs_schema:
            _require_schema(container)
            from herald.cli.acting import act

            act(container, as_user or container.settings.operator)
        return container

    ctx.obj = AppContext(
        json=json_out,
        make_container=make_container,
        make_settings=lambda: load_settings(config, database_url=db),
        audience=_audience,
        tags_of=_tags_of,
    )


def _audience(session, expression: str):
    from herald.segments import audience_select

    return audience_select(session, expression)


def _tags_of(uow, contact_id: int, now) -> list[dict]:
    from herald.tags import tags_of

    return tags_of(uow, contact_id, now)


def _require_schema(container: bootstrap.Container) -> None:
    from herald import access
    from herald.db import migrate

    if container.control_engine is not None and container.control_engine is not container.engine:
        if migrate.current_revision(container.control_engine) is None:
            raise Invalid("this database has no Herald schema yet; run `herald db upgrade`", where="workspace")
        with container.control_uow() as uow:
            access.require_workspace(uow, container.workspace)
    current = migrate.current_revision(container.engine)
    if current is None:
        raise Invalid(
            "this database has no Herald schema yet; run `herald db upgrade` (or `herald demo`)",
            where=_safe_url(container.settings.database_url),
        )
    if current != migrate.head_revision(container.engine):
        raise Invalid(
            "the schema is out of date; run `herald db upgrade`", where=_safe_url(container.settings.database_url)
        )
    container.check_sealing()  # sealed data is never read, nor plain data added, without its key file


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "database"


@app.command()
def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then keep the UI and the worker running on the demo's data (Ctrl-C ends).")
    ] = False,
    port: Annotated[int, typer.Option(help="With --serve: the port the UI listens on (127.0.0.1).")] = 8000,
    json_out: JsonFlag = False,
) -> None:
    """Run the whole flow on a bundled sample in the current directory."""
    from herald.cli.demo.run import run_demo

    run_demo(ctx, json_out, serve_on=port if serve else None)


app.command()(running.sandbox)
app.command()(running.worker)
app.command()(running.serve)


def run(argv: list[str] | None = None) -> None:
    """Console-script entry: one-line reasons and exit codes instead of tracebacks."""
    try:
        code = app(args=argv, prog_name="herald", standalone_mode=False)
    except HeraldError as exc:
        # Written raw: a reason must stay on one line whatever the terminal width.
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
    except usage.ABORTS:
        line, code = usage.abort_line()
        sys.stderr.write(line + "\n")
        sys.exit(code)
    except usage.CLICK_ERRORS as exc:
        sys.stderr.write(usage.usage_line(exc) + "\n")
        sys.exit(2 if isinstance(exc, usage.USAGE_ERRORS) else exc.exit_code)
    except usage.EXITS as exc:
        sys.exit(exc.exit_code)
    except OverflowError as exc:
        sys.stderr.write(f"error: a number given is too large ({exc})\n")
        sys.exit(2)
    except OSError as exc:
        # A file a command was pointed at: say which and why, never a traceback.
        sys.stderr.write(f"error: {exc.filename or 'file'}: {exc.strerror or exc}\n")
        sys.exit(2)
    except Exception as exc:
        if not _unreachable(exc):
            raise
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]  # the driver's own words
        sys.stderr.write(f"error: database: {reason}\n")
        sys.exit(6)
    out.file.flush()
    if isinstance(code, int) and code:
        sys.exit(code)


def _unreachable(exc: Exception) -> bool:
    """A database that could not be reached or used (SQLAlchemy is only imported once a command needs it)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.OperationalError)
