"""Entry point of the `herald` command."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from herald import bootstrap
from herald.analytics import cli as reports_cli
from herald.autotag import cli as autotag_cli
from herald.campaigns import cli as campaigns_cli
from herald.cli import people, playground, preview, usage
from herald.config import load_settings, render_config
from herald.console import AppContext, JsonFlag, app_context, emit, err, out
from herald.contacts import cli as contacts_cli
from herald.content import cli as templates_cli
from herald.db import migrate
from herald.errors import HeraldError, Invalid
from herald.events import cli as events_cli
from herald.rules import cli as rules_cli
from herald.scores import cli as scores_cli
from herald.segments import cli as segments_cli
from herald.segments.queries import audience_select
from herald.tags import cli as tags_cli

app = typer.Typer(name="herald", help="Compliance-first messaging over WhatsApp, SMS and email.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
for sub, name in ((contacts_cli.app, "contacts"), (tags_cli.app, "tags"), (segments_cli.app, "segments"),
                  (templates_cli.app, "templates"), (campaigns_cli.app, "campaigns"), (reports_cli.app, "reports"),
                  (rules_cli.app, "rules"), (events_cli.app, "events"), (scores_cli.app, "scores"), (db_app, "db")):
    app.add_typer(sub, name=name)

rules_cli.app.command("decide")(playground.decide_command)
templates_cli.app.command("preview")(preview.preview_command)
contacts_cli.app.command("export-person")(people.export_person_command)
contacts_cli.app.command("erase")(people.erase_command)
contacts_cli.app.command("merge")(people.merge_command)
contacts_cli.app.command("quality")(reports_cli.quality_command)
contacts_cli.app.command("timeline")(people.timeline_command)
tags_cli.app.add_typer(autotag_cli.app, name="rules")

# Commands that create the schema themselves or need none; every other one needs it current.
NO_SCHEMA_CHECK = {"db", "demo", "serve", "init-config", "rules"}


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (else HERALD_DATABASE_URL, else "
                                           "sqlite:///herald.db).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Settings file (default herald.toml).")] = None,
    json_out: JsonFlag = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log to standard error.")] = False,
) -> None:
    """Herald: import contacts, segment them, and send campaigns that can say why."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    needs_schema = ctx.invoked_subcommand not in NO_SCHEMA_CHECK

    def make_container() -> bootstrap.Container:
        container = bootstrap.build(load_settings(config, database_url=db))
        if needs_schema:
            _require_schema(container)
        return container

    ctx.obj = AppContext(json=json_out, make_container=make_container, audience=audience_select)


def _require_schema(container: bootstrap.Container) -> None:
    current = migrate.current_revision(container.engine)
    if current is None:
        raise Invalid("this database has no Herald schema yet; run `herald db upgrade` (or `herald demo`)",
                      where=_safe_url(container.settings.database_url))
    if current != migrate.head_revision(container.engine):
        raise Invalid("the schema is out of date; run `herald db upgrade`",
                      where=_safe_url(container.settings.database_url))


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "database"


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Create or migrate the schema to the newest revision."""
    container = app_context(ctx).container
    before = migrate.current_revision(container.engine)
    container.migrate()
    after = migrate.current_revision(container.engine)
    emit(ctx, json_out, {"from": before, "to": after}, f"Schema at revision {after} (was {before or 'empty'}).")


@db_app.command("status")
def db_status(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Show the schema revision and whether it is current."""
    engine = app_context(ctx).container.engine
    data = {"current": migrate.current_revision(engine), "head": migrate.head_revision(engine)}
    data["up_to_date"] = data["current"] == data["head"]
    emit(ctx, json_out, data, f"revision {data['current'] or 'none'} (newest {data['head']})")


@app.command("init-config")
def init_config(ctx: typer.Context, path: Path = Path("herald.toml"), force: bool = False,
                json_out: JsonFlag = False) -> None:
    """Write a herald.toml with every setting and its default."""
    if path.exists() and not force:
        raise Invalid("exists already; pass --force to overwrite", where=str(path))
    path.write_text(render_config(load_settings(environ={}, config_path=None)), encoding="utf-8")
    emit(ctx, json_out, {"path": str(path)}, f"Wrote {path}.")


@app.command()
def worker(ctx: typer.Context,
           until_idle: Annotated[bool, typer.Option("--until-idle", help="Exit when nothing is due.")] = False,
           batch_size: Annotated[int | None, typer.Option(min=1, help="Messages per batch.")] = None,
           json_out: JsonFlag = False) -> None:
    """Send due messages: claim, re-check the rules, render, send, record."""
    container = app_context(ctx).container
    w = container.worker(batch_size)
    if not until_idle:
        err.print("Worker running; Ctrl-C or SIGTERM to stop.")
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop is a Ctrl-C
    try:
        stats = asyncio.run(w.run(until_idle=until_idle))
    except KeyboardInterrupt:
        stats = w.stats
    finally:
        signal.signal(signal.SIGTERM, previous)
    emit(ctx, json_out, stats.as_dict(), lambda: _print_worker(stats))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _print_worker(stats) -> None:
    out.print(f"Worker: {stats.sent} sent, {stats.skipped} skipped at send time, {stats.deferred} deferred again, "
              f"{stats.retried} to retry, {stats.failed} failed.")
    if stats.handed_back:
        out.print(f"Stopped: {stats.handed_back} claimed messages were handed back to the queue unsent.")
    if stats.waiting_on_lease:
        out.print(f"{stats.waiting_on_lease} messages are held by another worker (or one that was killed) until "
                  f"{stats.lease_until:%Y-%m-%d %H:%M:%S} UTC; they are retried when the lease runs out.")


@app.command()
def demo(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Run the whole flow on a bundled sample in the current directory."""
    from herald.cli.demo import run_demo

    run_demo(ctx, json_out)


@app.command()
def serve(ctx: typer.Context, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the REST API (migrating an empty database first)."""
    # Imported here so that every other command starts without loading the web stack.
    import uvicorn

    from herald.web import create_app

    container = app_context(ctx).container
    container.migrate()
    uvicorn.run(create_app(container), host=host, port=port)


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
    except OperationalError as exc:
        sys.stderr.write(f"error: database: {str(exc.orig).strip().splitlines()[0]}\n")
        sys.exit(6)
    except usage.EXITS as exc:
        sys.exit(exc.exit_code)
    except OSError as exc:
        # A file a command was pointed at: say which and why, never a traceback.
        sys.stderr.write(f"error: {exc.filename or 'file'}: {exc.strerror or exc}\n")
        sys.exit(2)
    out.file.flush()
    if isinstance(code, int) and code:
        sys.exit(code)
