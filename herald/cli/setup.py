"""`herald db …`, `herald config show` and `herald init-config`: the schema (with the key file that seals
personal data), and the settings in effect."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from herald.cli import sealing
from herald.config import load_settings, render_config
from herald.console import JsonFlag, app_context, emit, out
from herald.errors import Invalid

if TYPE_CHECKING:
    from herald import bootstrap

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Create or migrate the schema to the newest revision."""
    from herald.db import migrate

    container = app_context(ctx).container
    before = migrate.current_revision(container.engine)
    container.migrate()
    after = migrate.current_revision(container.engine)
    others = _upgrade_workspaces(container)
    data = {"from": before, "to": after, "workspaces": others}
    more = f"; {len(others)} other workspace(s) too" if others else ""
    emit(ctx, json_out, data, f"Schema at revision {after} (was {before or 'empty'}){more}.")


def _upgrade_workspaces(container: bootstrap.Container) -> list[str]:
    """Migrate every workspace but this one, together, so that none is left behind."""
    from herald import access

    with container.control_uow() as uow:
        names = [n for n in access.workspace_names(uow) if n != container.workspace]
    for name in names:
        other = container.for_workspace(name)
        try:
            other.migrate_own()
        finally:
            other.close()
    return names


db_app.command("keyfile")(sealing.keyfile)
db_app.command("reseal")(sealing.reseal)


@db_app.command("status")
def db_status(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Show the schema revision and whether it is current."""
    from herald.db import migrate

    engine = app_context(ctx).container.engine
    data: dict[str, Any] = {"current": migrate.current_revision(engine), "head": migrate.head_revision(engine)}
    data["up_to_date"] = data["current"] == data["head"]
    emit(ctx, json_out, data, f"revision {data['current'] or 'none'} (newest {data['head']})")


config_app = typer.Typer(help="Settings in effect.", no_args_is_help=True)


@config_app.command("show")
def config_show(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """The settings in effect (defaults, herald.toml, HERALD_* variables), every secret hidden."""
    from herald.providers import shown

    settings = app_context(ctx).container.settings
    hidden = {f.name for f in dataclasses.fields(settings) if not f.repr and getattr(settings, f.name)}
    changes: dict[str, Any] = {name: "(hidden)" for name in hidden}
    changes["provider_accounts"] = {name: shown(t) for name, t in settings.provider_accounts.items()}
    safe = dataclasses.replace(settings, **changes)
    data = {k: v for k, v in dataclasses.asdict(safe).items()}
    emit(ctx, json_out, data, lambda: out.print(render_config(safe), markup=False, end=""))


def init_config(
    ctx: typer.Context, path: Path = Path("herald.toml"), force: bool = False, json_out: JsonFlag = False
) -> None:
    """Write a herald.toml with every setting and its default."""
    if path.exists() and not force:
        raise Invalid("exists already; pass --force to overwrite", where=str(path))
    path.write_text(render_config(load_settings(environ={}, config_path=None)), encoding="utf-8")
    emit(ctx, json_out, {"path": str(path)}, f"Wrote {path}.")
