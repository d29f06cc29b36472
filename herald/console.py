"""What every room's CLI shares: the invocation context, JSON-or-human output and progress bars.
Machine output goes to standard output as one JSON document; progress and logs go to standard error."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from herald.errors import Invalid

if TYPE_CHECKING:  # for the type checker only: the console sits below everything it serves
    from herald.bootstrap import Container
    from herald.config import Settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on standard output.")]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


@dataclass
class AppContext:
    """Handed to every command as `ctx.obj`; the CLI entry point fills in the factories."""

    json: bool = False
    make_container: Callable[[], Container] | None = None
    make_settings: Callable[[], Settings] | None = None  # for commands that read settings and no database
    # (session, expression) -> SELECT of contact ids; typed loosely, as the console imports no database code
    audience: Callable[[Any, str], Any] = field(default=lambda session, expression: _unwired())
    # (unit of work, contact id, now) -> the tags the contact carries, each with who applied it, when, until when
    tags_of: Callable[[Any, int, Any], list[dict[str, Any]]] = field(default=lambda uow, contact_id, now: _unwired())
    _container: Container | None = field(default=None, repr=False)

    @property
    def container(self) -> Container:
        if self._container is None:
            if self.make_container is None:
                _unwired()
            self._container = self.make_container()
        return self._container

    @property
    def settings(self) -> Settings:
        """The settings, without connecting to the database."""
        if self._container is not None:
            return self._container.settings
        if self.make_settings is None:
            _unwired()
        return self.make_settings()

    @property
    def actor_name(self) -> str:
        """Who the command acts as, for histories and reviews: a user's name, else `system:LOGIN`."""
        actor = self.container.actor
        return actor.label if actor is not None else f"system:{getpass.getuser()}"

    def wants_json(self, flag: bool) -> bool:
        return self.json or flag


def _unwired() -> NoReturn:
    raise RuntimeError("the command line's entry point did not wire this context")


def app_context(ctx: typer.Context) -> AppContext:
    return ctx.ensure_object(AppContext)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def emit(ctx: typer.Context, json_flag: bool, data: Any, human: Callable[[], object] | str | None = None) -> None:
    """Print `data` as JSON when asked, else the human rendering."""
    if app_context(ctx).wants_json(json_flag):
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")
    elif callable(human):
        human()
    else:
        out.print(human if human is not None else data)


def print_lines(lines: Iterable[str]) -> None:
    """Each line on standard output (none for none)."""
    for line in lines:
        out.print(line)


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    grid = Table(title=title, title_justify="left")
    for name in columns:
        grid.add_column(name)
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    out.print(grid)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error; yields `advance(n)`."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def parse_pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """`KEY=VALUE` options into a dict, naming the option on a malformed one."""
    pairs = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Invalid(f"expected KEY=VALUE, got {item!r}", where=option)
        pairs[key.strip()] = value.strip()
    return pairs
