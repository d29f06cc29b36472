"""The `herald` group, whose rooms' commands are imported only when one of them runs.

Importing every room takes over a second (SQLAlchemy, the rules, the web of services); `herald --help` and
`herald templates sms-info` need none of it. The group lists each room by the one-line help it is
registered with, and imports the room — once — when a command of it is called or its own help is asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Room:
    help: str  # the line `herald --help` shows; a test holds it equal to the room's own Typer help
    load: Callable[[], typer.Typer]  # imports the room's commands


class LazyGroup(TyperGroup):
    rooms: dict[str, Room] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        self._loaded: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.rooms if n not in self.commands)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        room = self.rooms.get(name)
        if room is None:
            return super().get_command(ctx, name)
        if self._listing:  # the list of commands needs only their help line
            return TyperCommand(name, help=room.help)
        if name not in self._loaded:
            # Built as `add_typer` would have built it: a sub-group, with no completion options of its own.
            holder = typer.Typer(add_completion=False)
            holder.add_typer(room.load(), name=name)
            self._loaded[name] = typer.main.get_command(holder).commands[name]
        return self._loaded[name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
