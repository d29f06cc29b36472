"""`herald providers …`: the provider accounts herald.toml names and the channels each carries."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.errors import NotFound

app = typer.Typer(help="Provider accounts and the channels they carry.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every provider account with its kind, settings (secrets hidden) and the routes that use it."""
    container = app_context(ctx).container
    routing = container.routing
    data: list[dict[str, Any]] = []
    for name, account in container.accounts.items():
        routes = [ch for ch, names in routing.channels.items() if name in names]
        routes += [f"{ch}.{cc}" for (ch, cc), names in routing.countries.items() if name in names]
        data.append({"name": name, "kind": account.kind, "routes": routes, "settings": account.shown()})
    emit(ctx, json_out, data, lambda: _print(data))


@app.command()
def check(ctx: typer.Context, name: str, json_out: JsonFlag = False) -> None:
    """Ask the vendor whether the account can send: Twilio's account fetched with its credentials, a
    webhook gateway's answer to a signed ping, a file provider's folder written. Exits 1 when it cannot."""
    container = app_context(ctx).container
    if name not in container.providers:
        raise NotFound(f"no provider account named {name!r} (accounts: {', '.join(container.providers)})")
    checked = asyncio.run(container.providers[name].check())
    data = {"account": name, "ok": checked.ok, "detail": checked.detail}
    emit(ctx, json_out, data, f"{name}: {'ok' if checked.ok else 'cannot send'} — {checked.detail}")
    if not checked.ok:
        raise typer.Exit(1)


def _print(data: list[dict[str, Any]]) -> None:
    if not data:
        out.print("No provider accounts.")
        return
    rows = [[d["name"], d["kind"], ", ".join(d["routes"]) or "(no route)", _settings(d["settings"])] for d in data]
    table(None, ["account", "kind", "carries", "settings"], rows)


def _settings(settings: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in settings.items() if k != "kind") or "-"
