"""`herald templates coupons …` and `herald templates words …`: coupon pools and the banned-words list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.content.cli.common import Preset, acting_user, coupons, read_text, words


@coupons.command("add")
def coupons_add(
    ctx: typer.Context,
    pool: str,
    path: Annotated[Path, typer.Argument(help="One code per line.")],
    json_out: JsonFlag = False,
) -> None:
    """Add codes to a pool (codes already there are skipped)."""
    from herald.content import service

    codes = read_text(path, "utf-8-sig").splitlines()
    with app_context(ctx).container.uow() as uow:
        added = service.add_coupons(uow, pool, codes)
    emit(ctx, json_out, {"pool": pool, "added": added}, f"Added {added} code(s) to {pool}.")


@coupons.command("list")
def coupons_list(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Codes per pool, total and free."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        data = service.coupon_stock(uow)
    emit(
        ctx,
        json_out,
        data,
        lambda: table(None, ["pool", "total", "free"], [[d["pool"], d["total"], d["free"]] for d in data]),
    )


def _edit_word(ctx: typer.Context, word: str, action: str) -> None:
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        service.set_lint_word(uow, word, action, by=acting_user(ctx), now=container.clock.now())
    out.print(f"{word!r} is {'banned' if action == 'ban' else 'allowed'}.")


@words.command("ban")
def words_ban(ctx: typer.Context, word: str) -> None:
    """Add a word to the banned list."""
    _edit_word(ctx, word, "ban")


@words.command("allow")
def words_allow(ctx: typer.Context, word: str) -> None:
    """Allow a word that a preset bans."""
    _edit_word(ctx, word, "allow")


@words.command("remove")
def words_remove(ctx: typer.Context, word: str) -> None:
    """Forget your edit of a word (the presets' list applies again)."""
    from herald.content import service

    with app_context(ctx).container.uow() as uow:
        service.remove_lint_word(uow, word)
    out.print(f"{word!r} follows the presets again.")


@words.command("list")
def words_list(ctx: typer.Context, preset: Preset = None, json_out: JsonFlag = False) -> None:
    """The banned words in force, and your edits."""
    from herald.content import service

    container = app_context(ctx).container
    with container.uow() as uow:
        data = {"in_force": list(container.lint_profile(uow, preset or []).banned_words), **service.lint_words(uow)}
    emit(ctx, json_out, data, lambda: out.print("\n".join(data["in_force"]) or "No banned words."))
