"""Every command, called with a missing or a malformed argument, answers with one `error:` line naming the
command and exits 2 — never a traceback."""

from __future__ import annotations

import io
import sys

import pytest
import typer

from herald.cli.main import app, run


def leaves(command, path=()):
    """(path, command) of every runnable command of the tree (rooms loaded as a call would load them)."""
    if not hasattr(command, "list_commands"):
        yield path, command
        return
    ctx = typer.Context(command)
    for name in sorted(command.list_commands(ctx)):
        yield from leaves(command.get_command(ctx, name), (*path, name))


COMMANDS = list(leaves(typer.main.get_command(app)))
assert len(COMMANDS) > 60  # every room's commands, not only those registered up front
NUMERIC = ("int", "float")


def needed(command) -> list[str]:
    """Harmless values for the command's required arguments and options."""
    found = []
    for param in command.params:
        if not param.required:
            continue
        value = "1" if _kind(param) in NUMERIC else "x"
        found += [param.opts[0], value] if param.param_type_name == "option" else [value]
    return found


def _kind(param) -> str:
    """The Python type Typer reads the parameter as: int, float, str, bool…"""
    return str(param.bare_type())


def one_error_line(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        run(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2, (argv, err)
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
    return err


@pytest.mark.parametrize(
    ("path", "command"),
    [c for c in COMMANDS if any(p.required for p in c[1].params)],
    ids=lambda c: " ".join(c) if isinstance(c, tuple) else "",
)
def test_a_missing_argument_is_one_line_and_exit_2(capsys, path, command) -> None:
    err = one_error_line(capsys, list(path))
    assert f"herald {' '.join(path)}" in err


MALFORMED = [
    (path, command, param)
    for path, command in COMMANDS
    for param in command.params
    if _kind(param) in NUMERIC and param.name != "help"
]


@pytest.mark.parametrize(
    ("path", "command", "param"), MALFORMED, ids=[f"{' '.join(p)} {q.name}" for p, _, q in MALFORMED]
)
def test_a_malformed_number_is_one_line_and_exit_2(capsys, path, command, param) -> None:
    others = [v for v in needed(command)]
    if param.param_type_name == "option":
        argv = [*path, *others, param.opts[0], "abc"]
    else:
        position = [p for p in command.params if p.param_type_name == "argument"].index(param)
        values = ["x" if _kind(p) not in NUMERIC else "1" for p in command.params if p.param_type_name == "argument"]
        values[position] = "abc"
        argv = [*path, *values, *[v for v in others if v not in values]]
    err = one_error_line(capsys, argv)
    assert "abc" in err or "integer" in err or "number" in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["rules", "list"],
        ["contacts"],
        ["--bogus"],
        ["contacts", "import"],
        ["contacts", "list", "--limit", "abc"],
        ["campaigns", "explain", "2", "Emily"],
    ],
)
def test_the_reported_cases(capsys, argv) -> None:
    assert one_error_line(capsys, argv).startswith("error: herald")


def test_a_confirmation_without_an_answer_is_refused_in_one_line(capsys, db_url, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # as `herald contacts erase 4 </dev/null`
    err = one_error_line(capsys, ["--db", db_url, "contacts", "erase", "4"])
    assert "pass --yes" in err
