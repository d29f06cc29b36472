"""A mistake on the command line as one line a person can act on, never a traceback.

Typer brings its own copy of Click, whose exceptions are not the `click` package's: both are recognised,
so a change of either keeps the promise (one `error:` line on standard error, exit 2)."""

from __future__ import annotations

import sys
from typing import cast

import click
import typer
from typer import _click as typer_click

USAGE_ERRORS = (click.UsageError, typer_click.exceptions.UsageError)
CLICK_ERRORS = (click.ClickException, typer_click.exceptions.ClickException)
ABORTS = (click.exceptions.Abort, typer.Abort)
EXITS = (click.exceptions.Exit, typer.Exit)
NO_ARGS = (click.exceptions.NoArgsIsHelpError, typer_click.exceptions.NoArgsIsHelpError)


def usage_line(exc: Exception) -> str:
    """`error: herald contacts list: Invalid value for '--limit': … (see herald contacts list --help)`."""
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "herald"
    if isinstance(exc, NO_ARGS):
        return f"error: {path}: say which command to run (see {path} --help)"
    # Click folds long reasons over several lines.
    message = " ".join(cast(typer_click.ClickException, exc).format_message().split())
    if isinstance(exc, USAGE_ERRORS):
        return f"error: {path}: {message} (see {path} --help)"
    return f"error: {message}"


def abort_line() -> tuple[str, int]:
    """A confirmation that got no answer: stopped by a person (Ctrl-C, 130), or asked of a script with
    nothing on standard input (2, with how to answer it)."""
    if sys.stdin is None or not sys.stdin.isatty():
        return "error: this needs a confirmation and standard input gave no answer; pass --yes to confirm", 2
    return "aborted", 130
