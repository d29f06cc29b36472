"""`herald audit …`: what was done, by whom, from where; and whether the log is whole."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from herald import access
from herald.access.queries import AuditFilter, audit_entries, entry_data
from herald.console import JsonFlag, app_context, emit, err, table
from herald.errors import Invalid
from herald.types import span

app = typer.Typer(help="The audit log: every write and refusal, who, when and from where.", no_args_is_help=True)

Actor = Annotated[str | None, typer.Option(help="Only this actor (a user's name, key:NAME, system:LOGIN).")]
Action = Annotated[str | None, typer.Option(help="Only actions starting with this: 'cli contacts', 'api'.")]
Since = Annotated[str | None, typer.Option(help="Only the last span: 24h, 30d.")]
Refused = Annotated[bool, typer.Option("--refused", help="Only refusals (401, 403, a command not allowed).")]


@app.command("list")
def list_(
    ctx: typer.Context,
    actor: Actor = None,
    action: Action = None,
    since: Since = None,
    refused: Refused = False,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="At most this many, newest first.")] = 50,
    json_out: JsonFlag = False,
) -> None:
    """The newest entries, filtered."""
    container = app_context(ctx).container
    where = _filter(actor, action, since, refused, container.clock.now())
    with container.uow() as uow:
        found = [entry_data(e) for e in audit_entries(uow, where, limit)]
    rows = [
        [e["id"], e["at"][:16].replace("T", " "), e["actor"], e["action"], e["subject"] or "", e["outcome"]]
        for e in found
    ]
    columns = ["#", "at (UTC)", "actor", "action", "subject", "outcome"]
    emit(ctx, json_out, found, lambda: table("Audit log", columns, rows))


@app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here (else standard output).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv (for a spreadsheet) or jsonl.")] = "csv",
    actor: Actor = None,
    action: Action = None,
    since: Since = None,
    refused: Refused = False,
) -> None:
    """Every entry matching, oldest first, as CSV (no cell runs as a formula) or JSON lines."""
    container = app_context(ctx).container
    where = _filter(actor, action, since, refused, container.clock.now())
    lines = 0
    with _opened(output) as stream:
        for line in access.export_lines(fmt, access.matching(container.unaudited, where)):
            stream.write(line)
            lines += 1
    if output is not None:
        err.print(f"{lines - (fmt == 'csv')} entries written to {output}")


@app.command("verify")
def verify(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Check the hash chain: every entry is as written and none is missing between them."""
    container = app_context(ctx).container
    with container.uow() as uow:
        result = access.verify(uow)
    data = {"entries": result.entries, "head": result.head, "intact": result.broken_at is None}
    if result.broken_at is not None:
        data |= {"broken_at": result.broken_at, "reason": result.reason}
        emit(ctx, json_out, data, f"Entry {result.broken_at} breaks the chain: {result.reason}.")
        raise typer.Exit(1)
    emit(ctx, json_out, data, f"{result.entries} entries, chain intact. Head: {result.head}")


def _filter(actor: str | None, action: str | None, since: str | None, refused: bool, now: Any) -> AuditFilter:
    start = None
    if since is not None:
        length = span(since)
        if length is None:
            raise Invalid(f"{since!r} is not a span such as 24h or 30d", where="--since")
        start = now - length
    return AuditFilter(actor=actor, action=action, since=start, refused=refused)


class _opened:
    """The output file (written whole or not at all), or standard output."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def __enter__(self) -> TextIO:
        if self.path is None:
            return sys.stdout
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.stream = self.partial.open("w", encoding="utf-8", newline="")
        return self.stream

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if self.path is None:
            return
        self.stream.close()
        if exc_type is None:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)
