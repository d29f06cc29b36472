"""Settings for commands that pick their own defaults (the demo)."""

from __future__ import annotations

import typer

from herald.config import Settings, load_settings


def demo_settings(ctx: typer.Context) -> Settings:
    """The demo's settings: its own SQLite file and outbox folder unless --db names a database."""
    root = ctx.find_root()
    db = root.params.get("db")
    return load_settings(root.params.get("config"), database_url=db or "sqlite:///herald-demo.db",
                         outbox_dir="herald-demo-outbox")
