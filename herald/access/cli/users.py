"""`herald users …`: who may sign in, with which role."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from herald import access
from herald.access.queries import user_view
from herald.console import JsonFlag, app_context, emit, table
from herald.errors import Invalid

app = typer.Typer(help="People who sign in, their roles, passwords and second factor.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input (for scripts).")
]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The sign-in name: lower-case letters, digits, . _ @ -")],
    role: Annotated[str, typer.Option(help="owner, admin, marketer, approver, analyst or support.")],
    display_name: Annotated[str | None, typer.Option(help="The name shown in the UI.")] = None,
    password_stdin: PasswordStdin = False,
    json_out: JsonFlag = False,
) -> None:
    """Create a user; the first one is usually the owner (`--role owner`)."""
    password = _password(password_stdin)
    container = app_context(ctx).container
    with container.control_uow() as uow:
        found = access.create_user(uow, name, role, password, container.clock.now(), by=container.actor)
        found.display_name = display_name
        shown = _shown(found)
    emit(ctx, json_out, shown, f"User {shown['name']} created ({shown['role']}).")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Every user with their role, second factor and last sign-in."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        found = [_shown(u) for u in access.users(uow)]
    rows = [
        [u["name"], u["role"], u["status"], "yes" if u["second_factor"] else "", u["signed_in_at"] or ""] for u in found
    ]
    emit(ctx, json_out, found, lambda: table("Users", ["name", "role", "status", "2FA", "last sign-in"], rows))


@app.command("set-role")
def set_role(ctx: typer.Context, name: str, role: str, json_out: JsonFlag = False) -> None:
    """Give a user another role (only an owner makes or unmakes an owner)."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        shown = _shown(access.set_role(uow, name, role, by=container.actor))
    emit(ctx, json_out, shown, f"{shown['name']} is now {shown['role']}.")


@app.command("reset-password")
def reset_password(ctx: typer.Context, name: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password; the user's sessions end and a lock-out is lifted."""
    password = _password(password_stdin)
    container = app_context(ctx).container
    with container.control_uow() as uow:
        found = access.reset_password(uow, name, password, container.clock.now(), by=container.actor)
    emit(ctx, False, {}, f"Password of {found.name} reset; their sessions have ended.")


@app.command("disable")
def disable(ctx: typer.Context, name: str) -> None:
    """Stop a user signing in; their sessions end at once (their history stays)."""
    _set_disabled(ctx, name, True)


@app.command("enable")
def enable(ctx: typer.Context, name: str) -> None:
    """Let a disabled user sign in again."""
    _set_disabled(ctx, name, False)


@app.command("signout")
def signout(ctx: typer.Context, name: str) -> None:
    """Sign a user out everywhere."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        ended = access.end_sessions(uow, access.user(uow, name), container.clock.now())
        uow.note(user=name, sessions=ended)
    emit(ctx, False, {}, f"{ended} session(s) of {name} ended.")


@app.command("second-factor")
def second_factor(
    ctx: typer.Context,
    name: str,
    off: Annotated[bool, typer.Option("--off", help="Turn the second factor off.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Turn on a TOTP second factor: prints the otpauth:// address for an authenticator app, once."""
    container = app_context(ctx).container
    with container.control_uow() as uow:
        if off:
            access.drop_totp(uow, name)
            data: dict[str, Any] = {"user": name, "second_factor": False}
        else:
            data = {"user": name, "second_factor": True, "address": access.enroll_totp(uow, name)}
    text = data.get("address") or f"Second factor of {name} is off."
    emit(ctx, json_out, data, f"Add this to the authenticator app (shown once):\n{text}" if not off else text)


def _set_disabled(ctx: typer.Context, name: str, disabled: bool) -> None:
    container = app_context(ctx).container
    with container.control_uow() as uow:
        found = access.set_disabled(uow, name, disabled, container.clock.now(), by=container.actor)
    emit(ctx, False, {}, f"{found.name} is {'disabled' if disabled else 'enabled'}.")


def _password(from_stdin: bool) -> str:
    """The password: from standard input with --password-stdin, else asked twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise Invalid("give the password on standard input with --password-stdin", where="password")
    if not password:
        raise Invalid("the password is empty", where="password")
    return password


def _shown(found: access.User) -> dict[str, Any]:
    return user_view(found).model_dump(mode="json")
