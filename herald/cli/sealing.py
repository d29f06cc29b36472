"""`herald db keyfile` and `herald db reseal`: the key file that seals personal data at rest, its rotation,
and sealing again what an older key (or no key) left."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from herald import access
from herald.console import JsonFlag, app_context, emit, progress
from herald.errors import Invalid


def keyfile(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the key file (outside the database's backups).")],
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Put a new sealing key at the head of an existing file.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Write a new key file, readable by its owner alone; or, with --rotate, add a new key to one."""
    if rotate:
        ring = access.read_key_file(str(path))
        key_id = _next_id(ring.current)
        path.write_text(access.new_key_line(key_id) + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        said = f"{path}: new key {key_id} heads the file; run `herald db reseal`, then older keys may go."
    else:
        if path.exists():
            raise Invalid("a file is there already; rotate it with --rotate", where=f"key file {path}")
        key_id = "k1"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{access.new_key_line(key_id)}\n{access.new_key_line('lookup')}\n")
        said = f"{path} written; set encryption_key_file to it, and keep a copy apart from the database."
    emit(ctx, json_out, {"path": str(path), "key": key_id}, said)


def _next_id(current: str) -> str:
    digits = "".join(c for c in current if c.isdigit())
    return f"k{int(digits or 0) + 1}"


def reseal(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Seal what is held plain and re-seal what an older key sealed, in this workspace."""
    from herald.db import migrate

    container = app_context(ctx).container
    if migrate.current_revision(container.engine) != migrate.head_revision(container.engine):
        raise Invalid("the schema is missing or out of date; run `herald db upgrade` first", where="reseal")
    container.check_sealing()
    with container.uow() as uow, progress("Sealing", None) as advance:
        done = access.reseal(uow.session, container.sealer, advance)
    emit(ctx, json_out, {"rows": done.rows, "total": done.total}, f"{done.total} row(s) sealed anew {done.rows}")
