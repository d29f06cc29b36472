"""`herald rules …`"""

from __future__ import annotations

from typing import Any

import typer

from herald.console import JsonFlag, emit, out, print_lines
from herald.rules.policy import load_policy, preset_names, read_preset

app = typer.Typer(help="Policy presets and their rules.", no_args_is_help=True)


@app.command()
def presets(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """The presets a campaign can use."""
    data = [{"name": n, "description": load_policy(n).description} for n in preset_names()]
    emit(ctx, json_out, data, lambda: print_lines(f"{d['name']:<18} {d['description']}" for d in data))


@app.command()
def show(ctx: typer.Context, preset: str, json_out: JsonFlag = False) -> None:
    """The rules of a preset with their parameters."""
    policy = load_policy(preset)
    applies = {k: list(v) for k, v in read_preset(preset).get("applies", {}).items()}
    data: dict[str, Any] = {
        "name": policy.name,
        "description": policy.description,
        "applies": applies,
        "follows": policy.follows,
        "rules": policy.describe(),
    }

    def human() -> None:
        out.print(f"{policy.name}: {policy.description}")
        if applies:
            locales, channels = _listed(applies, "locales", "any language"), _listed(applies, "channels", "any channel")
            regions = _listed(applies, "regions", "any country")
            out.print(
                f"  written for templates in {locales} on {channels}; speaks for recipients in {regions}", markup=False
            )
        if policy.follows:
            out.print(f"  and for the recipients each speaks for, where they differ: {', '.join(policy.follows)}")
        for r in data["rules"]:
            where = f"  for {', '.join(r['for'])}" if r.get("for") else ""
            out.print(f"  {r['rule']:<16} {r['summary']}  {r['params']}{where}", markup=False)

    emit(ctx, json_out, data, human)


def _listed(applies: dict[str, list[str]], key: str, anything: str) -> str:
    values = applies.get(key, [])
    return anything if "*" in values else ", ".join(values) or "none"
