"""What users read about permissions is what Herald checks: the docs' table, and a permission for every
command of the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer._click.core import Context

from herald.access import catalog
from herald.cli.main import app

DOCS = Path(__file__).parents[2] / "docs" / "access.md"
NO_DATABASE = {"rules presets", "rules show", "rules decide"}  # answered from the bundled presets


def test_the_docs_table_shows_each_roles_permissions() -> None:
    rows = re.findall(r"^\| `([a-z]+:[a-z]+)` \| [^|]+ \|(.*)\|$", DOCS.read_text(encoding="utf-8"), re.M)
    roles = list(catalog().roles)
    shown = {
        p: {r for r, mark in zip(roles, marks.split("|"), strict=True) if mark.strip() == "✓"} for p, marks in rows
    }
    assert shown == {p: {r for r in roles if p in catalog().roles[r]} for p in catalog().permissions}


def commands(command, path: list[str], ctx: Context) -> list[str]:
    if not hasattr(command, "list_commands"):
        return [" ".join(path)]
    found = []
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        found += commands(sub, [*path, name], Context(sub, parent=ctx))
    return found


def test_every_command_of_the_cli_declares_the_permission_it_needs() -> None:
    root = typer.main.get_command(app)
    every = commands(root, [], Context(root))
    assert len(every) > 100
    undeclared = [c for c in every if catalog().command(c) is None]
    assert undeclared == []
    assert not set(catalog().commands) - set(every) - NO_DATABASE, "commands.toml names commands that do not exist"
