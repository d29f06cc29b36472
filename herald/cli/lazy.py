"""The `herald` group, whose rooms' commands are imported only when one of them runs.

Importing every room takes over a second (SQLAlchemy, the rules, the web of services); `herald --help` and
`herald templates sms-info` need none of it. The group lists each room by the one-line help it is
registered with, and imports the room — once — when a command of it is called or its own help is asked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import cast

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Room:
    help: str  # the line `herald --help` shows; a test holds it equal to the room's own Typer help
    module: str  # the module whose `app` is the room's group
    joined_by: tuple[str, ...] = ()  # modules whose JOINS add commands to this group

    def load(self, name: str) -> typer.Typer:
        """The room's group with the commands other modules join to it."""
        return _assembled(name, self)


@cache  # a group is assembled once, however often the command line is parsed
def _assembled(name: str, room: Room) -> typer.Typer:
    app: typer.Typer = import_module(room.module).app
    for module in room.joined_by:
        for command_name, command in import_module(module).JOINS[name].items():
            if isinstance(command, typer.Typer):
                app.add_typer(command, name=command_name)
            else:
                app.command(command_name)(command)
    return app


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
            holder.add_typer(room.load(name), name=name)
            self._loaded[name] = cast(TyperGroup, typer.main.get_command(holder)).commands[name]
        return self._loaded[name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
